package io.chatrelay.relay;

import io.smallrye.mutiny.Multi;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * A response body that the service writes straight to the client's connection. The
 * provider's buffers go out as they arrived, without a per-item trip through RESTEasy's
 * entity writers, which the benchmark's profile showed costing more than the relaying
 * itself (docs/BENCHMARKS.md).
 */
public interface RelayedBody {

    /**
     * Writes the body and ends the response; status and headers are already set. Called
     * once, on the request's event loop.
     *
     * @return completes once the response has ended or the client has gone; never fails
     */
    Future<Void> writeTo(HttpServerResponse response);

    /** The client's connection closed before the body ended. */
    default void clientLeft() {
    }

    /** A body known whole: sent with its Content-Length. */
    static RelayedBody whole(Buffer bytes) {
        return response -> response.end(bytes).otherwiseEmpty();
    }

    /** A body made by the service as a stream of events (the tool loop). */
    static RelayedBody events(Multi<Buffer> events) {
        return new EventStreamBody(events);
    }
}
