package io.chatrelay.health;

import static io.chatrelay.testing.Api.as;
import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.PostgresProxyResource;
import io.chatrelay.testing.SseClient;
import io.chatrelay.testing.TcpProxy;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * A database that hangs: it accepts connections and keeps them open, but no byte comes back
 * ({@link TcpProxy#hang()}). Unlike a database that is down, nothing fails by itself here:
 * only the service's own bounds (DB_TIMEOUT) end the waits.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@WithTestResource(PostgresProxyResource.class)
@TestProfile(DatabaseHangTest.Profile.class)
class DatabaseHangTest extends DatabaseTroubleFixture {

    static final Duration DB_TIMEOUT = Duration.ofSeconds(2);
    /** What the worker pool, the event loop and the HTTP round trip may add to DB_TIMEOUT. */
    static final Duration MARGIN = Duration.ofMillis(1500);
    static final Duration NOTICED = Duration.ofSeconds(30);

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.persistence.db-timeout", DB_TIMEOUT.toSeconds() + "s",
                    "relay.persistence.final-write-timeout", DB_TIMEOUT.toSeconds() + "s");
        }
    }

    DatabaseHangTest() {
        super("hang-", NOTICED);
    }

    @Test
    void aHungDatabaseRefusesTurnsWithinDbTimeoutAndTheServiceRecoversByItself() {
        // A stored turn first: the timings below are then those of a warm instance, not of its first request.
        upstream.enqueue(Script.json(200, Chunks.completion("warm")));
        as(session).body(Api.chat("warm up", false).encode()).post("/v1/chat/completions").then().statusCode(200);
        upstream.reset();

        database.hang();

        for (boolean stream : new boolean[] { false, true }) {
            long sent = System.nanoTime();
            Response refused = as(session).body(Api.chat("hi", stream).encode()).post("/v1/chat/completions");
            Duration answeredAfter = Duration.ofNanos(System.nanoTime() - sent);
            assertOpenAiError(refused, 503, "server_error", "persistence_unavailable", null);
            assertTrue(answeredAfter.compareTo(DB_TIMEOUT.plus(MARGIN)) < 0, "refused after " + answeredAfter);
        }
        assertEquals(0, upstream.requestCount(), "the turn could not be opened, so upstream was not called");

        // A chat without a session needs no database.
        String completion = Chunks.completion("no database needed");
        upstream.enqueue(Script.json(200, completion));
        given().contentType("application/json").body(Api.chat("hi", false).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200).body(equalTo(completion));

        await().atMost(NOTICED).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(503).body("status", equalTo("DOWN")));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        database.restore();

        // No restart: readiness comes back, and so do stored turns.
        awaitReady();
        upstream.enqueue(Script.json(200, Chunks.completion("back")));
        String conversationId = as(session).body(Api.chat("are you back?", false).encode())
                .post("/v1/chat/completions").then().statusCode(200).extract().header("X-Conversation-Id");
        await().atMost(NOTICED).untilAsserted(() -> assertEquals(List.of("user", "assistant"),
                Api.conversation(session, conversationId).getList("messages.role")));
    }

    @Test
    void aStreamUnderWayOutlivesAHangAndItsMessageIsStoredWhenTheDatabaseAnswersAgain() {
        String conversationId = Api.createConversation(session);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.enqueue(Script.streamHead().write(Chunks.content("said")).await(gate)
                .write(Chunks.content(" during the hang")).write(Chunks.finish("stop")).write(Chunks.DONE).end());

        long released;
        try (SseClient client = Api.stream(session, Api.chat("go on", true).put("conversation_id", conversationId))) {
            assertEquals(200, client.status());
            client.nextEvent();
            database.hang();
            released = System.nanoTime();
            gate.complete(null);
            client.readToEnd();
        }
        Duration streamEnd = Duration.ofNanos(System.nanoTime() - released);
        assertTrue(streamEnd.compareTo(DB_TIMEOUT.plus(MARGIN)) < 0, "the stream ended " + streamEnd + " later");

        database.restore();

        await().atMost(NOTICED).untilAsserted(() -> assertEquals(2,
                Db.number("select count(*) from messages where conversation_id = ?::uuid", conversationId)));
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of(1, 2), stored.getList("messages.seq"));
        assertEquals("said during the hang", stored.getString("messages[1].content"));
        assertEquals("final", stored.getString("messages[1].status"));
    }
}
