package io.chatrelay.conversation.postgres;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.ConversationCursor;
import io.chatrelay.conversation.ConversationRecord;
import io.chatrelay.conversation.MessageRecord;
import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.conversation.TranscriptStore;
import io.chatrelay.error.ApiException;
import io.chatrelay.session.Owner;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * PostgreSQL backend of the persistence facade. Each method is one short transaction;
 * none is ever held across a stream.
 */
@ApplicationScoped
public class PostgresTranscriptStore implements TranscriptStore {

    private static final Logger LOG = Logger.getLogger(PostgresTranscriptStore.class);

    /**
     * Key of the transaction-scoped advisory lock a retention batch holds, so that only one
     * replica sweeps at a time: an arbitrary constant ("chatrela" in ASCII) that no other code uses.
     */
    public static final long RETENTION_LOCK_KEY = 0x63686174_72656c61L;
    /** Key of the orphan sweep's advisory lock, as {@link #RETENTION_LOCK_KEY} ("chatorph"). */
    public static final long ORPHAN_SWEEP_LOCK_KEY = 0x63686174_6f727068L;

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final PersistenceConfig config;
    private final SchemaMigrator migrator;

    PostgresTranscriptStore(ConversationRepository conversations, MessageRepository messages,
            PersistenceConfig config, SchemaMigrator migrator) {
        this.conversations = conversations;
        this.messages = messages;
        this.config = config;
        this.migrator = migrator;
    }

    /** One statement, no JTA transaction: see {@link TurnInserts}. */
    @Override
    public ConversationRecord createConversation(Owner owner, String title, String model) {
        Conversation conversation = Conversation.create(owner, title, model, now());
        if (!conversations.commitAlone(conversation, config.maxConversationsPerSession())) {
            throw conversationLimitReached();
        }
        return conversation.toRecord();
    }

    /**
     * One statement, committed with other turns' writes (see {@link ConversationRepository});
     * a new conversation and its user message are one statement as well.
     */
    @Override
    public CompletionStage<UUID> openTurn(Owner owner, UUID conversationId, String model,
            JsonNode userContent) {
        Instant now = now();
        if (conversationId != null) {
            return conversations.commit(Message.user(conversationId, userContent, now), userMessageAdmission(owner))
                    .thenCompose(inserted -> inserted ? CompletableFuture.completedFuture(conversationId)
                            // Off the writing thread: finding out why is a query of its own.
                            : CompletableFuture.<UUID> supplyAsync(() -> {
                                throw notFoundOrFull(owner, conversationId);
                            }, Infrastructure.getDefaultWorkerPool()));
        }
        if (config.maxMessagesPerConversation() < 2) {
            return TranscriptStore.super.openTurn(owner, null, model, userContent); // its 429 explains why
        }
        Conversation conversation = Conversation.create(owner, null, model, now);
        return conversations.commitWithFirstMessage(conversation, Message.user(conversation.id, userContent, now),
                config.maxConversationsPerSession())
                .thenApply(inserted -> {
                    if (!inserted) {
                        throw conversationLimitReached();
                    }
                    return conversation.id;
                });
    }

    /** One statement, committed with other turns' writes: see {@link ConversationRepository}. */
    @Override
    public CompletionStage<Void> finishTurn(UUID conversationId, UUID messageId, AssistantMessage message) {
        return conversations.commit(Message.assistant(conversationId, messageId, message, now()),
                MessageAdmission.ANSWER)
                .thenAccept(inserted -> assistantMessageStored(conversationId, inserted));
    }

    @Override
    @Transactional
    public Optional<ConversationRecord> findConversation(Owner owner, UUID conversationId) {
        return conversations.findOwned(owner, conversationId).map(Conversation::toRecord);
    }

    @Override
    @Transactional
    public List<ConversationRecord> listConversations(Owner owner, ConversationCursor after, int limit) {
        return conversations.listOwned(owner, after, limit).stream().map(Conversation::toRecord).toList();
    }

    @Override
    @Transactional
    public List<MessageRecord> listMessages(UUID conversationId, int afterSeq, int limit) {
        return messages.listAfter(conversationId, afterSeq, limit).stream().map(Message::toRecord).toList();
    }

    /** The facade's default in one transaction: one connection, one round of reads. */
    @Override
    @Transactional
    public Optional<List<MessageRecord>> latestMessages(Owner owner, UUID conversationId, int limit) {
        return conversations.findOwned(owner, conversationId)
                .map(conversation -> {
                    // Up to the last seq as the read began: a message committed meanwhile is not read.
                    int rows = Math.min(limit, conversation.lastSeq);
                    return rows <= 0 ? List.<MessageRecord>of()
                            : messages.listAfter(conversationId, conversation.lastSeq - rows, rows).stream()
                                    .map(Message::toRecord).toList();
                });
    }

    @Override
    @Transactional
    public Optional<ConversationRecord> updateConversation(Owner owner, UUID conversationId, String title,
            Boolean pinned) {
        return conversations.findOwned(owner, conversationId).map(c -> {
            if (title != null) {
                c.title = title;
            }
            if (pinned != null) {
                c.pinned = pinned;
            }
            c.updatedAt = now();
            return c.toRecord();
        });
    }

    @Override
    @Transactional
    public boolean deleteConversation(Owner owner, UUID conversationId) {
        // messages go with it through ON DELETE CASCADE
        return conversations.deleteOwned(owner, conversationId) > 0;
    }

