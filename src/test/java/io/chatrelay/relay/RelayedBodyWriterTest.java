package io.chatrelay.relay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.resteasy.reactive.server.spi.ServerHttpResponse;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/**
 * The writer against a response whose connection state the test sets: a client that left
 * before the stream was handed to the writer must still stop the stream's producers.
 */
class RelayedBodyWriterTest {

    @Test
    void streamIsCancelledWhenTheClientLeftBeforeTheWriterSubscribed() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Multi<Buffer> neverEnding = Multi.createFrom().<Buffer> nothing().onCancellation().invoke(() -> cancelled.set(true));

        new RelayedBodyWriter().writeResponse(neverEnding, null, contextOf(response(true, new AtomicReference<>())));

        assertTrue(cancelled.get(), "the provider's stream must be cancelled: its close handler never runs");
    }

    @Test
    void streamGoesOnWhileTheClientIsConnectedAndStopsWhenItLeaves() {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<Runnable> closeHandler = new AtomicReference<>();
        Multi<Buffer> neverEnding = Multi.createFrom().<Buffer> nothing().onCancellation().invoke(() -> cancelled.set(true));

        new RelayedBodyWriter().writeResponse(neverEnding, null, contextOf(response(false, closeHandler)));
        assertFalse(cancelled.get());

        closeHandler.get().run();
        assertTrue(cancelled.get());
    }

    private static ServerRequestContext contextOf(ServerHttpResponse response) {
        return (ServerRequestContext) Proxy.newProxyInstance(RelayedBodyWriterTest.class.getClassLoader(),
                new Class<?>[] { ServerRequestContext.class }, (proxy, method, args) -> {
                    if (method.getName().equals("serverResponse")) {
                        return response;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A response that is {@code closed} or not, and keeps the close handler it is given. */
    private static ServerHttpResponse response(boolean closed, AtomicReference<Runnable> closeHandler) {
        return (ServerHttpResponse) Proxy.newProxyInstance(RelayedBodyWriterTest.class.getClassLoader(),
                new Class<?>[] { ServerHttpResponse.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "setChunked" -> proxy;
                    case "addCloseHandler" -> {
                        closeHandler.set((Runnable) args[0]);
                        yield proxy;
                    }
                    case "closed" -> closed;
                    case "isWriteQueueFull" -> false;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
