package io.chatrelay.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import com.fasterxml.jackson.databind.JsonNode;

import io.chatrelay.session.Owner;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The persistence facade: the only way conversations and messages are written. Two
 * implementations exist, PostgreSQL and a JSON file per conversation for local use.
 *
 * <p>Every method blocks (JDBC or file I/O): call it from a worker or virtual thread,
 * never from the event loop. The exceptions are the two writes of a turn, {@link #openTurn}
 * and {@link #finishTurn}: they complete later, so that a backend can commit the writes of
 * many turns together. The owner (subject and session, see {@link Owner}) is part of every
 * call that names a conversation from a request, so that one owner can never see or change
 * another's conversation.
 */
public interface TranscriptStore {

    /**
     * What {@link #deleteInactiveBefore} and {@link #interruptOrphanedDrafts} return when another
     * instance is sweeping right now: this instance leaves the round to it instead of waiting.
     */
    int ANOTHER_SWEEP_RUNNING = -1;

    /** Creates a conversation for the owner; 429 past MAX_CONVERSATIONS_PER_SESSION (per owner). */
    ConversationRecord createConversation(Owner owner, String title, String model);

    /**
     * Stores the user message that opens a turn, in a new conversation when
     * {@code conversationId} is null, and completes with the conversation's id. Fails like
     * {@link #createConversation} and {@link #recordUserMessage}. The stage completes on a
     * thread of the backend's choosing. This default runs those two on a worker thread.
     */
    default CompletionStage<UUID> openTurn(Owner owner, UUID conversationId, String model,
            JsonNode userContent) {
        return CompletableFuture.supplyAsync(() -> {
            UUID id = conversationId != null ? conversationId : createConversation(owner, null, model).id();
            recordUserMessage(owner, id, userContent);
            return id;
        }, Infrastructure.getDefaultWorkerPool());
    }

    /** {@link #finishTurn(UUID, UUID, AssistantMessage)} with a new message id. */
    default CompletionStage<Void> finishTurn(UUID conversationId, AssistantMessage message) {
        return finishTurn(conversationId, UUID.randomUUID(), message);
    }

    /**
     * Stores the final assistant message of a turn with the given id, like
     * {@link #recordAssistantMessage(UUID, UUID, AssistantMessage)}: the one write of the
     * exchange, idempotent. This default runs that on a worker thread.
     */
    default CompletionStage<Void> finishTurn(UUID conversationId, UUID messageId, AssistantMessage message) {
        return CompletableFuture.runAsync(() -> recordAssistantMessage(conversationId, messageId, message),
                Infrastructure.getDefaultWorkerPool());
    }

    Optional<ConversationRecord> findConversation(Owner owner, UUID conversationId);

    /** Up to {@code limit} conversations after {@code after} (null: from the newest), newest activity first. */
    List<ConversationRecord> listConversations(Owner owner, ConversationCursor after, int limit);

    /** Up to {@code limit} messages with {@code seq > afterSeq}, by seq. */
    List<MessageRecord> listMessages(UUID conversationId, int afterSeq, int limit);

    /**
     * The last {@code limit} messages of the owner's conversation, by seq, as they were when
     * the read began: a message committed meanwhile is not among them. Empty when the
     * conversation is not the owner's. This default is {@link #findConversation} then
     * {@link #listMessages} up to the conversation's last seq: seqs have no gaps and a
     * message is committed together with the seq it takes, so every message up to that seq is
     * there, and none after it is read.
     */
    default Optional<List<MessageRecord>> latestMessages(Owner owner, UUID conversationId, int limit) {
        return findConversation(owner, conversationId).map(conversation -> {
            int rows = Math.min(limit, conversation.lastSeq());
            return rows <= 0 ? List.of() : listMessages(conversationId, conversation.lastSeq() - rows, rows);
        });
    }

    /** Changes title and/or pinned (null leaves a field as it is); empty when not the owner's. */
    Optional<ConversationRecord> updateConversation(Owner owner, UUID conversationId, String title,
            Boolean pinned);

    /** Hard-deletes the conversation and its messages; false when not the owner's. */
    boolean deleteConversation(Owner owner, UUID conversationId);

    /**
     * Inserts the user message of a turn as the next seq. 404 when the conversation is not
     * the owner's; 429 when the turn's two messages would exceed MAX_MESSAGES_PER_CONVERSATION.
     */
    MessageRecord recordUserMessage(Owner owner, UUID conversationId, JsonNode content);

    /** {@link #recordAssistantMessage(UUID, UUID, AssistantMessage)} with a new message id. */
    default void recordAssistantMessage(UUID conversationId, AssistantMessage message) {
        recordAssistantMessage(conversationId, UUID.randomUUID(), message);
    }

    /**
     * Inserts the final assistant message of a turn as the conversation's next seq: the one
     * write of the exchange. Idempotent: when a message with this id is stored already,
     * nothing changes, so a write can be retried after a failure that may have come after
     * its commit. A conversation deleted meanwhile is not an error: the message is dropped.
     */
    void recordAssistantMessage(UUID conversationId, UUID messageId, AssistantMessage message);

    /**
     * A turn ended without its assistant message stored (the database refused it, or it was
     * dropped): gives back the room that the turn's user message reserved for it under
     * MAX_MESSAGES_PER_CONVERSATION. Nothing happens when the conversation is gone.
     */
    void releaseAnswerReservation(UUID conversationId);

    /**
     * Escape hatch: inserts an empty assistant row with status=streaming, which takes the room
     * its turn reserved; empty if the conversation is gone.
     */
    Optional<UUID> startAssistantDraft(UUID conversationId);

    /**
     * Escape hatch: replaces the draft's content with the text so far and renews its lease
     * (STREAMING_LEASE) from now.
     */
    void appendAssistantDraft(UUID messageId, String contentSoFar);

    /** Escape hatch: gives the draft its final state. */
    void finishAssistantDraft(UUID messageId, AssistantMessage message);

    /**
     * Retention: hard-deletes at most {@code batchSize} unpinned conversations whose last
     * activity ({@code updated_at}) is before {@code cutoff}, oldest first, with their
     * messages, in one transaction. A conversation that is being written at that moment is
     * left for a later batch.
     *
     * @return how many were deleted, or {@link #ANOTHER_SWEEP_RUNNING}
     */
    int deleteInactiveBefore(Instant cutoff, int batchSize);

    /**
     * Orphan sweep: marks at most {@code batchSize} drafts still {@code streaming} whose lease
     * ran out before {@code now} as {@code interrupted}, keeping their text, in one transaction.
     * Their instance died: a live one renews the lease with its appends.
     *
     * @return how many were marked, or {@link #ANOTHER_SWEEP_RUNNING}
     */
    int interruptOrphanedDrafts(Instant now, int batchSize);

    /** Whether the backend can serve requests now (readiness); may try to (re)connect. */
    boolean checkAvailable();
}