    /** One statement, no JTA transaction: see {@link TurnInserts}. */
    @Override
    public MessageRecord recordUserMessage(Owner owner, UUID conversationId, JsonNode content) {
        Message m = Message.user(conversationId, content, now());
        if (!conversations.commitAlone(m, userMessageAdmission(owner))) {
            throw notFoundOrFull(owner, conversationId);
        }
        return m.toRecord();
    }

    private MessageAdmission userMessageAdmission(Owner owner) {
        return MessageAdmission.turnOpening(owner, config.maxMessagesPerConversation());
    }

    /** Why a user message found no seq: called only on that (rare) path. */
    private ApiException notFoundOrFull(Owner owner, UUID conversationId) {
        if (QuarkusTransaction.requiringNew().call(() -> conversations.findOwned(owner, conversationId))
                .isEmpty()) {
            return ApiException.conversationNotFound();
        }
        return ApiException.limitExceeded("This conversation already has the maximum of "
                + config.maxMessagesPerConversation() + " messages");
    }

    private ApiException conversationLimitReached() {
        return ApiException.limitExceeded("This session already has the maximum of "
                + config.maxConversationsPerSession() + " conversations");
    }

    /** One statement, no JTA transaction: see {@link TurnInserts}. */
    @Override
    public void recordAssistantMessage(UUID conversationId, UUID messageId, AssistantMessage message) {
        assistantMessageStored(conversationId, conversations.commitAlone(
                Message.assistant(conversationId, messageId, message, now()), MessageAdmission.ANSWER));
    }

    private static void assistantMessageStored(UUID conversationId, boolean inserted) {
        if (!inserted) {
            LOG.debugf("Conversation %s was deleted during its turn, or the message is stored already;"
                    + " nothing inserted", conversationId);
        }
    }

    @Override
    @Transactional
    public void releaseAnswerReservation(UUID conversationId) {
        conversations.releaseAnswerReservation(conversationId);
    }

    /**
     * One statement, no JTA transaction: its seq comes from the same insert as every other
     * message's, which takes the room its turn reserved.
     */
    @Override
    public Optional<UUID> startAssistantDraft(UUID conversationId) {
        Instant now = now();
        Message draft = Message.draft(conversationId, now, now.plus(config.streamingLease()));
        return conversations.commitAlone(draft, MessageAdmission.ANSWER) ? Optional.of(draft.id) : Optional.empty();
    }

    /** The same one update as before the lease: the lease rides on the append. */
    @Override
    @Transactional
    public void appendAssistantDraft(UUID messageId, String contentSoFar) {
        messages.findByIdOptional(messageId).ifPresent(m -> {
            m.content = TextNode.valueOf(contentSoFar);
            if (MessageStatus.STREAMING.equals(m.status)) {
                m.leaseUntil = now().plus(config.streamingLease());
            }
        });
    }

    @Override
    @Transactional
    public void finishAssistantDraft(UUID messageId, AssistantMessage message) {
        messages.findByIdOptional(messageId).ifPresent(m -> m.finish(message));
    }

    @Override
    @Transactional
    public int deleteInactiveBefore(Instant cutoff, int batchSize) {
        EntityManager em = conversations.getEntityManager();
        // Released by the commit: a replica that finds it taken skips its round rather than queueing
        // behind the one that sweeps, and no lock outlives a crashed instance's connection.
        Object locked = em.createNativeQuery("select pg_try_advisory_xact_lock(?1)")
                .setParameter(1, RETENTION_LOCK_KEY)
                .getSingleResult();
        if (!Boolean.TRUE.equals(locked)) {
            return ANOTHER_SWEEP_RUNNING;
        }
        // The subquery walks the partial index conversations_retention. SKIP LOCKED leaves a
        // conversation whose turn is being written right now for a later batch instead of waiting
        // on it, and FOR UPDATE re-checks the predicate against a row updated since the snapshot.
        // Messages go with their conversation through ON DELETE CASCADE.
        return em.createNativeQuery("delete from conversations where id in ("
                + "select id from conversations where not pinned and updated_at < ?1"
                + " order by updated_at limit ?2 for update skip locked)")
                .setParameter(1, cutoff)
                .setParameter(2, batchSize)
                .executeUpdate();
    }

    @Override
    @Transactional
    public int interruptOrphanedDrafts(Instant now, int batchSize) {
        EntityManager em = messages.getEntityManager();
        // As the retention sweep: one replica sweeps, the others skip their round.
        Object locked = em.createNativeQuery("select pg_try_advisory_xact_lock(?1)")
                .setParameter(1, ORPHAN_SWEEP_LOCK_KEY)
                .getSingleResult();
        if (!Boolean.TRUE.equals(locked)) {
            return ANOTHER_SWEEP_RUNNING;
        }
        // The subquery walks the partial index messages_streaming_lease. SKIP LOCKED leaves a draft
        // that its instance is appending to right now alone (that append renews its lease), and
        // FOR UPDATE re-checks the predicate against a row renewed since the snapshot.
        return em.createNativeQuery("update messages set status = ?1, lease_until = null where id in ("
                + "select id from messages where status = ?2 and lease_until < ?3"
                + " order by lease_until limit ?4 for update skip locked)")
                .setParameter(1, MessageStatus.INTERRUPTED)
                .setParameter(2, MessageStatus.STREAMING)
                .setParameter(3, now)
                .setParameter(4, batchSize)
                .executeUpdate();
    }

    @Override
    public boolean checkAvailable() {
        return migrator.ensureMigrated();
    }

    /** PostgreSQL keeps microseconds: truncating here keeps cursors exact. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
