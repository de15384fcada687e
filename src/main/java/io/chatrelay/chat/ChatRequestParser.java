package io.chatrelay.chat;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.conversation.StorableText;
import io.chatrelay.error.ApiException;
import io.chatrelay.relay.RequestBodyReader;
import io.chatrelay.turn.ExchangeRequest;
import io.chatrelay.turn.StoredHistory;

/**
 * Reads and checks a chat completion body before anything is stored or sent upstream.
 * Unknown fields are kept, and numbers keep their exact decimal form, so that the body
 * the provider receives is the client's, minus {@code conversation_id}.
 */
@ApplicationScoped
public class ChatRequestParser {

    private final RequestBodyReader bodies;

    ChatRequestParser(RequestBodyReader bodies) {
        this.bodies = bodies;
    }

    /**
     * @param conversationHeader the {@code X-Conversation-Id} header, or null
     * @param historyHeader the {@code X-History} header, or null
     */
    public ExchangeRequest parse(byte[] raw, String conversationHeader, String historyHeader) {
        ObjectNode body = bodies.readObject(raw);
        JsonNode lastUser = checkMessages(body.get("messages"));
        RequestBodyReader.checkEnum(body, "reasoning_effort", "reasoning_effort", RequestBodyReader.REASONING_EFFORTS);
        RequestBodyReader.checkEnum(body, "verbosity", "verbosity", RequestBodyReader.VERBOSITIES);
        UUID conversationId = RequestBodyReader.takeConversationId(body, conversationHeader);
        boolean storedHistory = StoredHistory.requested(historyHeader);
        if (storedHistory && conversationId == null) {
            throw StoredHistory.missingConversation();
        }
        String model = bodies.fillModel(body);
        boolean stream = body.path("stream").asBoolean(false);
        return new ExchangeRequest(body, stream, conversationId, lastUser, model, storedHistory);
    }

    /** Checks {@code messages} and returns the content of its last user message, or null. */
    private static JsonNode checkMessages(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw invalidMessages("messages must be a non-empty array of message objects");
        }
        JsonNode lastUser = null;
        for (JsonNode message : messages) {
            if (!message.isObject() || !message.path("role").isTextual()) {
                throw invalidMessages("each message must be an object with a string role");
            }
            if ("user".equals(message.get("role").asText())) {
                lastUser = message.get("content");
            }
        }
        // The turn's user message is stored as sent: refused now rather than failing in the store.
        String problem = StorableText.problem(lastUser);
        if (problem != null) {
            throw invalidMessages("the content of the last user message " + problem);
        }
        return lastUser;
    }

    private static ApiException invalidMessages(String message) {
        return ApiException.invalidRequest("invalid_messages", "messages", message);
    }
}
