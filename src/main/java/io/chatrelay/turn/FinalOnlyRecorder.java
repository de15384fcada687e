package io.chatrelay.turn;

import java.util.UUID;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.FinalWrites;
import io.chatrelay.conversation.PendingWrite;
import io.smallrye.mutiny.Uni;

/**
 * The default: nothing is written while deltas flow, and one insert stores the assistant
 * message when the exchange ends, however it ends. The message's id is fixed here, so that
 * a retry of that insert after an outage stores it once.
 */
final class FinalOnlyRecorder extends PersistedRecorder {

    private final UUID conversationId;
    private final UUID messageId = UUID.randomUUID();
    private final FinalWrites finalWrites;

    FinalOnlyRecorder(UUID conversationId, FinalWrites finalWrites, LiveTurns live) {
        super(live);
        this.conversationId = conversationId;
        this.finalWrites = finalWrites;
    }

    @Override
    protected Uni<Void> store(AssistantMessage message) {
        return finalWrites.store(PendingWrite.finalMessage(conversationId, messageId, message));
    }
}
