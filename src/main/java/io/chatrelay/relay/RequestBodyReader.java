package io.chatrelay.relay;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.conversation.ConversationIds;
import io.chatrelay.conversation.StorableText;
import io.chatrelay.error.ApiException;
import io.chatrelay.json.RequestJson;
import io.chatrelay.upstream.UpstreamConfig;

/**
 * The checks every relayed endpoint (chat completions, responses) makes on a body in the
 * same way. The body is read by {@link RequestJson}: numbers keep their exact decimal form and
 * unknown fields are kept, so that the body the provider receives is the client's, minus our
 * own fields.
 */
@ApplicationScoped
public class RequestBodyReader {

    /** Names the conversation when the body does not ({@code conversation_id} wins when both do). */
    public static final String CONVERSATION_HEADER = "X-Conversation-Id";

    /** The values OpenAI's API accepts for {@code reasoning_effort} and {@code reasoning.effort}. */
    public static final List<String> REASONING_EFFORTS = List.of("none", "minimal", "low", "medium", "high",
            "xhigh");
    public static final List<String> VERBOSITIES = List.of("low", "medium", "high");

    private final RequestJson json;
    private final UpstreamConfig upstream;

    RequestBodyReader(RequestJson json, UpstreamConfig upstream) {
        this.json = json;
        this.upstream = upstream;
    }

    /** The body as a JSON object, or a 400 ({@code invalid_json}, {@code invalid_utf8}). */
    public ObjectNode readObject(byte[] raw) {
        return json.object(raw);
    }

    /**
     * Checks that {@code parent.field}, when present and not null, is one of {@code allowed};
     * else a 400 {@code invalid_value} naming {@code param}. A parent that is not an object has
     * no such field.
     */
    public static void checkEnum(JsonNode parent, String field, String param, List<String> allowed) {
        JsonNode value = parent == null ? null : parent.get(field);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isTextual() || !allowed.contains(value.asText())) {
            throw ApiException.invalidRequest("invalid_value", param,
                    param + " must be one of " + String.join(", ", allowed));
        }
    }

    /**
     * Removes {@code conversation_id} from the body and returns the conversation it or the
     * header names (the body wins), or null; a malformed id in either is a 400, also when the
     * other one is the one used.
     */
    public static UUID takeConversationId(ObjectNode body, String fromHeader) {
        UUID headerId = fromHeader == null ? null : ConversationIds.parse(fromHeader, "conversation_id");
        JsonNode fromBody = body.remove("conversation_id");
        if (fromBody != null && !fromBody.isNull()) {
            return ConversationIds.parse(fromBody.isTextual() ? fromBody.asText() : null, "conversation_id");
        }
        return headerId;
    }

    /**
     * Sets DEFAULT_MODEL when the body names no model, and returns the model the request uses;
     * it becomes the model of a conversation the request creates, so it must be storable.
     */
    public String fillModel(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            body.put("model", upstream.defaultModel());
        }
        String name = body.get("model").asText();
        String problem = StorableText.problem(name);
        if (problem != null) {
            throw ApiException.invalidRequest("invalid_value", "model", "model " + problem);
        }
        return name;
    }
}
