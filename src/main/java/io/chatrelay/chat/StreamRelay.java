package io.chatrelay.chat;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
 * accumulator. The provider's {@code data: [DONE]} is held back until the assistant
 * message is committed, so a client that reads the conversation after {@code [DONE]}
 * sees it. One instance per request.
 */
final class StreamRelay {

    private static final Logger LOG = Logger.getLogger(StreamRelay.class);
    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
    private static final Buffer BROKEN = Buffer.buffer("data: {\"error\":{\"message\":\"The upstream stream ended"
            + " unexpectedly\",\"type\":\"upstream_error\",\"param\":null,\"code\":\"upstream_error\"}}\n\n");

    private final UpstreamResponse upstream;
    private final TurnRecorder recorder;
    private final ObjectMapper json;
    private final RelayMetrics metrics;
    private final SseEventSplitter splitter = new SseEventSplitter();
    private final ChatCompletionAccumulator accumulator = new ChatCompletionAccumulator();
    private final AtomicReference<Buffer> heldDone = new AtomicReference<>();
    private volatile Throwable failure;

    StreamRelay(UpstreamResponse upstream, TurnRecorder recorder, ObjectMapper json, RelayMetrics metrics) {
        this.upstream = upstream;
        this.recorder = recorder;
        this.json = json;
        this.metrics = metrics;
    }

    Multi<Buffer> body() {
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
        if (event.isDone()) {
            heldDone.set(event.raw());
            return false;
        }
        if (event.data() != null) {
            try {
                JsonNode chunk = json.readTree(event.data());
                accumulator.acceptChunk(chunk);
                recorder.progressed(accumulator);
            } catch (java.io.IOException e) {
                // Not JSON: still the provider's bytes, forwarded; nothing to fold.
                LOG.debug("Skipping a non-JSON event while folding the stream");
            }
        }
        return true;
    }

    /** The stream from the provider is over: store the message, then send what ends the stream. */
    private Uni<List<Buffer>> finish() {
        if (failure != null) {
            LOG.warnf("Upstream stream failed mid-way (%s); storing the partial answer",
                    failure.getClass().getSimpleName());
            metrics.upstreamOutcome("broken");
            return recorder.finish(accumulator.toMessage(MessageStatus.ERROR, null))
                    .replaceWith(List.of(BROKEN, DONE));
        }
        String status = accumulator.sawUpstreamError() ? MessageStatus.ERROR : MessageStatus.FINAL;
        Buffer done = heldDone.get();
        return recorder.finish(accumulator.toMessage(status, null))
                .replaceWith(done == null ? List.of() : List.of(done));
    }

    /**
     * The client went away: keep what arrived and stop the provider at once. The outcome is
     * claimed before the provider's connection is closed, whose own failure would otherwise
     * be taken for a broken stream.
     */
    private void abort() {
        metrics.upstreamOutcome("cancelled");
        recorder.finish(accumulator.toMessage(MessageStatus.ABORTED, null)).subscribe().with(ignored -> {
        });
        upstream.cancel();
    }
}
