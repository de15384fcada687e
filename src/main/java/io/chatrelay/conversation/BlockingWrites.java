package io.chatrelay.conversation;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.chatrelay.error.ApiException;
import io.chatrelay.error.Causes;
import io.chatrelay.metrics.RelayMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs facade calls on a worker thread, away from the event loop. Writes at the end of a
 * stream wait a bounded time: a slow or failed write is logged with the conversation id,
 * counted, and never breaks or stalls the client's stream.
 */
@ApplicationScoped
public class BlockingWrites {

    private static final Logger LOG = Logger.getLogger(BlockingWrites.class);

    private final PersistenceConfig config;
    private final RelayMetrics metrics;

    BlockingWrites(PersistenceConfig config, RelayMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Runs a blocking call on a worker; its failure (e.g. a 404 or 429) reaches the caller.
     * Called from an event loop, the outcome comes back on that event loop: the request's
     * connection lives there, so what follows (the provider call, the client's writes) needs
     * no further hop between threads. A call that has not answered within DB_TIMEOUT fails
     * with 503 {@code persistence_unavailable}: a hung database never stalls the request.
     */
    public <T> Uni<T> call(Supplier<T> blocking) {
        return bounded(unbounded(blocking));
    }

    private <T> Uni<T> unbounded(Supplier<T> blocking) {
        return Uni.createFrom().emitter(emitter -> {
            Context caller = Vertx.currentContext();
            if (caller == null || !caller.isEventLoopContext()) {
                Infrastructure.getDefaultWorkerPool().execute(() -> {
                    try {
                        emitter.complete(blocking.get());
                    } catch (RuntimeException e) {
                        emitter.fail(e);
                    }
                });
                return;
            }
            caller.executeBlocking(blocking::get, false).onComplete(result -> {
                if (result.succeeded()) {
                    emitter.complete(result.result());
                } else {
                    emitter.fail(result.cause());
                }
            });
        });
    }

    /**
     * As {@link #call}, for a read that a request waits on before the provider is called: a
     * backend that has not answered within DB_TIMEOUT fails it with 503
     * {@code persistence_unavailable}, whatever the pool's own bounds leave open (a database
     * that hangs without closing its connections).
     */
    public <T> Uni<T> read(Supplier<T> blocking) {
        return call(blocking);
    }

    /**
     * Waits for a write that completes on its own (see {@link TranscriptStore#openTurn}), at most
     * DB_TIMEOUT, then fails with 503 {@code persistence_unavailable}. As with {@link #call}, the
     * outcome comes back on the caller's event loop.
     */
    public <T> Uni<T> await(Supplier<CompletionStage<T>> write) {
        return bounded(Uni.createFrom().emitter(emitter -> {
            Context caller = Vertx.currentContext();
            CompletionStage<T> stage;
            try {
                stage = write.get();
            } catch (RuntimeException e) {
                emitter.fail(e);
                return;
            }
            stage.whenComplete((value, failure) -> {
                Runnable deliver = () -> {
                    if (failure == null) {
                        emitter.complete(value);
                    } else {
                        emitter.fail(failure instanceof CompletionException wrapped && wrapped.getCause() != null
                                ? wrapped.getCause()
                                : failure);
                    }
                };
                if (caller != null && caller.isEventLoopContext()) {
                    caller.runOnContext(ignored -> deliver.run());
                } else {
                    deliver.run();
                }
            });
        }));
    }

    private <T> Uni<T> bounded(Uni<T> wait) {
        return wait.ifNoItem().after(config.dbTimeout()).failWith(ApiException::persistenceUnavailable);
    }

    /**
     * Runs a blocking write that must not fail the exchange: completes when it is committed,
     * when it failed, or when the bounded wait ran out, whichever comes first.
     */
    public Uni<Void> bestEffort(String operation, UUID conversationId, Runnable write) {
        return bounded(operation, conversationId, () -> call(() -> {
            write.run();
            return null;
        }));
    }

    private Uni<Void> bounded(String operation, UUID conversationId, Supplier<Uni<Void>> write) {
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            return write.get()
                    .invoke(() -> metrics.writeCommitted(operation, Duration.ofNanos(System.nanoTime() - started)))
                    .ifNoItem().after(config.finalWriteTimeout()).failWith(WriteTimedOut::new)
                    .onFailure().recoverWithItem(failure -> {
                        LOG.errorf("Could not persist %s of conversation %s (%s); the client's exchange goes on",
                                operation, conversationId, describe(failure));
                        metrics.persistenceFailed(operation);
                        return null;
                    });
        });
    }

    private static String describe(Throwable failure) {
        // The exception text may quote SQL or content: name its type only.
        if (failure instanceof WriteTimedOut) {
            return "no commit within the final-write timeout";
        }
        return Causes.describe(failure);
    }

    private static final class WriteTimedOut extends RuntimeException {
        WriteTimedOut() {
            super(null, null, false, false);
        }
    }
}
