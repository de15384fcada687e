package io.chatrelay.conversation;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The final state of an assistant message, written once when its exchange ends.
 *
 * @param status {@link MessageStatus#FINAL}, {@link MessageStatus#ERROR} or {@link MessageStatus#ABORTED}
 * @param content the text so far as a JSON string, or null when the model produced none
 */
public record AssistantMessage(String status, JsonNode content, String finishReason, JsonNode toolCalls,
        JsonNode usage, String responseId) {
}
