package io.chatrelay.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import com.fasterxml.jackson.databind.JsonNode;

import io.chatrelay.metrics.RelayMetrics;
import io.chatrelay.session.Owner;

/** Counts what the backend in use committed; every write goes through here. */
final class MeteredTranscriptStore implements TranscriptStore {

    private static final String INSERT = "insert";
    private static final String UPDATE = "update";

    private final TranscriptStore store;
    private final RelayMetrics metrics;

    MeteredTranscriptStore(TranscriptStore store, RelayMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<UUID> openTurn(Owner owner, UUID conversationId, String model,
            JsonNode userContent) {
        return store.openTurn(owner, conversationId, model, userContent).thenApply(opened -> {
            userMessageStored();
            return opened;
        });
    }

    @Override
    public CompletionStage<Void> finishTurn(UUID conversationId, UUID messageId, AssistantMessage message) {
        return store.finishTurn(conversationId, messageId, message).thenRun(() -> assistantMessageStored(message));
    }

    @Override
    public MessageRecord recordUserMessage(Owner owner, UUID conversationId, JsonNode content) {
        MessageRecord stored = store.recordUserMessage(owner, conversationId, content);
        userMessageStored();
        return stored;
    }

    private void userMessageStored() {
        metrics.messageRowWritten(INSERT);
        metrics.messagePersisted("user", MessageStatus.FINAL);
    }

    @Override
    public void recordAssistantMessage(UUID conversationId, UUID messageId, AssistantMessage message) {
        store.recordAssistantMessage(conversationId, messageId, message);
        assistantMessageStored(message);
    }

    private void assistantMessageStored(AssistantMessage message) {
        metrics.messageRowWritten(INSERT);
        metrics.messagePersisted("assistant", message.status());
    }

    @Override
    public void releaseAnswerReservation(UUID conversationId) {
        store.releaseAnswerReservation(conversationId);
    }

    @Override
    public Optional<UUID> startAssistantDraft(UUID conversationId) {
        Optional<UUID> draft = store.startAssistantDraft(conversationId);
        draft.ifPresent(id -> metrics.messageRowWritten(INSERT));
        return draft;
    }

    @Override
    public void appendAssistantDraft(UUID messageId, String contentSoFar) {
        store.appendAssistantDraft(messageId, contentSoFar);
        metrics.messageRowWritten(UPDATE);
    }

    @Override
    public void finishAssistantDraft(UUID messageId, AssistantMessage message) {
        store.finishAssistantDraft(messageId, message);
        metrics.messageRowWritten(UPDATE);
        metrics.messagePersisted("assistant", message.status());
    }

    @Override
    public ConversationRecord createConversation(Owner owner, String title, String model) {
        return store.createConversation(owner, title, model);
    }

    @Override
    public Optional<ConversationRecord> findConversation(Owner owner, UUID conversationId) {
        return store.findConversation(owner, conversationId);
    }

    @Override
    public List<ConversationRecord> listConversations(Owner owner, ConversationCursor after, int limit) {
        return store.listConversations(owner, after, limit);
    }

    @Override
    public List<MessageRecord> listMessages(UUID conversationId, int afterSeq, int limit) {
        return store.listMessages(conversationId, afterSeq, limit);
    }

    @Override
    public Optional<List<MessageRecord>> latestMessages(Owner owner, UUID conversationId, int limit) {
        return store.latestMessages(owner, conversationId, limit);
    }

    @Override
    public Optional<ConversationRecord> updateConversation(Owner owner, UUID conversationId, String title,
            Boolean pinned) {
        return store.updateConversation(owner, conversationId, title, pinned);
    }

    @Override
    public boolean deleteConversation(Owner owner, UUID conversationId) {
        return store.deleteConversation(owner, conversationId);
    }

    @Override
    public int deleteInactiveBefore(Instant cutoff, int batchSize) {
        int deleted = store.deleteInactiveBefore(cutoff, batchSize);
        if (deleted > 0) {
            metrics.retentionDeleted(deleted);
        }
        return deleted;
    }

    @Override
    public int interruptOrphanedDrafts(Instant now, int batchSize) {
        int interrupted = store.interruptOrphanedDrafts(now, batchSize);
        if (interrupted > 0) {
            metrics.draftsInterrupted(interrupted);
        }
        return interrupted;
    }

    @Override
    public boolean checkAvailable() {
        return store.checkAvailable();
    }
}
