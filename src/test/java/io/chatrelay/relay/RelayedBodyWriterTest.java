package io.chatrelay.relay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.resteasy.reactive.server.spi.ServerHttpResponse;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The writer against a response whose connection state the test sets: a client that left
 * before the stream was handed to the writer must still stop the stream's producers.
 */
class RelayedBodyWriterTest {

    @Test
    void streamIsCancelledWhenTheClientLeftBeforeTheWriterSubscribed() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Multi<Buffer> neverEnding = Multi.createFrom().<Buffer> nothing()
                .onCancellation().invoke(() -> cancelled.set(true));

        writerFor(vertxResponse(true)).writeResponse(neverEnding, null, contextOf(new AtomicReference<>()));

        assertTrue(cancelled.get(), "the provider's stream must be cancelled: its close handler never runs");
    }

    @Test
    void streamGoesOnWhileTheClientIsConnectedAndStopsWhenItLeaves() {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<Runnable> closeHandler = new AtomicReference<>();
        Multi<Buffer> neverEnding = Multi.createFrom().<Buffer> nothing()
                .onCancellation().invoke(() -> cancelled.set(true));

        writerFor(vertxResponse(false)).writeResponse(neverEnding, null, contextOf(closeHandler));
        assertFalse(cancelled.get());

        closeHandler.get().run();
        assertTrue(cancelled.get());
    }

    private static RelayedBodyWriter writerFor(HttpServerResponse response) {
        return new RelayedBodyWriter(proxy(HttpServerRequest.class, (proxy, method, args) -> {
            if (method.getName().equals("response")) {
                return response;
            }
            throw new UnsupportedOperationException(method.getName());
        }));
    }

    /** RESTEasy's side of the response: it keeps the close handler it is given. */
    private static ServerRequestContext contextOf(AtomicReference<Runnable> closeHandler) {
        ServerHttpResponse server = proxy(ServerHttpResponse.class, (proxy, method, args) -> {
            if (method.getName().equals("addCloseHandler")) {
                closeHandler.set((Runnable) args[0]);
                return proxy;
            }
            throw new UnsupportedOperationException(method.getName());
        });
        return proxy(ServerRequestContext.class, (proxy, method, args) -> {
            if (method.getName().equals("serverResponse")) {
                return server;
            }
            throw new UnsupportedOperationException(method.getName());
        });
    }

    /** The Vert.x response, whose connection is {@code closed} or not. */
    private static HttpServerResponse vertxResponse(boolean closed) {
        return proxy(HttpServerResponse.class, (proxy, method, args) -> switch (method.getName()) {
            case "setChunked" -> proxy;
            case "closed" -> closed;
            case "writeQueueFull" -> false;
            default -> throw new UnsupportedOperationException(method.getName());
        });
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(RelayedBodyWriterTest.class.getClassLoader(), new Class<?>[] { type },
                handler));
    }
}
