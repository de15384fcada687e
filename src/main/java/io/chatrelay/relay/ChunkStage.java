package io.chatrelay.relay;

import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.Subscriptions;
import io.smallrye.mutiny.operators.multi.AbstractMultiOperator;
import io.smallrye.mutiny.operators.multi.MultiOperatorProcessor;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.vertx.core.buffer.Buffer;

/**
 * A per-chunk stage of a relayed stream, as a Mutiny operator of its own: its function is
 * called directly for each chunk. A function given to Mutiny's operators ({@code map},
 * {@code invoke}) is wrapped, when the operator is assembled, in the thread context of that
 * moment, and with Quarkus' context propagation every call then captures and restores the
 * CDI, transaction and tracing contexts: for every chunk of every stream, which the profile
 * showed (docs/BENCHMARKS.md, changes 3 and 12). Nothing a chunk passes through needs them.
 */
final class ChunkStage extends AbstractMultiOperator<Buffer, Buffer> {

    private final UnaryOperator<Buffer> function;
    /** Takes what broke the stream, which then ends normally; null passes failures on. */
    private final Consumer<Throwable> broken;

    private ChunkStage(Multi<Buffer> upstream, UnaryOperator<Buffer> function, Consumer<Throwable> broken) {
        super(upstream);
        this.function = function;
        this.broken = broken;
    }

    /** Each chunk replaced by what {@code function} makes of it. */
    static Multi<Buffer> map(Multi<Buffer> chunks, UnaryOperator<Buffer> function) {
        return new ChunkStage(chunks, function, null);
    }

    /**
     * As {@link #map}, but a failure (of the chunks, or of the function) goes to
     * {@code broken} and the stream completes instead, so that what follows it can still
     * store the turn and tell the client in-band.
     */
    static Multi<Buffer> mapUntilBroken(Multi<Buffer> chunks, UnaryOperator<Buffer> function,
            Consumer<Throwable> broken) {
        return new ChunkStage(chunks, function, broken);
    }

    @Override
    public void subscribe(MultiSubscriber<? super Buffer> downstream) {
        upstream.subscribe().withSubscriber(new MultiOperatorProcessor<Buffer, Buffer>(downstream) {

            @Override
            public void onItem(Buffer chunk) {
                if (isDone()) {
                    return;
                }
                Buffer out;
                try {
                    out = function.apply(chunk);
                } catch (RuntimeException e) {
                    Flow.Subscription subscription = getAndSetUpstreamSubscription(Subscriptions.CANCELLED);
                    if (subscription != Subscriptions.CANCELLED) {
                        subscription.cancel();
                        end(e);
                    }
                    return;
                }
                downstream.onItem(out);
            }

            @Override
            public void onFailure(Throwable failure) {
                if (getAndSetUpstreamSubscription(Subscriptions.CANCELLED) != Subscriptions.CANCELLED) {
                    end(failure);
                }
            }

            private void end(Throwable failure) {
                if (broken == null) {
                    downstream.onFailure(failure);
                } else {
                    broken.accept(failure);
                    downstream.onCompletion();
                }
            }
        });
    }
}
