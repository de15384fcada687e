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

    private final ConversationRepository conversations;
    private final MessageRepository messages;
    private final PersistenceConfig config;
    private final SchemaMigrator migrator;
    private final TurnInserts inserts;
    private final GroupCommit groupCommit;

    PostgresTranscriptStore(ConversationRepository conversations, MessageRepository messages,
            PersistenceConfig config, SchemaMigrator migrator, TurnInserts inserts, GroupCommit groupCommit) {
        this.inserts = inserts;
        this.groupCommit = groupCommit;
        this.conversations = conversations;
        this.messages = messages;
        this.config = config;
        this.migrator = migrator;
    }

    /** One statement, no JTA transaction: see {@link TurnInserts}. */
    @Override
    public ConversationRecord createConversation(String sessionId, String title, String model) {
        Instant now = now();
        UUID id = UUID.randomUUID();
        if (!inserts.runAlone(TurnInserts.conversation(id, sessionId, title, model, now,
                config.maxConversationsPerSession()))) {
            throw conversationLimitReached();
        }
        return new ConversationRecord(id, sessionId, title, model, false, 0, now, now);
    }

    /**
     * One statement, committed with other turns' writes (see {@link GroupCommit}); a new
     * conversation and its user message are one statement as well.
     */
    @Override
    public CompletionStage<UUID> openTurn(String sessionId, UUID conversationId, String model,
            JsonNode userContent) {
        TurnInserts.NewMessage m = userMessage(userContent, now());
        if (conversationId != null) {
            return groupCommit.submit(userMessageInsert(sessionId, conversationId, m))
                    .thenCompose(inserted -> inserted ? CompletableFuture.completedFuture(conversationId)
                            // Off the writing thread: finding out why is a query of its own.
                            : CompletableFuture.<UUID> supplyAsync(() -> {
                                throw notFoundOrFull(sessionId, conversationId);
                            }, Infrastructure.getDefaultWorkerPool()));
        }
        if (config.maxMessagesPerConversation() < 2) {
            return TranscriptStore.super.openTurn(sessionId, null, model, userContent); // its 429 explains why
        }
        UUID id = UUID.randomUUID();
        TurnInserts.Insert opening = TurnInserts.conversationWithMessage(id, sessionId, model,
                config.maxConversationsPerSession(), m);
        return groupCommit.submit(opening)
                .thenApply(inserted -> {
                    if (!inserted) {
                        throw conversationLimitReached();
                    }
                    return id;
                });
    }

    /** One statement, committed with other turns' writes: see {@link GroupCommit}. */
    @Override
    public CompletionStage<Void> finishTurn(UUID conversationId, AssistantMessage message) {
        return groupCommit.submit(assistantMessageInsert(conversationId, message))
                .thenAccept(inserted -> assistantMessageStored(conversationId, inserted));
    }

    @Override
    @Transactional
    public Optional<ConversationRecord> findConversation(String sessionId, UUID conversationId) {
        return conversations.findOwned(sessionId, conversationId).map(Conversation::toRecord);
    }

    @Override
    @Transactional
    public List<ConversationRecord> listConversations(String sessionId, ConversationCursor after, int limit) {
        return conversations.listBySession(sessionId, after, limit).stream().map(Conversation::toRecord).toList();
    }

    @Override
    @Transactional
    public List<MessageRecord> listMessages(UUID conversationId, int afterSeq, int limit) {
        return messages.listAfter(conversationId, afterSeq, limit).stream().map(Message::toRecord).toList();
    }

    /** The facade's default in one transaction: one connection, one round of reads. */
    @Override
    @Transactional
    public Optional<List<MessageRecord>> latestMessages(String sessionId, UUID conversationId, int limit) {
        return conversations.findOwned(sessionId, conversationId)
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
    public Optional<ConversationRecord> updateConversation(String sessionId, UUID conversationId, String title,
            Boolean pinned) {
        return conversations.findOwned(sessionId, conversationId).map(c -> {
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
    public boolean deleteConversation(String sessionId, UUID conversationId) {
        // messages go with it through ON DELETE CASCADE
        return conversations.deleteOwned(sessionId, conversationId) > 0;
    }

    /** One statement, no JTA transaction: see {@link TurnInserts}. */
    @Override
    public MessageRecord recordUserMessage(String sessionId, UUID conversationId, JsonNode content) {
        TurnInserts.NewMessage m = userMessage(content, now());
        if (!inserts.runAlone(userMessageInsert(sessionId, conversationId, m))) {
            throw notFoundOrFull(sessionId, conversationId);
        }
        return new MessageRecord(m.id(), inserts.seqOf(m.id()), m.role(), m.status(), content, null, null, null, null,
                m.createdAt());
    }

    private TurnInserts.Insert userMessageInsert(String sessionId, UUID conversationId,
            TurnInserts.NewMessage m) {
        // A turn adds two messages: refuse it while there is no room for both.
        return TurnInserts.message(conversationId, sessionId, config.maxMessagesPerConversation() - 1, m);
    }

    /** Why a user message found no seq: called only on that (rare) path. */
    private ApiException notFoundOrFull(String sessionId, UUID conversationId) {
        if (QuarkusTransaction.requiringNew().call(() -> conversations.findOwned(sessionId, conversationId))
                .isEmpty()) {
            return ApiException.conversationNotFound();
        }
        return ApiException.limitExceeded("This conversation already has the maximum of "
                + config.maxMessagesPerConversation() + " messages");
    }

    private static TurnInserts.NewMessage userMessage(JsonNode content, Instant now) {
        return new TurnInserts.NewMessage(UUID.randomUUID(), "user", MessageStatus.FINAL, content, null, null, null,
                null, now);
    }

    private ApiException conversationLimitReached() {
        return ApiException.limitExceeded("This session already has the maximum of "
                + config.maxConversationsPerSession() + " conversations");
    }

    /** One statement, no JTA transaction: see {@link TurnInserts}. */
    @Override
    public void recordAssistantMessage(UUID conversationId, AssistantMessage message) {
        assistantMessageStored(conversationId, inserts.runAlone(assistantMessageInsert(conversationId, message)));
    }

    private static TurnInserts.Insert assistantMessageInsert(UUID conversationId,
            AssistantMessage message) {
        TurnInserts.NewMessage m = new TurnInserts.NewMessage(UUID.randomUUID(), "assistant", message.status(),
                message.content(), message.finishReason(), message.toolCalls(), message.usage(), message.responseId(),
                now());
        return TurnInserts.message(conversationId, null, Integer.MAX_VALUE, m);
    }

    private static void assistantMessageStored(UUID conversationId, boolean inserted) {
        if (!inserted) {
            LOG.debugf("Conversation %s was deleted during its turn; assistant message dropped", conversationId);
        }
    }

    @Override
    @Transactional
    public Optional<UUID> startAssistantDraft(UUID conversationId) {
        Instant now = now();
        return conversations.allocateSeq(conversationId, null, Integer.MAX_VALUE, now).map(seq -> {
            Message m = newMessage(conversationId, seq, "assistant", MessageStatus.STREAMING, now);
            m.content = TextNode.valueOf("");
            messages.persist(m);
            return m.id;
        });
    }

    @Override
    @Transactional
    public void appendAssistantDraft(UUID messageId, String contentSoFar) {
        messages.findByIdOptional(messageId).ifPresent(m -> m.content = TextNode.valueOf(contentSoFar));
    }

    @Override
    @Transactional
    public void finishAssistantDraft(UUID messageId, AssistantMessage message) {
        messages.findByIdOptional(messageId).ifPresent(m -> applyFinal(m, message));
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
    public boolean checkAvailable() {
        return migrator.ensureMigrated();
    }

    private static Message newMessage(UUID conversationId, int seq, String role, String status, Instant now) {
        Message m = new Message();
        m.id = UUID.randomUUID();
        m.conversationId = conversationId;
        m.seq = seq;
        m.role = role;
        m.status = status;
        m.createdAt = now;
        return m;
    }

    private static void applyFinal(Message m, AssistantMessage message) {
        m.status = message.status();
        m.content = message.content();
        m.finishReason = message.finishReason();
        m.toolCalls = message.toolCalls();
        m.usage = message.usage();
        m.responseId = message.responseId();
    }

    /** PostgreSQL keeps microseconds: truncating here keeps cursors exact. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
