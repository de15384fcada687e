package io.chatrelay.upstream;

import java.util.concurrent.atomic.AtomicBoolean;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/** The provider's answer: status and headers now, the body when subscribed to. */
public final class UpstreamResponse {

    private final HttpClientRequest request;
    private final HttpClientResponse response;

    UpstreamResponse(HttpClientRequest request, HttpClientResponse response) {
        this.request = request;
        this.response = response;
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.getHeader(name);
    }

    /**
     * The body chunk by chunk, as the provider wrote them. Demand drives the socket: a slow
     * client slows the provider's connection instead of filling memory.
     */
    public Multi<Buffer> body() {
        return io.vertx.mutiny.core.http.HttpClientResponse.newInstance(response).toMulti()
                .map(io.vertx.mutiny.core.buffer.Buffer::getDelegate);
    }

    /**
     * Delivers the body chunk by chunk, as the provider wrote them, on the provider
     * connection's event loop; then {@code ended} once, with null or what broke the stream.
     * The cheapest way through: no stream operator per chunk.
     */
    public void stream(Handler<Buffer> chunks, Handler<Throwable> ended) {
        AtomicBoolean over = new AtomicBoolean();
        response.handler(chunks);
        response.exceptionHandler(failure -> {
            if (over.compareAndSet(false, true)) {
                ended.handle(failure);
            }
        });
        response.endHandler(ignored -> {
            if (over.compareAndSet(false, true)) {
                ended.handle(null);
            }
        });
        response.resume();
    }

    /** Stops reading from the provider until {@link #resume()}: the client is slower than the provider. */
    public void pause() {
        response.pause();
    }

    public void resume() {
        response.resume();
    }

    /** The whole body, for JSON answers. */
    public Uni<Buffer> bodyAsBuffer() {
        return Uni.createFrom().emitter(emitter -> {
            response.body().onSuccess(emitter::complete).onFailure(emitter::fail);
            response.resume();
        });
    }

    /** Closes the provider's connection so that it stops generating at once. */
    public void cancel() {
        request.reset();
    }
}
