package io.chatrelay.sse;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.buffer.Buffer;

/**
 * The few SSE frames the service writes itself; everything else is the provider's bytes.
 * Frames are built per use: a constant Buffer would be frozen into the native image heap,
 * which Vert.x's buffer classes do not allow.
 */
public final class SseFrames {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private SseFrames() {
    }

    public static Buffer done() {
        return Buffer.buffer(DONE);
    }

    /** An SSE comment: ignored by clients, keeps idle-timeout proxies from closing a quiet stream. */
    public static Buffer keepAlive() {
        return Buffer.buffer(KEEP_ALIVE);
    }

    /** The in-band error that ends a stream which broke after it began. */
    public static Buffer error(String message) {
        ObjectNode error = JSON.objectNode();
        error.putObject("error").put("message", message).put("type", "upstream_error").putNull("param")
                .put("code", "upstream_error");
        return data(error);
    }

    /**
     * A {@code chat.completion.chunk} with one delta (or only a finish reason), in the shape
     * of the provider's own chunks so that SDKs parse it.
     */
    public static Buffer chunk(ChunkIdentity identity, JsonNode delta, String finishReason) {
        ObjectNode chunk = JSON.objectNode();
        chunk.put("id", identity.id()).put("object", "chat.completion.chunk").put("created", identity.created())
                .put("model", identity.model());
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0).set("delta", delta == null ? JSON.objectNode() : delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return data(chunk);
    }

    /** The Responses API's own error event, which ends its stream (it has no {@code [DONE]}). */
    public static Buffer responsesError(String message) {
        ObjectNode error = JSON.objectNode();
        error.put("type", "error").put("code", "upstream_error").put("message", message).putNull("param");
        return Buffer.buffer("event: error\n" + "data: " + error + "\n\n");
    }

    private static Buffer data(JsonNode payload) {
        return Buffer.buffer("data: " + payload + "\n\n");
    }

    /** id, created and model of the provider's chunks, echoed in the chunks the service adds. */
    public record ChunkIdentity(String id, long created, String model) {
    }
}
