package io.chatrelay.chat;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.BlockingWrites;
import io.chatrelay.conversation.TranscriptStore;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * The PERSIST_STREAMING_DELTAS escape hatch: a draft row exists from the start and its
 * content is rewritten every HISTORY_BATCH_FLUSH_MS while text arrives, then finalised.
 * Writes are chained so that an append never overtakes the final update.
 */
final class DraftRecorder implements TurnRecorder {

    private final UUID conversationId;
    private final UUID messageId;
    private final TranscriptStore store;
    private final BlockingWrites writes;
    private final Vertx vertx;
    private final long timerId;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile AnswerFolder latest;
    private int flushedVersion;
    private Uni<Void> tail = Uni.createFrom().voidItem().memoize().indefinitely();

    DraftRecorder(UUID conversationId, UUID messageId, TranscriptStore store, BlockingWrites writes, Vertx vertx,
            long flushIntervalMs) {
        this.conversationId = conversationId;
        this.messageId = messageId;
        this.store = store;
        this.writes = writes;
        this.vertx = vertx;
        this.timerId = vertx.setPeriodic(flushIntervalMs, id -> flush());
    }

    @Override
    public void progressed(AnswerFolder answer) {
        latest = answer;
    }

    private synchronized void flush() {
        AnswerFolder current = latest;
        if (finished.get() || current == null || current.version() == flushedVersion) {
            return;
        }
        flushedVersion = current.version();
        String text = current.contentSoFar();
        enqueue("assistant_draft_append", () -> store.appendAssistantDraft(messageId, text));
    }

    @Override
    public Uni<Void> finish(AssistantMessage message) {
        if (!finished.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        vertx.cancelTimer(timerId);
        return enqueue("assistant_draft_finish", () -> store.finishAssistantDraft(messageId, message));
    }

    private synchronized Uni<Void> enqueue(String operation, Runnable write) {
        Uni<Void> previous = tail;
        tail = previous.chain(() -> writes.bestEffort(operation, conversationId, write)).memoize().indefinitely();
        tail.subscribe().with(ignored -> {
        });
        return tail;
    }
}
