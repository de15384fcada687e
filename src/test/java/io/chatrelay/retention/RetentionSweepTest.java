package io.chatrelay.retention;

import static io.chatrelay.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.conversation.postgres.PostgresTranscriptStore;
import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The sweep against the real PostgreSQL. Other tests share the database, and a sweep may
 * also delete their stale rows: every assertion is about this test's own conversations.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class RetentionSweepTest {

    private static final String DELETED = "chatrelay_retention_deleted_total";

    @Inject
    RetentionSweeper sweeper;

    @Inject
    RetentionConfig config;

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "retention-" + UUID.randomUUID();
    }

    @Test
    void agedUnpinnedConversationsGoWithTheirMessagesWhilePinnedAndRecentOnesStay() {
        String aged = conversationWithATurn("forget me");
        String agedPinned = conversationWithATurn("keep me");
        String recent = conversationWithATurn("still talking");
        // Pin first: a PATCH is activity, so pinning after the ageing would make it recent again.
        as(session).body("{\"pinned\": true}").patch("/v1/conversations/" + agedPinned)
                .then().statusCode(200).body("pinned", equalTo(true));
        age(aged);
        age(agedPinned);
        double countedBefore = metric(DELETED);

        int deleted = sweeper.sweep();

        assertTrue(deleted >= 1, "at least this test's aged conversation was deleted");
        as(session).get("/v1/conversations/" + aged).then().statusCode(404);
        assertEquals(0, messagesOf(aged), "its messages went with it");
        assertEquals(2, Api.conversation(session, agedPinned).getList("messages").size());
        assertEquals(2, Api.conversation(session, recent).getList("messages").size());
        assertEquals(2, Db.conversationsOfSession(session));
        assertTrue(metric(DELETED) >= countedBefore + 1, "the deletion is counted");
    }

    @Test
    void aBacklogLargerThanOneBatchIsWorkedOffInOneSweep() {
        int backlog = config.batchSize() + 1;
        // Straight into the table: creating this many through the API would only slow the test down.
        Db.update("insert into conversations (id, session_id, pinned, last_seq, created_at, updated_at)"
                + " select gen_random_uuid(), ?, false, 0, now() - interval '41 days', now() - interval '40 days'"
                + " from generate_series(1, ?)", session, backlog);
        assertEquals(backlog, Db.conversationsOfSession(session));

        int deleted = sweeper.sweep();

        assertTrue(deleted >= backlog, "deleted " + deleted);
        assertEquals(0, Db.conversationsOfSession(session));
    }

    @Test
    void whileAnotherInstanceHoldsTheSweepLockThisOneStepsAside() throws SQLException {
        String aged = conversationWithATurn("forget me later");
        age(aged);

        try (Connection otherReplica = Db.connect()) {
            try (PreparedStatement lock = otherReplica.prepareStatement("select pg_advisory_lock(?)")) {
                lock.setLong(1, PostgresTranscriptStore.RETENTION_LOCK_KEY);
                lock.execute();
            }
            assertEquals(0, sweeper.sweep());
            Api.conversation(session, aged);
            // Released explicitly: a closed connection frees it only once its backend has exited.
            try (PreparedStatement unlock = otherReplica.prepareStatement("select pg_advisory_unlock(?)")) {
                unlock.setLong(1, PostgresTranscriptStore.RETENTION_LOCK_KEY);
                unlock.execute();
            }
        }
        // The other replica let go of the lock: the next sweep does the work.
        assertTrue(sweeper.sweep() >= 1);
        as(session).get("/v1/conversations/" + aged).then().statusCode(404);
    }

    private String conversationWithATurn(String text) {
        String id = Api.createConversation(session);
        upstream.enqueue(Script.json(200, Chunks.completion("x")));
        as(session).body(Api.chat(text, false).put("conversation_id", id).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200);
        assertEquals(2, messagesOf(id));
        return id;
    }

    /** Moves the conversation's last activity 40 days back, past the default RETENTION_DAYS of 30. */
    private static void age(String conversationId) {
        assertEquals(1, Db.update("update conversations set updated_at = now() - interval '40 days'"
                + " where id = ?::uuid", conversationId));
    }

    private static long messagesOf(String conversationId) {
        return Db.number("select count(*) from messages where conversation_id = ?::uuid", conversationId);
    }

    /** A sample's value from /q/metrics; 0 when the series does not exist yet. */
    private static double metric(String series) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
