package io.chatrelay.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * The final state of an assistant message, written once when its exchange ends.
 *
 * @param status {@link MessageStatus#FINAL}, {@link MessageStatus#ERROR} or {@link MessageStatus#ABORTED}
 * @param content the text so far as a JSON string, or null when the model produced none
 */
public record AssistantMessage(String status, JsonNode content, String finishReason, JsonNode toolCalls,
        JsonNode usage, String responseId) {

    /** A turn that ended before any of the answer arrived: empty text, nothing else. */
    public static AssistantMessage empty(String status) {
        return new AssistantMessage(status, TextNode.valueOf(""), null, null, null, null);
    }
}
