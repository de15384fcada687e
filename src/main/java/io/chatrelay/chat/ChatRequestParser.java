package io.chatrelay.chat;

import java.io.IOException;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.conversation.ConversationIds;
import io.chatrelay.error.ApiException;
import io.chatrelay.upstream.UpstreamConfig;

/**
 * Reads and checks a chat completion body before anything is stored or sent upstream.
 * Unknown fields are kept, and numbers keep their exact decimal form, so that the body
 * the provider receives is the client's, minus {@code conversation_id}.
 */
@ApplicationScoped
public class ChatRequestParser {

    public static final String CONVERSATION_HEADER = "X-Conversation-Id";
    private static final List<String> REASONING_EFFORTS = List.of("minimal", "low", "medium", "high");
    private static final List<String> VERBOSITIES = List.of("low", "medium", "high");

    private final ObjectMapper json;
    private final UpstreamConfig upstream;

    ChatRequestParser(ObjectMapper mapper, UpstreamConfig upstream) {
        this.json = mapper.copy()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
        this.upstream = upstream;
    }

    public ExchangeRequest parse(byte[] raw, String conversationHeader) {
        ObjectNode body = readObject(raw);
        JsonNode lastUser = checkMessages(body.get("messages"));
        checkEnum(body, "reasoning_effort", REASONING_EFFORTS);
        checkEnum(body, "verbosity", VERBOSITIES);
        UUID conversationId = conversationId(body.remove("conversation_id"), conversationHeader);
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            body.put("model", upstream.defaultModel());
        }
        boolean stream = body.path("stream").asBoolean(false);
        return new ExchangeRequest(body, stream, conversationId, lastUser, body.get("model").asText());
    }

    private ObjectNode readObject(byte[] raw) {
        JsonNode node;
        try {
            node = raw == null || raw.length == 0 ? null : json.readTree(raw);
        } catch (IOException e) {
            throw ApiException.invalidRequest("invalid_json", null, "The request body is not valid JSON");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.invalidRequest("invalid_json", null, "The request body must be a JSON object");
        }
        return object;
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
        return lastUser;
    }

    private static ApiException invalidMessages(String message) {
        return ApiException.invalidRequest("invalid_messages", "messages", message);
    }

    private static void checkEnum(ObjectNode body, String field, List<String> allowed) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isTextual() || !allowed.contains(value.asText())) {
            throw ApiException.invalidRequest("invalid_value", field,
                    field + " must be one of " + String.join(", ", allowed));
        }
    }

    private static UUID conversationId(JsonNode fromBody, String fromHeader) {
        if (fromBody != null && !fromBody.isNull()) {
            return ConversationIds.parse(fromBody.isTextual() ? fromBody.asText() : null, "conversation_id");
        }
        return fromHeader == null ? null : ConversationIds.parse(fromHeader, "conversation_id");
    }
}
