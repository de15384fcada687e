package io.chatrelay.turn;

import java.util.UUID;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.BlockingWrites;
import io.chatrelay.conversation.TranscriptStore;
import io.smallrye.mutiny.Uni;

/**
 * The default: nothing is written while deltas flow, and one insert stores the assistant
 * message when the exchange ends, however it ends.
 */
final class FinalOnlyRecorder extends PersistedRecorder {

    private final UUID conversationId;
    private final TranscriptStore store;
    private final BlockingWrites writes;

    FinalOnlyRecorder(UUID conversationId, TranscriptStore store, BlockingWrites writes, LiveTurns live) {
        super(live);
        this.conversationId = conversationId;
        this.store = store;
        this.writes = writes;
    }

    @Override
    protected Uni<Void> store(AssistantMessage message) {
        return writes.bestEffortAwait("assistant_message", conversationId,
                () -> store.finishTurn(conversationId, message));
    }
}
