package io.chatrelay.relay;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.chatrelay.sse.SseFrames;

/**
 * The parts of one {@code chat.completion.chunk} that the answer's fold uses, read from the
 * event's JSON as a stream of tokens. A chunk is read for every event of every stream, and
 * building a tree of it (a map per object, a node per value) was the largest allocation of
 * the relay (docs/BENCHMARKS.md, change 14): only the rare parts that are stored as they are
 * ({@code usage}, {@code error}, tool-call fragments) become trees. Values are read as the
 * tree's accessors would read them, so the fold is the same as before.
 *
 * @param identity id, created and model, or null when the chunk has no id
 * @param usage the {@code usage} object, or null
 * @param errorMessage the message of a non-null {@code error}, or null when there is none
 * @param choice the first choice whose index is 0, or null
 */
record ChatChunk(SseFrames.ChunkIdentity identity, JsonNode usage, String errorMessage, Choice choice) {

    /**
     * What the first choice carries.
     *
     * @param content {@code delta.content} when it is a string, else null
     * @param toolCalls {@code delta.tool_calls} when it is an array, else null
     * @param finishReason {@code finish_reason} when it is a string, else null
     */
    record Choice(String content, JsonNode toolCalls, String finishReason) {

        private static final Choice EMPTY = new Choice(null, null, null);
    }

    private static final ObjectMapper TREES = new ObjectMapper();

    /**
     * Reads a chunk whole, or not at all.
     *
     * @return the chunk, or null when the JSON is not an object
     * @throws IOException when it is not whole JSON
     */
    static ChatChunk read(String json) throws IOException {
        try (JsonParser parser = TREES.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String id = null;
            long created = 0;
            String model = "";
            JsonNode usage = null;
            String errorMessage = null;
            Choice choice = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "id" -> id = value == JsonToken.VALUE_NULL ? null : text(parser, "");
                    case "created" -> created = asLong(parser);
                    case "model" -> model = value == JsonToken.VALUE_NULL ? "" : text(parser, "");
                    case "usage" -> usage = value == JsonToken.START_OBJECT ? parser.readValueAsTree() : skip(parser);
                    case "error" -> errorMessage = value == JsonToken.VALUE_NULL ? null
                            : ((JsonNode) parser.readValueAsTree()).path("message").asText("error");
                    case "choices" -> choice = value == JsonToken.START_ARRAY ? firstChoice(parser) : skip(parser);
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                throw new IOException("not a whole JSON object");
            }
            SseFrames.ChunkIdentity identity = id == null ? null : new SseFrames.ChunkIdentity(id, created, model);
            return new ChatChunk(identity, usage, errorMessage, choice);
        }
    }

    /** The first element whose index is 0 (an element without one counts as 0); the parser ends on the array's end. */
    private static Choice firstChoice(JsonParser parser) throws IOException {
        Choice first = null;
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (element == null) {
                throw new IOException("unexpected end of input");
            }
            if (element != JsonToken.START_OBJECT) {
                parser.skipChildren();
                first = first == null ? Choice.EMPTY : first; // its index reads as 0, as in a tree
                continue;
            }
            int index = 0;
            String content = null;
            JsonNode toolCalls = null;
            String finishReason = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "index" -> index = asInt(parser);
                    case "finish_reason" -> finishReason = value == JsonToken.VALUE_STRING ? parser.getText() : skip(parser);
                    case "delta" -> {
                        if (value != JsonToken.START_OBJECT) {
                            parser.skipChildren();
                            content = null;
                            toolCalls = null;
                            break;
                        }
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String deltaField = parser.currentName();
                            JsonToken deltaValue = parser.nextToken();
                            if (deltaField.equals("content")) {
                                content = deltaValue == JsonToken.VALUE_STRING ? parser.getText() : skip(parser);
                            } else if (deltaField.equals("tool_calls")) {
                                toolCalls = deltaValue == JsonToken.START_ARRAY ? parser.readValueAsTree() : skip(parser);
                            } else {
                                parser.skipChildren();
                            }
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (first == null && index == 0) {
                first = new Choice(content, toolCalls, finishReason);
            }
        }
        return first;
    }

    /** As a tree's {@code asText(defaultValue)}: scalars as their text, objects and arrays as the default. */
    private static String text(JsonParser parser, String containerText) throws IOException {
        if (parser.currentToken().isStructStart()) {
            parser.skipChildren();
            return containerText;
        }
        return parser.getText();
    }

    /** As a tree's {@code asLong()}: numbers truncated, numeric strings parsed, anything else 0. */
    private static long asLong(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue().longValue();
            case VALUE_STRING -> NumberInput.parseAsLong(parser.getText(), 0);
            case VALUE_TRUE -> 1;
            default -> {
                parser.skipChildren();
                yield 0;
            }
        };
    }

    /** As a tree's {@code asInt(0)}. */
    private static int asInt(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue().intValue();
            case VALUE_STRING -> NumberInput.parseAsInt(parser.getText(), 0);
            case VALUE_TRUE -> 1;
            default -> {
                parser.skipChildren();
                yield 0;
            }
        };
    }

    /** Skips the current value (with its children) and reads it as absent. */
    private static <T> T skip(JsonParser parser) throws IOException {
        parser.skipChildren();
        return null;
    }
}
