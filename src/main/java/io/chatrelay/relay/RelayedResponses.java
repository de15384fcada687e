package io.chatrelay.relay;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jboss.resteasy.reactive.RestResponse;

import io.chatrelay.turn.TurnOpener.OpenedTurn;
import io.chatrelay.upstream.UpstreamResponse;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/**
 * The responses the relaying resources return: the provider's status and chosen headers,
 * with its body whole (sent with its Content-Length) or as a
 * stream (sent by {@link RelayedBodyWriter}).
 */
public final class RelayedResponses {

    /** Provider headers worth passing on: request ids help users when they report a problem. */
    private static final List<String> RELAYED_HEADERS = List.of("x-request-id", "openai-processing-ms",
            "openai-version");

    private RelayedResponses() {
    }

    public static RestResponse<?> whole(int status, Map<String, List<String>> headers, Buffer body) {
        return build(status, headers, body);
    }

    public static RestResponse<?> streamed(int status, Map<String, List<String>> headers, Multi<Buffer> body) {
        headers.put("Cache-Control", List.of("no-cache"));
        // Tells nginx-style proxies in front of us not to buffer the stream.
        headers.put("X-Accel-Buffering", List.of("no"));
        return build(status, headers, body);
    }

    private static RestResponse<?> build(int status, Map<String, List<String>> headers, Object body) {
        RestResponse.ResponseBuilder<Object> response = RestResponse.ResponseBuilder.create(status).entity(body);
        headers.forEach((name, values) -> values.forEach(value -> response.header(name, value)));
        return response.build();
    }

    /** The provider's headers a client gets: its content type and its request ids. A mutable map. */
    public static Map<String, List<String>> providerHeaders(UpstreamResponse answer) {
        Map<String, List<String>> headers = new HashMap<>();
        String contentType = answer.header("Content-Type");
        if (contentType != null) {
            headers.put("Content-Type", List.of(contentType));
        }
        for (String name : RELAYED_HEADERS) {
            String value = answer.header(name);
            if (value != null) {
                headers.put(name, List.of(value));
            }
        }
        return headers;
    }

    /** The provider's headers plus the conversation the turn is stored in, if any. A mutable map. */
    static Map<String, List<String>> relayedHeaders(UpstreamResponse answer, OpenedTurn turn) {
        Map<String, List<String>> headers = providerHeaders(answer);
        if (turn.conversationId() != null) {
            headers.put(RequestBodyReader.CONVERSATION_HEADER, List.of(turn.conversationId().toString()));
        }
        return headers;
    }
}
