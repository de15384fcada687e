package io.chatrelay.health;

import static io.chatrelay.testing.Api.as;
import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * The real PostgreSQL taken away and brought back while the service runs: the datasource
 * goes through a {@link TcpProxy} that the tests cut and restore.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@WithTestResource(PostgresProxyResource.class)
@TestProfile(DatabaseOutageTest.Profile.class)
class DatabaseOutageTest extends DatabaseTroubleFixture {

    static final Duration FINAL_WRITE_TIMEOUT = Duration.ofSeconds(2);
    /** Time the proxy, the pool and the worker pool may add on top of the final-write timeout. */
    static final Duration MARGIN = Duration.ofSeconds(2);
    static final Duration OUTAGE_NOTICED = Duration.ofSeconds(10);
    /** A few acquisition timeouts (1s here): a request that needs the database fails, it does not hang. */
    static final Duration REFUSAL_BOUND = Duration.ofSeconds(4);

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            // Short waits so that an outage shows within seconds rather than the production bounds.
            return Map.of("relay.persistence.final-write-timeout", FINAL_WRITE_TIMEOUT.toSeconds() + "s",
                    "quarkus.datasource.jdbc.acquisition-timeout", "1s",
                    "quarkus.datasource.jdbc.login-timeout", "1s");
        }
    }

    DatabaseOutageTest() {
        super("outage-", OUTAGE_NOTICED);
    }

    @Test
    void readinessFollowsTheDatabaseWhileLivenessIgnoresIt() {
        assertTrue(database.acceptedConnections() > 0, "the service's datasource must go through the proxy");
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));

        database.cut();

        await().atMost(OUTAGE_NOTICED).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(503).body("status", equalTo("DOWN")));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        database.restore();

        // Same instance, no restart: the first probe after the database is back is UP,
        // although the pool still held connections that died during the outage.
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void streamOutlivesAnOutageAndLaterTurnsPersistAgain() {
        double failures = metric("chatrelay_persistence_failures_total{operation=\"assistant_message\"}");
        String conversationId = Api.createConversation(session);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        String[] events = { Chunks.content("before"), Chunks.content(" the outage"), Chunks.finish("stop"),
                Chunks.DONE };
        upstream.enqueue(Script.streamHead().write(events[0]).await(gate)
                .write(events[1]).write(events[2]).write(events[3]).end());

        long released;
        try (SseClient client = Api.stream(session,
                Api.chat("keep going", true).put("conversation_id", conversationId))) {
            assertEquals(200, client.status());
            assertEquals(events[0], client.nextEvent());

            database.cut();
            released = System.nanoTime();
            gate.complete(null);

            // Every upstream event, then [DONE] once the bounded wait for the final write is over.
            assertEquals(String.join("", events), client.readToEnd());
            assertEquals(String.join("", events), new String(client.rawBytes(), StandardCharsets.UTF_8));
        }
        Duration streamEnd = Duration.ofNanos(System.nanoTime() - released);
        assertTrue(streamEnd.compareTo(FINAL_WRITE_TIMEOUT.plus(MARGIN)) < 0,
                "the stream ended " + streamEnd + " after the upstream finished");
        assertEquals(failures + 1, metric("chatrelay_persistence_failures_total{operation=\"assistant_message\"}"));
        assertEquals(1, metric("chatrelay_persistence_pending"), "the failed write waits for the database");
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/healthz").then().statusCode(200).body("status", equalTo("ok"));

        database.restore();

        // The first turn after the outage, with no wait for readiness: the pool must not hand
        // out a connection that died during the outage.
        upstream.enqueue(Script.stream(Chunks.content("back"), Chunks.finish("stop"), Chunks.DONE));
        String laterConversation;
        try (SseClient client = Api.stream(session, Api.chat("are you back?", true))) {
            assertEquals(200, client.status());
            laterConversation = client.header("X-Conversation-Id");
            assertNotNull(laterConversation);
            client.readToEnd();
        }
        JsonPath later = Api.conversation(session, laterConversation);
        assertEquals(List.of("user", "assistant"), later.getList("messages.role"));
        assertEquals("are you back?", later.getString("messages[0].content"));
        assertEquals("back", later.getString("messages[1].content"));
        assertEquals("final", later.getString("messages[1].status"));
        assertEquals(2, Db.number("select count(*) from messages where conversation_id = ?::uuid",
                laterConversation));

        // The final insert of the outage turn failed: it waited in the retry queue and is stored now,
        // once, with the seq that follows the user message committed before the outage.
        await().atMost(OUTAGE_NOTICED).untilAsserted(() -> assertEquals(2,
                Db.number("select count(*) from messages where conversation_id = ?::uuid", conversationId)));
        JsonPath outageTurn = Api.conversation(session, conversationId);
        assertEquals(List.of("user", "assistant"), outageTurn.getList("messages.role"));
        assertEquals(List.of(1, 2), outageTurn.getList("messages.seq"));
        assertEquals("keep going", outageTurn.getString("messages[0].content"));
        assertEquals("before the outage", outageTurn.getString("messages[1].content"));
        assertEquals("final", outageTurn.getString("messages[1].status"));
        await().atMost(OUTAGE_NOTICED).untilAsserted(
                () -> assertEquals(0, metric("chatrelay_persistence_pending")));
        assertTrue(metric("chatrelay_persistence_replayed_total") >= 1);
    }

    @Test
    void duringAnOutageChatsWithASessionAreRefusedAndChatsWithoutOneAreRelayed() {
        database.cut();
        await().atMost(OUTAGE_NOTICED).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503));

        for (boolean stream : new boolean[] { false, true }) {
            long sent = System.nanoTime();
            Response refused = as(session).body(Api.chat("hi", stream).encode()).post("/v1/chat/completions");
            Duration answeredAfter = Duration.ofNanos(System.nanoTime() - sent);
            assertOpenAiError(refused, 503, "server_error", "persistence_unavailable", null);
            // Each attempt to reach the database is bounded by the pool's acquisition timeout.
            assertTrue(answeredAfter.compareTo(REFUSAL_BOUND) < 0, "refused after " + answeredAfter);
        }
        assertOpenAiError(as(session).get("/v1/conversations"), 503, "server_error", "persistence_unavailable",
                null);
        assertEquals(0, upstream.requestCount(), "the turn could not be opened, so upstream was not called");

        String completion = Chunks.completion("no database needed");
        upstream.enqueue(Script.json(200, completion));
        given().contentType("application/json").body(Api.chat("hi", false).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200).body(equalTo(completion));
        assertEquals(1, upstream.requestCount());
    }

    /** A sample's value from /q/metrics; 0 when the series does not exist yet. */
    private static double metric(String series) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
