package io.chatrelay.conversation.postgres;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.testing.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Group commit against the real PostgreSQL: inserts that queue while the writers are busy are
 * committed together, and one failing insert does not take the others of its batch with it.
 * The writers are kept busy deterministically: their first inserts wait on row locks that a
 * test transaction holds.
 */
@QuarkusTest
class GroupCommitTest {

    /** The default of relay.persistence.concurrent-write-batches. */
    static final int WRITERS = 2;
    static final int QUEUED = 6;

    @Inject
    GroupCommit groupCommit;

    private final String session = "group-commit-" + UUID.randomUUID();

    @Test
    void insertsQueuedBehindBusyWritersShareTheirCommits() throws SQLException {
        List<UUID> queuedConversations = IntStream.range(0, QUEUED).mapToObj(i -> newConversation()).toList();

        List<CompletableFuture<Boolean>> queued = whileWritersAreBusy(
                () -> queuedConversations.stream().map(c -> submit(message(c, UUID.randomUUID()))).toList());

        queued.forEach(inserted -> assertTrue(inserted.join()));
        long transactions = Db.number("select count(distinct xmin::text) from messages where conversation_id = any(?)",
                (Object) queuedConversations.toArray(UUID[]::new));
        assertTrue(transactions <= WRITERS, QUEUED + " inserts took " + transactions + " commits");
    }

    @Test
    void aMessageWhoseIdIsStoredAlreadyIsNeitherStoredAgainNorGivenASeq() {
        UUID messageId = UUID.randomUUID();
        UUID conversation = newConversation();
        assertTrue(submit(message(conversation, messageId)).join());

        // A retry of a write whose commit was not acknowledged.
        assertFalse(submit(message(conversation, messageId)).join());

        assertEquals(1, Db.number("select count(*) from messages where conversation_id = ?", conversation));
        assertEquals(1, Db.number("select last_seq from conversations where id = ?", conversation));
    }

    @Test
    void aFailingInsertFailsAloneAndTheRestOfItsBatchIsStored() throws SQLException {
        UUID clashing = newConversation();
        List<UUID> others = IntStream.range(0, QUEUED - 1).mapToObj(i -> newConversation()).toList();

        List<CompletableFuture<Boolean>> queued = whileWritersAreBusy(() -> {
            List<CompletableFuture<Boolean>> submitted = new ArrayList<>();
            // jsonb cannot hold U+0000: the statement fails
            submitted.add(submit(message(clashing, UUID.randomUUID(), "nul \u0000 inside")));
            others.forEach(c -> submitted.add(submit(message(c, UUID.randomUUID()))));
            return submitted;
        });

        CompletionException failure = assertThrows(CompletionException.class,
                () -> queued.get(0).join());
        assertInstanceOf(PersistenceException.class, failure.getCause());
        queued.subList(1, queued.size()).forEach(inserted -> assertTrue(inserted.join()));
        for (UUID c : others) {
            assertEquals(1, Db.number("select count(*) from messages where conversation_id = ?", c));
        }
        // The failed statement changed nothing: its seq allocation went with it.
        assertEquals(0, Db.number("select last_seq from conversations where id = ?", clashing));
        assertEquals(0, Db.number("select count(*) from messages where conversation_id = ?", clashing));
    }

    /**
     * Holds both writers on row locks, submits what {@code queue} submits (it queues, as no
     * writer is free), then lets the writers go on.
     */
    private List<CompletableFuture<Boolean>> whileWritersAreBusy(
            Supplier<List<CompletableFuture<Boolean>>> queue) throws SQLException {
        List<UUID> blockers = IntStream.range(0, WRITERS).mapToObj(i -> newConversation()).toList();
        List<CompletableFuture<Boolean>> blocked = new ArrayList<>();
        List<CompletableFuture<Boolean>> queued;
        try (Connection locks = Db.connect()) {
            locks.setAutoCommit(false);
            try (PreparedStatement lock = locks.prepareStatement(
                    "select id from conversations where id = any(?) for update")) {
                lock.setObject(1, blockers.toArray(UUID[]::new));
                lock.executeQuery().close();
            }
            for (UUID blocker : blockers) {
                blocked.add(submit(message(blocker, UUID.randomUUID())));
                await().atMost(Duration.ofSeconds(10)).until(() -> waitingOnLocks() == blocked.size());
            }
            queued = queue.get();
            locks.rollback();
        }
        blocked.forEach(inserted -> assertTrue(inserted.join()));
        return queued;
    }

    private static long waitingOnLocks() {
        return Db.number("select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                + " and query like '%allocated%' and datname = current_database()");
    }

    private CompletableFuture<Boolean> submit(TurnInserts.Insert insert) {
        return groupCommit.submit(insert).thenApply(OptionalInt::isPresent).toCompletableFuture();
    }

    private UUID newConversation() {
        UUID id = UUID.randomUUID();
        Db.update("insert into conversations (id, session_id, last_seq, created_at, updated_at)"
                + " values (?, ?, 0, now(), now())", id, session);
        return id;
    }

    private static TurnInserts.Insert message(UUID conversationId, UUID messageId) {
        return message(conversationId, messageId, "answer");
    }

    private static TurnInserts.Insert message(UUID conversationId, UUID messageId, String text) {
        Message m = Message.assistant(conversationId, messageId,
                new AssistantMessage(MessageStatus.FINAL, TextNode.valueOf(text), "stop", null, null, null),
                Instant.now().truncatedTo(ChronoUnit.MICROS));
        return TurnInserts.message(m, MessageAdmission.ANSWER);
    }
}
