package io.chatrelay.json;

import java.io.IOException;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.error.ApiException;
import io.chatrelay.error.Causes;

/**
 * Reads the JSON bodies clients send, for every endpoint that takes one, so that each is held
 * to the same rules: UTF-8 only (400 {@code invalid_utf8}), one JSON value and nothing after
 * it, and a parser with stated bounds (400 {@code invalid_json}), so that no body can make the
 * parser nest, allocate or compute without bound. The body's size is bounded before it is
 * read (MAX_BODY_BYTES). Numbers keep their exact decimal form and unknown fields are kept, so
 * that a body relayed to the provider is the client's.
 */
@ApplicationScoped
public class RequestJson {

    /** Arrays and objects inside one another; Jackson's own default, stated here because the API documents it. */
    public static final int MAX_NESTING_DEPTH = 1000;
    /** Characters of one number as written (digits, sign, point, exponent); Jackson's default. */
    public static final int MAX_NUMBER_LENGTH = 1000;
    /** Characters of one field name; Jackson's default. */
    public static final int MAX_NAME_LENGTH = 50_000;
    /**
     * Tokens of one body: every value, field name and bracket counts one. A parsed tree takes
     * up to about 50 bytes a token ({@code [{},{},...]}): without this bound a 5 MiB body could
     * become a tree of 150 MB. Large real requests (long histories, many tools) stay far below.
     */
    public static final int MAX_TOKEN_COUNT = 100_000;

    private final ObjectMapper json;

    RequestJson(ObjectMapper mapper) {
        ObjectMapper reader = mapper.copy()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
        // copy() copied the factory too: the shared mapper keeps its own settings.
        reader.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxTokenCount(MAX_TOKEN_COUNT)
                .build());
        this.json = reader;
    }

    /** The body as a JSON object; an empty body or any other value is a 400 {@code invalid_json}. */
    public ObjectNode object(byte[] raw) {
        JsonNode node = raw == null || raw.length == 0 ? null : parse(raw);
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw ApiException.invalidRequest("invalid_json", null, "The request body must be a JSON object");
    }

    /** As {@link #object}, for endpoints whose fields are all optional: an empty body is an empty object. */
    public ObjectNode optionalObject(byte[] raw) {
        return raw == null || raw.length == 0 ? json.createObjectNode() : object(raw);
    }

    private JsonNode parse(byte[] raw) {
        if (!Utf8.isJsonText(raw)) {
            throw ApiException.invalidRequest("invalid_utf8", null,
                    "The request body is not valid UTF-8; JSON must be sent in UTF-8");
        }
        try {
            return json.readTree(raw);
        } catch (IOException e) {
            if (Causes.has(e, StreamConstraintsException.class)) {
                throw ApiException.invalidRequest("invalid_json", null, "The request body exceeds the JSON limits"
                        + " of this service: at most " + MAX_NESTING_DEPTH + " levels of nesting, "
                        + MAX_TOKEN_COUNT + " tokens, numbers of " + MAX_NUMBER_LENGTH + " characters and field names"
                        + " of " + MAX_NAME_LENGTH + " characters");
            }
            throw ApiException.invalidRequest("invalid_json", null, "The request body is not valid JSON");
        }
    }
}
