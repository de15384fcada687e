package io.chatrelay.relay;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.chatrelay.sse.SseEvent;
import io.chatrelay.sse.SseEventSplitter;
import io.chatrelay.turn.AnswerFolder;
import io.chatrelay.turn.TurnRecorder;
import io.chatrelay.upstream.UpstreamResponse;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/**
 * A streamed answer on its way to the client. Each chunk of the provider's body is cut into
 * events; every event is folded into the turn's answer (the request's buffer) as it passes,
 * and the complete ones go on as the provider's exact bytes, in order, at once. The event
 * that ends the stream ({@link AnswerFolder#endsStream}) is held back: what follows the
 * provider's body (the commit, then that event, an in-band error, or the tool loop's next
 * step) is the caller's to say. One instance per request.
 */
public final class AnswerStream {

    private final AnswerFolder answer;
    private final TurnRecorder recorder;
    private volatile Buffer heldEnd;

    public AnswerStream(AnswerFolder answer, TurnRecorder recorder) {
        this.answer = answer;
        this.recorder = recorder;
    }

    public AnswerFolder answer() {
        return answer;
    }

    public TurnRecorder recorder() {
        return recorder;
    }

    /** The event that ended the provider's stream, held back; null while none came. */
    public Buffer heldEnd() {
        return heldEnd;
    }

    /**
     * The provider's events, then what {@code then} makes of the way its body ended: null
     * when it completed, else what broke it. A broken body ends this stream normally, so
     * that {@code then} can still store the turn and tell the client in-band. Items are the
     * bytes to send now: the chunk as it arrived when it holds exactly whole events, an
     * empty buffer when none is complete yet. An event that passes MAX_UPSTREAM_EVENT_BYTES
     * breaks the body ({@link io.chatrelay.sse.SseEventTooLarge}) and closes the provider's
     * connection.
     */
    public Multi<Buffer> relay(UpstreamResponse response, Function<Throwable, Multi<Buffer>> then) {
        SseEventSplitter splitter = new SseEventSplitter(response.maxEventBytes());
        AtomicReference<Throwable> broken = new AtomicReference<>();
        Multi<Buffer> events = ChunkStage.mapUntilBroken(response.body(), chunk -> pass(splitter, chunk),
                broken::set);
        return Multi.createBy().concatenating().streams(events, Multi.createFrom().deferred(() -> {
            Throwable failure = broken.get();
            if (failure != null) {
                return then.apply(failure);
            }
            // An event the provider did not end with a blank line still counts once its body is over.
            Buffer rest = forwarded(splitter.finish());
            return Multi.createBy().concatenating().streams(Multi.createFrom().item(rest), then.apply(null));
        }));
    }

    /** Stores the answer with this status, then sends the frames. */
    public Multi<Buffer> commitThen(String status, List<Buffer> frames) {
        return recorder.finish(answer.toMessage(status))
                .onItem().transformToMulti(ignored -> Multi.createFrom().iterable(frames));
    }

    private Buffer pass(SseEventSplitter splitter, Buffer chunk) {
        boolean startsClean = splitter.isEmpty();
        List<SseEvent> events = splitter.accept(chunk);
        boolean wholeEvents = startsClean && splitter.isEmpty();
        for (SseEvent event : events) {
            wholeEvents &= fold(event);
        }
        // The common case: the chunk is exactly its events, all of them due now.
        return wholeEvents ? chunk : forwarded(events);
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

    /** The events' bytes without the held end (already folded). */
    private Buffer forwarded(List<SseEvent> events) {
        Buffer out = Buffer.buffer();
        for (SseEvent event : events) {
            if (event.raw() != heldEnd) {
                out.appendBuffer(event.raw());
            }
        }
        return out;
    }
}
