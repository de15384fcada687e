package io.chatrelay.chat;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.metrics.RelayMetrics;
import io.chatrelay.sse.SseEvent;
import io.chatrelay.sse.SseEventSplitter;
import io.chatrelay.upstream.UpstreamResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * Forwards one streamed exchange: every provider event goes to the client as its exact
 * bytes, in order, as soon as it is complete, while a copy is folded into the turn's
 * answer. The event that ends the stream ({@code data: [DONE]}, or the Responses API's
 * {@code response.completed}) is held back until the assistant message is committed, so a
 * client that reads the conversation after it sees the message. A stream that breaks
 * after it began ends with an in-band error in the protocol's format. One instance per
 * request.
 */
final class StreamRelay {

    private static final Logger LOG = Logger.getLogger(StreamRelay.class);
    static final String BROKEN_STREAM = "The upstream stream ended unexpectedly";

    private final UpstreamResponse upstream;
    private final TurnRecorder recorder;
    private final AnswerFolder answer;
    private final Protocol protocol;
    private final RelayMetrics metrics;
    private final SseEventSplitter splitter = new SseEventSplitter();
    private final AtomicReference<Buffer> heldEnd = new AtomicReference<>();
    private volatile Throwable failure;

    StreamRelay(UpstreamResponse upstream, TurnRecorder recorder, Protocol protocol, RelayMetrics metrics) {
        this.upstream = upstream;
        this.recorder = recorder;
        this.protocol = protocol;
        this.answer = protocol.newFolder();
        this.metrics = metrics;
    }

    Multi<Buffer> body() {
        recorder.onShutdown(upstream::cancel);
        Multi<Buffer> forwarded = upstream.body()
                .onItem().transformToIterable(splitter::accept)
                .onCompletion().switchTo(() -> Multi.createFrom().iterable(splitter.finish()))
                .select().where(this::forwardable)
                .map(SseEvent::raw)
                .onFailure().invoke(e -> failure = e)
                .onFailure().recoverWithCompletion();
        Multi<Buffer> ending = Multi.createFrom().deferred(() -> finish().onItem().transformToMulti(
                tail -> Multi.createFrom().iterable(tail)));
        return Multi.createBy().concatenating().streams(forwarded, ending)
                .onSubscription().invoke(metrics::streamOpened)
                .onTermination().invoke(metrics::streamClosed)
                .onCancellation().invoke(this::abort);
    }

    /** Folds an event into the turn and says whether it goes to the client now. */
    private boolean forwardable(SseEvent event) {
        answer.acceptEvent(event);
        recorder.progressed(answer);
        if (answer.endsStream(event)) {
            heldEnd.set(event.raw());
            return false;
        }
        return true;
    }

    /** The stream from the provider is over: store the message, then send what ends the stream. */
    private Uni<List<Buffer>> finish() {
        if (failure != null) {
            LOG.warnf("Upstream stream failed mid-way (%s); storing the partial answer",
                    failure.getClass().getSimpleName());
            metrics.upstreamOutcome("broken");
            return recorder.finish(answer.toMessage(MessageStatus.ERROR))
                    .replaceWith(() -> protocol.brokenStreamFrames().apply(BROKEN_STREAM));
        }
        String status = answer.sawUpstreamError() ? MessageStatus.ERROR : MessageStatus.FINAL;
        Buffer end = heldEnd.get();
        return recorder.finish(answer.toMessage(status)).replaceWith(end == null ? List.of() : List.of(end));
    }

    /**
     * The client went away: keep what arrived and stop the provider at once. The outcome is
     * claimed before the provider's connection is closed, whose own failure would otherwise
     * be taken for a broken stream.
     */
    private void abort() {
        metrics.upstreamOutcome("cancelled");
        recorder.finish(answer.toMessage(MessageStatus.ABORTED)).subscribe().with(ignored -> {
        });
        upstream.cancel();
    }
}
