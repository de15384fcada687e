package io.chatrelay.turn;

import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.MessageStatus;
import io.smallrye.mutiny.Uni;

/**
 * A recorder that stores its turn: it is listed in {@link LiveTurns} from the moment the
 * turn opens until its assistant message is stored, so that a shutdown can store every
 * open turn as aborted instead of losing it.
 */
abstract class PersistedRecorder implements TurnRecorder {

    private static final AssistantMessage NOTHING_YET = new AssistantMessage(MessageStatus.ABORTED,
            TextNode.valueOf(""), null, null, null, null);

    private final LiveTurns live;
    private volatile AnswerFolder latest;
    private volatile Runnable stopUpstream = () -> {
    };
    private Uni<Void> outcome;

    PersistedRecorder(LiveTurns live) {
        this.live = live;
        live.add(this);
    }

    @Override
    public void progressed(AnswerFolder answer) {
        latest = answer;
    }

    @Override
    public void onShutdown(Runnable stop) {
        stopUpstream = stop;
    }

    /** The answer as last reported, or null before the first event. */
    AnswerFolder latest() {
        return latest;
    }

    /**
     * The first call decides the outcome; every call returns the same write, so a caller
     * that comes second (a shutdown, say) still waits until the message is stored.
     */
    @Override
    public final synchronized Uni<Void> finish(AssistantMessage message) {
        if (outcome == null) {
            outcome = store(message).onTermination().invoke(() -> live.remove(this)).memoize().indefinitely();
        }
        return outcome;
    }

    /**
     * Shutdown: stores what the turn produced so far with status aborted (or joins the write
     * already under way), then stops the provider so that the client's stream ends too.
     */
    Uni<Void> abortNow() {
        AnswerFolder answer = latest;
        Uni<Void> stored = finish(answer == null ? NOTHING_YET : answer.toMessage(MessageStatus.ABORTED));
        stopUpstream.run();
        return stored;
    }

    /** Writes the message; called once. Completes when committed or given up; never fails. */
    protected abstract Uni<Void> store(AssistantMessage message);
}
