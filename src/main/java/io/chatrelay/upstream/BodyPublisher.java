package io.chatrelay.upstream;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * The provider's response body as a Reactive Streams publisher: demand is passed on as
 * {@code fetch(n)} to the paused Vert.x response, so the provider's socket is read only as
 * fast as the subscriber asks. Chunks arrive on the provider connection's event loop, in
 * order; exactly one of completion or failure ends them.
 */
final class BodyPublisher implements Flow.Publisher<Buffer> {

    private final HttpClientRequest request;
    private final HttpClientResponse response;
    private final Context context;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    BodyPublisher(HttpClientRequest request, HttpClientResponse response, Context context) {
        this.request = request;
        this.response = response;
        this.context = context;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Buffer> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IllegalStateException("The provider's body can be read once"));
            return;
        }
        AtomicBoolean over = new AtomicBoolean();
        response.handler(subscriber::onNext);
        response.exceptionHandler(failure -> {
            if (over.compareAndSet(false, true)) {
                subscriber.onError(failure);
            }
        });
        response.endHandler(ignored -> {
            if (over.compareAndSet(false, true)) {
                subscriber.onComplete();
            }
        });
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    cancel();
                    if (over.compareAndSet(false, true)) {
                        subscriber.onError(new IllegalArgumentException("Demand must be positive (§3.9)"));
                    }
                } else if (context == Vertx.currentContext()) {
                    response.fetch(n);
                } else {
                    context.runOnContext(ignored -> response.fetch(n));
                }
            }

            @Override
            public void cancel() {
                // Closing the connection is what stops the provider generating (and billing) tokens.
                if (over.compareAndSet(false, true)) {
                    request.reset();
                }
            }
        });
    }
}
