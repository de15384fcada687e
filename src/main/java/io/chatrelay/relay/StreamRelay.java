package io.chatrelay.relay;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.metrics.RelayMetrics;
import io.chatrelay.sse.SseEvent;
import io.chatrelay.sse.SseEventSplitter;
import io.chatrelay.turn.AnswerFolder;
import io.chatrelay.turn.TurnRecorder;
import io.chatrelay.upstream.UpstreamResponse;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Forwards one streamed exchange: every provider event goes to the client as its exact
 * bytes, in order, as soon as it is complete, while a copy is folded into the turn's
 * answer. The event that ends the stream ({@code data: [DONE]}, or the Responses API's
 * {@code response.completed}) is held back until the assistant message is committed, so a
 * client that reads the conversation after it sees the message. A stream that breaks
 * after it began ends with an in-band error in the protocol's format. One instance per
 * request.
 *
 * <p>This is the hot path of the service, so it is a plain Vert.x pump: the provider's
 * chunks are written to the client's response from the provider connection's handler,
 * the provider is paused while the client's connection is full, and no stream operator or
 * per-event object stands between the two sockets but the event splitter.
 */
public final class StreamRelay implements RelayedBody {

    private static final Logger LOG = Logger.getLogger(StreamRelay.class);
    public static final String BROKEN_STREAM = "The upstream stream ended unexpectedly";

    private final UpstreamResponse upstream;
    private final TurnRecorder recorder;
    private final AnswerFolder answer;
    private final Protocol protocol;
    private final RelayMetrics metrics;
    private final SseEventSplitter splitter = new SseEventSplitter();
    private final Promise<Void> ended = Promise.promise();
    /** Claimed once, by the end of the provider's stream or by the client leaving. */
    private final AtomicBoolean outcomeClaimed = new AtomicBoolean();
    private HttpServerResponse client;
    private Buffer heldEnd;

    StreamRelay(UpstreamResponse upstream, TurnRecorder recorder, Protocol protocol, RelayMetrics metrics) {
        this.upstream = upstream;
        this.recorder = recorder;
        this.protocol = protocol;
        this.answer = protocol.newFolder();
        this.metrics = metrics;
    }

    @Override
    public Future<Void> writeTo(HttpServerResponse response) {
        client = response.setChunked(true);
        metrics.streamOpened();
        recorder.onShutdown(upstream::cancel);
        upstream.stream(this::relay, this::upstreamEnded);
        return ended.future();
    }

    /** A chunk from the provider: its complete events go out now, the rest waits for the next chunk. */
    private void relay(Buffer chunk) {
        boolean startsClean = splitter.isEmpty();
        List<SseEvent> events = splitter.accept(chunk);
        boolean wholeEvents = startsClean && splitter.isEmpty() && !events.isEmpty();
        for (SseEvent event : events) {
            wholeEvents &= fold(event);
        }
        if (wholeEvents) {
            client.write(chunk); // the chunk is exactly its events: one write, whatever their number
        } else {
            for (SseEvent event : events) {
                if (event.raw() != heldEnd) {
                    client.write(event.raw());
                }
            }
        }
        if (client.writeQueueFull()) {
            upstream.pause();
            client.drainHandler(ignored -> upstream.resume());
        }
    }

    /** Folds an event into the turn and says whether it goes to the client now. */
    private boolean fold(SseEvent event) {
        answer.acceptEvent(event);
        recorder.progressed(answer);
        if (answer.endsStream(event)) {
            heldEnd = event.raw();
            return false;
        }
        return true;
    }

    /** The provider's stream is over (failure is null when it ended normally). */
    private void upstreamEnded(Throwable failure) {
        if (failure == null) {
            for (SseEvent event : splitter.finish()) {
                if (fold(event)) {
                    client.write(event.raw());
                }
            }
        }
        if (!outcomeClaimed.compareAndSet(false, true)) {
            return; // the client left first: the turn is stored as aborted
        }
        finish(failure).subscribe().with(tail -> {
            for (Buffer frame : tail) {
                client.write(frame);
            }
            client.end();
            closed();
        }, ignored -> closed());
    }

    /** Stores the message, then gives what ends the stream for the client. */
    private Uni<List<Buffer>> finish(Throwable failure) {
        if (failure != null) {
            LOG.warnf("Upstream stream failed mid-way (%s); storing the partial answer",
                    failure.getClass().getSimpleName());
            metrics.upstreamOutcome("broken");
            return recorder.finish(answer.toMessage(MessageStatus.ERROR))
                    .replaceWith(() -> protocol.brokenStreamFrames().apply(BROKEN_STREAM));
        }
        String status = answer.sawUpstreamError() ? MessageStatus.ERROR : MessageStatus.FINAL;
        Buffer end = heldEnd;
        return recorder.finish(answer.toMessage(status)).replaceWith(end == null ? List.of() : List.of(end));
    }

    /**
     * The client went away: keep what arrived and stop the provider at once. The outcome is
     * claimed before the provider's connection is closed, whose own failure would otherwise
     * be taken for a broken stream.
     */
    @Override
    public void clientLeft() {
        if (!outcomeClaimed.compareAndSet(false, true)) {
            return;
        }
        metrics.upstreamOutcome("cancelled");
        recorder.finish(answer.toMessage(MessageStatus.ABORTED)).subscribe().with(ignored -> {
        });
        upstream.cancel();
        closed();
    }

    private void closed() {
        metrics.streamClosed();
        ended.tryComplete();
    }
}
