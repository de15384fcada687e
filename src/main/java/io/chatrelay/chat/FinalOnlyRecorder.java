package io.chatrelay.chat;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.BlockingWrites;
import io.chatrelay.conversation.TranscriptStore;
import io.smallrye.mutiny.Uni;

/**
 * The default: nothing is written while deltas flow, and one insert stores the assistant
 * message when the exchange ends, however it ends.
 */
final class FinalOnlyRecorder implements TurnRecorder {

    private final UUID conversationId;
    private final TranscriptStore store;
    private final BlockingWrites writes;
    private final AtomicBoolean finished = new AtomicBoolean();

    FinalOnlyRecorder(UUID conversationId, TranscriptStore store, BlockingWrites writes) {
        this.conversationId = conversationId;
        this.store = store;
        this.writes = writes;
    }

    @Override
    public Uni<Void> finish(AssistantMessage message) {
        if (!finished.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return writes.bestEffort("assistant_message", conversationId,
                () -> store.recordAssistantMessage(conversationId, message));
    }
}
