package io.chatrelay.relay;

import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes the relaying resources' entities: a {@code Multi<Buffer>} (a relayed stream) to the
 * client's connection, each buffer as it comes, chunked; a {@code Buffer} (an answer known
 * whole) at once, with its Content-Length, as the provider's bytes whatever its media type
 * (RESTEasy would pick its JSON writer for a JSON media type and encode the buffer object). RESTEasy's own streaming writes
 * item by item through its entity writers, copying each buffer into a byte array and
 * waiting for each write before asking for the next: that cost more CPU than the relaying
 * itself (docs/BENCHMARKS.md, change 4). Here demand is requested in batches and refilled
 * while the connection keeps up; when it is full, nothing more is requested until it
 * drains, so a slow client slows the provider. Status and headers are the entity's
 * {@code RestResponse}'s, which RESTEasy writes before the first byte, whichever API writes it.
 */
@Provider
@Produces(MediaType.WILDCARD)
// Declared for Object: the resources return RestResponse<?>, whose entity is one or the other.
public class RelayedBodyWriter implements ServerMessageBodyWriter<Object> {

    /**
     * The current request (a request-scoped proxy): its Vert.x response takes the provider's
     * buffers as they are. RESTEasy's own response API takes byte arrays, which cost two
     * copies and an allocation per chunk (docs/BENCHMARKS.md, change 12).
     */
    private final HttpServerRequest request;

    RelayedBodyWriter(HttpServerRequest request) {
        this.request = request;
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target,
            MediaType mediaType) {
        return isRelayed(type);
    }

    private static boolean isRelayed(Class<?> type) {
        return Multi.class.isAssignableFrom(type) || Buffer.class.isAssignableFrom(type);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void writeResponse(Object body, Type genericType, ServerRequestContext context) {
        HttpServerResponse response = request.response();
        if (body instanceof Buffer whole) {
            response.end(whole);
            return;
        }
        response.setChunked(true);
        BatchedWrites writes = new BatchedWrites(response);
        context.serverResponse().addCloseHandler(writes::clientLeft);
        ((Multi<Buffer>) body).subscribe().withSubscriber(writes);
        // A client that left before its close handler was added (between the provider's head and
        // this write) is never reported to it: without this the provider would go on generating.
        if (response.closed()) {
            writes.clientLeft();
        }
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return isRelayed(type);
    }

    @Override
    public void writeTo(Object body, Class<?> type, Type genericType, Annotation[] annotations,
            MediaType mediaType, MultivaluedMap<String, Object> headers, OutputStream out) {
        throw new UnsupportedOperationException("A relayed body is written to the HTTP response only");
    }

    /** Subscribes to one stream and writes it; one instance per response. */
    static final class BatchedWrites implements MultiSubscriber<Buffer> {

        private static final Logger LOG = Logger.getLogger(RelayedBodyWriter.class);
        /** Items asked for at once; more are asked for when half of them have arrived. */
        static final int BATCH = 16;

        private final HttpServerResponse response;
        private volatile Flow.Subscription subscription;
        /** The client left, maybe before the stream was subscribed to. */
        private volatile boolean left;
        /** Asked for and not yet arrived. Items and drain events may come on different event loops. */
        private final AtomicInteger outstanding = new AtomicInteger();

        BatchedWrites(HttpServerResponse response) {
            this.response = response;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (left) {
                s.cancel();
                return;
            }
            outstanding.set(BATCH);
            s.request(BATCH);
        }

        @Override
        public void onItem(Buffer item) {
            int left = outstanding.decrementAndGet();
            if (item.length() > 0) {
                response.write(item);
            }
            if (response.writeQueueFull()) {
                response.drainHandler(ignored -> refill());
            } else if (left <= BATCH / 2) {
                refill();
            }
        }

        private void refill() {
            int more = BATCH - outstanding.getAndSet(BATCH);
            if (more > 0) {
                subscription.request(more);
            }
        }

        @Override
        public void onFailure(Throwable failure) {
            // What was sent cannot be taken back: cut the connection, so that the client sees a
            // broken stream rather than a complete one.
            LOG.errorf("A relayed stream failed after it began (%s)", failure.getClass().getSimpleName());
            response.reset();
        }

        @Override
        public void onCompletion() {
            response.end();
        }

        /** The client's connection closed: the stream's producers stop at once. */
        void clientLeft() {
            left = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
