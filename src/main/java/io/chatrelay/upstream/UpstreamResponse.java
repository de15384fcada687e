package io.chatrelay.upstream;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/** The provider's answer: status and headers now, the body when subscribed to. */
public final class UpstreamResponse {

    private final HttpClientRequest request;
    private final HttpClientResponse response;
    private final Context context;
    private final UpstreamLimits limits;

    /** {@code context} is the one the provider connection delivers on; the response is paused. */
    UpstreamResponse(HttpClientRequest request, HttpClientResponse response, Context context, UpstreamLimits limits) {
        this.request = request;
        this.response = response;
        this.context = context;
        this.limits = limits;
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.getHeader(name);
    }

    /**
     * The body chunk by chunk, as the provider wrote them. The subscriber's demand is the
     * provider connection's: nothing is read from it beyond what was requested, so a slow
     * client slows the provider instead of filling memory. Cancelling closes the connection.
     * One subscriber only.
     */
    public Multi<Buffer> body() {
        return Multi.createFrom().publisher(new BodyPublisher(request, response, context));
    }

    /** Most bytes one SSE event of this body may hold before its end (MAX_UPSTREAM_EVENT_BYTES). */
    public int maxEventBytes() {
        return limits.maxEventBytes();
    }

    /**
     * The whole body, for JSON answers and error bodies, up to MAX_UPSTREAM_BODY_BYTES. Fails
     * with a 502 {@link io.chatrelay.error.ApiException} when the body is larger (the
     * connection is then closed) or was cut off.
     */
    public Uni<Buffer> bodyAsBuffer() {
        return WholeBody.read(request, response, limits.maxBodyBytes());
    }

    /** Closes the provider's connection so that it stops generating at once. */
    public void cancel() {
        request.reset();
    }
}
