package io.chatrelay.turn;

import java.util.UUID;
import java.util.function.Supplier;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.BlockingWrites;
import io.chatrelay.conversation.FinalWrites;
import io.chatrelay.conversation.PendingWrite;
import io.chatrelay.conversation.TranscriptStore;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * The PERSIST_STREAMING_DELTAS escape hatch: a draft row exists from the start and its
 * content is rewritten every HISTORY_BATCH_FLUSH_MS while text arrives, then finalised.
 * Writes are chained so that an append never overtakes the final update. Each append renews
 * the draft's lease (STREAMING_LEASE), and nothing else writes: the lease outlasts the
 * longest silence a live stream can have ({@code relay.DraftLeaseCheck}), so the orphan sweep
 * never takes a live draft for one whose instance died.
 */
final class DraftRecorder extends PersistedRecorder {

    private final UUID conversationId;
    private final UUID messageId;
    private final TranscriptStore store;
    private final BlockingWrites writes;
    private final FinalWrites finalWrites;
    private final Vertx vertx;
    private final long timerId;
    private volatile boolean finished;
    private int flushedVersion;
    private Uni<Void> tail = Uni.createFrom().voidItem().memoize().indefinitely();

    DraftRecorder(UUID conversationId, UUID messageId, TranscriptStore store, BlockingWrites writes,
            FinalWrites finalWrites, Vertx vertx, long flushIntervalMs, LiveTurns live) {
        super(live);
        this.finalWrites = finalWrites;
        this.conversationId = conversationId;
        this.messageId = messageId;
        this.store = store;
        this.writes = writes;
        this.vertx = vertx;
        this.timerId = vertx.setPeriodic(flushIntervalMs, id -> flush());
    }

    private synchronized void flush() {
        AnswerFolder current = latest();
        if (finished || current == null || current.version() == flushedVersion) {
            return;
        }
        flushedVersion = current.version();
        String text = current.contentSoFar();
        chain(() -> writes.bestEffort("assistant_draft_append", conversationId,
                () -> store.appendAssistantDraft(messageId, text)));
    }

    @Override
    protected Uni<Void> store(AssistantMessage message) {
        finished = true;
        vertx.cancelTimer(timerId);
        // Unlike an append, the final state is kept until the database has it (retried, or spooled at shutdown).
        return chain(() -> finalWrites.store(PendingWrite.draftFinish(conversationId, messageId, message)));
    }

    private synchronized Uni<Void> chain(Supplier<Uni<Void>> write) {
        Uni<Void> previous = tail;
        tail = previous.chain(ignored -> write.get()).memoize().indefinitely();
        tail.subscribe().with(ignored -> {
        });
        return tail;
    }
}
