package io.chatrelay.relay;

import java.util.concurrent.Flow;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes a stream of events made by the service (the tool loop's) to the client, one item
 * at a time: the next is asked for once the connection can take it, so a slow client
 * slows the producer instead of filling memory.
 */
final class EventStreamBody implements RelayedBody {

    private static final Logger LOG = Logger.getLogger(EventStreamBody.class);

    private final Multi<Buffer> events;
    private volatile Flow.Subscription subscription;

    EventStreamBody(Multi<Buffer> events) {
        this.events = events;
    }

    @Override
    public Future<Void> writeTo(HttpServerResponse response) {
        Promise<Void> ended = Promise.promise();
        response.setChunked(true);
        events.subscribe().withSubscriber(new MultiSubscriber<Buffer>() {

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onItem(Buffer event) {
                response.write(event);
                if (response.writeQueueFull()) {
                    response.drainHandler(ignored -> subscription.request(1));
                } else {
                    subscription.request(1);
                }
            }

            @Override
            public void onFailure(Throwable failure) {
                // The events already sent cannot be taken back: cut the connection so that the
                // client sees a broken stream rather than a complete one.
                LOG.errorf("A relayed event stream failed after it began (%s)", failure.getClass().getSimpleName());
                response.reset();
                ended.tryComplete();
            }

            @Override
            public void onCompletion() {
                response.end();
                ended.tryComplete();
            }
        });
        return ended.future();
    }

    @Override
    public void clientLeft() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
