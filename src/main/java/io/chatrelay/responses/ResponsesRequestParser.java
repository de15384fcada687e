package io.chatrelay.responses;

import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.conversation.StorableText;
import io.chatrelay.error.ApiException;
import io.chatrelay.relay.RequestBodyReader;
import io.chatrelay.turn.ExchangeRequest;

/**
 * Reads and checks a Responses API body before anything is stored or sent upstream. The
 * provider receives the client's body minus {@code conversation_id}, with
 * {@code previous_response_id} taken from the header when the body has none.
 */
@ApplicationScoped
public class ResponsesRequestParser {

    public static final String PREVIOUS_RESPONSE_HEADER = "X-Previous-Response-Id";
    /**
     * A response id is forwarded to the provider: visible ASCII only, so that no control
     * character (a tab, CR, LF) travels on from a header or the body. Providers' ids are short
     * ASCII tokens ({@code resp_...}).
     */
    private static final Pattern RESPONSE_ID = Pattern.compile("[\\x21-\\x7E]{1,256}");

    private final RequestBodyReader bodies;

    ResponsesRequestParser(RequestBodyReader bodies) {
        this.bodies = bodies;
    }

    public ExchangeRequest parse(byte[] raw, String conversationHeader, String previousResponseHeader) {
        ObjectNode body = bodies.readObject(raw);
        JsonNode userContent = checkInput(body.get("input"));
        RequestBodyReader.checkEnum(body.get("reasoning"), "effort", "reasoning.effort",
                RequestBodyReader.REASONING_EFFORTS);
        RequestBodyReader.checkEnum(body.get("text"), "verbosity", "text.verbosity", RequestBodyReader.VERBOSITIES);
        UUID conversationId = RequestBodyReader.takeConversationId(body, conversationHeader);
        takePreviousResponseId(body, previousResponseHeader);
        String model = bodies.fillModel(body);
        boolean stream = body.path("stream").asBoolean(false);
        return new ExchangeRequest(body, stream, conversationId, userContent, model);
    }

    /**
     * Checks {@code previous_response_id} and, when the body has none, sets it from the header
     * (the body wins: the header is a convenience for clients that cannot change the body). An
     * empty header counts as absent; a malformed id in either is a 400, also in the one not used.
     */
    private static void takePreviousResponseId(ObjectNode body, String fromHeader) {
        boolean headerGiven = fromHeader != null && !fromHeader.isEmpty();
        if (headerGiven) {
            checkResponseId(fromHeader);
        }
        JsonNode previous = body.get("previous_response_id");
        if (previous != null && !previous.isNull()) {
            checkResponseId(previous.isTextual() ? previous.textValue() : null);
        } else if (headerGiven) {
            body.put("previous_response_id", fromHeader);
        }
    }

    private static void checkResponseId(String id) {
        if (id == null || !RESPONSE_ID.matcher(id).matches()) {
            throw ApiException.invalidRequest("invalid_value", "previous_response_id",
                    "previous_response_id must be 1-256 visible ASCII characters (no spaces or control characters)");
        }
    }

    /**
     * Checks {@code input} and returns what to store as the user message: the input when it
     * is text, else the content of its last {@code user} item (null when there is none).
     */
    private static JsonNode checkInput(JsonNode input) {
        if (input != null && input.isTextual()) {
            return storable(input);
        }
        if (input == null || !input.isArray() || input.isEmpty()) {
            throw ApiException.invalidRequest("invalid_input", "input",
                    "input must be a string or a non-empty array of input items");
        }
        JsonNode lastUser = null;
        for (JsonNode item : input) {
            // Other items (function_call_output, item_reference, ...) are the provider's to judge.
            if (item.isObject() && "user".equals(item.path("role").asText(null))) {
                lastUser = item.get("content");
            }
        }
        return storable(lastUser);
    }

    /** The turn's user message is stored as sent: refused now rather than failing in the store. */
    private static JsonNode storable(JsonNode userContent) {
        String problem = StorableText.problem(userContent);
        if (problem != null) {
            throw ApiException.invalidRequest("invalid_input", "input", "the stored user input " + problem);
        }
        return userContent;
    }
}
