package io.chatrelay.chat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.PostgresProxyResource;
import io.chatrelay.testing.SseClient;
import io.chatrelay.testing.TcpProxy;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * A client that leaves at any moment of its exchange, with PERSIST_STREAMING_DELTAS on: the
 * provider's request is closed at once (as the mock provider sees it) and the turn ends with
 * an aborted assistant message holding what had arrived. Never a user message without its
 * answer, never a draft left {@code streaming}.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@WithTestResource(PostgresProxyResource.class)
@TestProfile(EarlyDisconnectTest.Profile.class)
class EarlyDisconnectTest {

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.persistence.streaming-deltas", "true",
                    "relay.persistence.history-batch-flush-ms", "50",
                    // One provider connection: a second request waits for it, as while connecting.
                    "relay.upstream.max-connections", "1");
        }
    }

    /** Well before the 2 s idle timeout of the test profile: only the relay itself closes it that early. */
    private static final Duration AT_ONCE = Duration.ofMillis(1500);
    /** Time for the service to see a closed connection before the test moves the exchange on. */
    private static final Duration NOTICED = Duration.ofMillis(300);
    private static final String MESSAGES = "select role, status, content #>> '{}' from messages"
            + " where conversation_id = ? order by seq";

    private final MockUpstream upstream = MockUpstream.shared();
    private final TcpProxy database = PostgresProxyResource.proxy();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "leaves-" + UUID.randomUUID();
    }

    @AfterEach
    void releaseTheDatabase() {
        database.release();
    }

    @Test
    void clientLeavingWhileItsUserMessageIsStoredGetsAnAbortedAnswerAndNoProviderCall() {
        String conversationId = Api.createConversation(session);
        database.hold();
        PendingRequest pending = send(conversationId, "hello?");
        await().atMost(Duration.ofSeconds(5)).until(database::holdsWrites);

        pending.leave();
        // The turn's insert is still held: nothing else may happen meanwhile.
        await().during(NOTICED).atMost(NOTICED.multipliedBy(3))
                .until(() -> database.holdsWrites() && upstream.requestCount() == 0);
        database.release();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(
                List.of(List.of("user", "final", "hello?"), List.of("assistant", "aborted", "")),
                Db.rows(MESSAGES, UUID.fromString(conversationId))));
        await().during(NOTICED).atMost(NOTICED.multipliedBy(3)).until(() -> upstream.requestCount() == 0);
    }

    @Test
    void clientLeavingWhileTheProviderConnectionIsFoundNeverReachesTheProvider() {
        // The only provider connection is taken by another turn, held open by the gate.
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.enqueue(Script.streamHead().write(Chunks.content("first")).await(gate)
                .write(Chunks.finish("stop")).write(Chunks.DONE).end());
        String first = Api.createConversation(session);
        String second = Api.createConversation(session);
        try (SseClient holder = Api.stream(session, Api.chat("one", true).put("conversation_id", first))) {
            assertEquals(Chunks.content("first"), holder.nextEvent());

            PendingRequest pending = send(second, "two");
            // Its turn is open (its draft exists): it now waits for the provider connection.
            await().atMost(Duration.ofSeconds(5)).until(() -> Db.rows(MESSAGES, UUID.fromString(second)).size() == 2);
            await().during(NOTICED).atMost(NOTICED.multipliedBy(3)).until(() -> upstream.requestCount() == 1);
            pending.leave();
            await().during(NOTICED).atMost(NOTICED.multipliedBy(3)).until(() -> upstream.requestCount() == 1);

            gate.complete(null);
            assertEquals(Chunks.finish("stop"), holder.nextEvent());
            assertEquals(Chunks.DONE, holder.nextEvent());
        }
        // The connection is free again: the request of the client that left must not go out.
        await().during(NOTICED.multipliedBy(2)).atMost(NOTICED.multipliedBy(4)).until(() -> upstream.requestCount() == 1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(
                List.of(List.of("user", "final", "two"), List.of("assistant", "aborted", "")),
                Db.rows(MESSAGES, UUID.fromString(second))));
    }

    @Test
    void clientLeavingBeforeTheProviderAnswersClosesItAndAbortsTheDraft() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.stall());
        PendingRequest pending = send(conversationId, "are you there?");
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.requestCount() == 1);

        pending.leave();

        await().atMost(AT_ONCE).until(() -> upstream.lastRequest().closed().isDone());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(
                List.of(List.of("user", "final", "are you there?"), List.of("assistant", "aborted", "")),
                Db.rows(MESSAGES, UUID.fromString(conversationId))));
    }

    @Test
    void clientLeavingBeforeTheFirstEventClosesTheProviderAndAbortsTheDraft() {
        String conversationId = Api.createConversation(session);
        // The provider's head goes out with its first bytes: a comment, no answer yet.
        upstream.enqueue(Script.streamHead().write(": ping\n\n").await(new CompletableFuture<>()));

        try (SseClient client = Api.stream(session, Api.chat("hi", true).put("conversation_id", conversationId))) {
            assertEquals(": ping\n\n", client.nextEvent());
        }

        await().atMost(AT_ONCE).until(() -> upstream.lastRequest().closed().isDone());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(
                List.of(List.of("user", "final", "hi"), List.of("assistant", "aborted", "")),
                Db.rows(MESSAGES, UUID.fromString(conversationId))));
    }

    @Test
    void clientLeavingMidStreamClosesTheProviderAndKeepsThePartialAnswer() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.streamHead().write(Chunks.content("partial")).await(new CompletableFuture<>()));

        try (SseClient client = Api.stream(session, Api.chat("tell me", true).put("conversation_id", conversationId))) {
            assertEquals(Chunks.content("partial"), client.nextEvent());
            await().atMost(Duration.ofSeconds(5)).until(() -> "partial".equals(
                    Db.rows(MESSAGES, UUID.fromString(conversationId)).get(1).get(2)));
        }

        await().atMost(AT_ONCE).until(() -> upstream.lastRequest().closed().isDone());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(
                List.of(List.of("user", "final", "tell me"), List.of("assistant", "aborted", "partial")),
                Db.rows(MESSAGES, UUID.fromString(conversationId))));
    }

    /** A streamed chat whose client may leave before any answer came. */
    private PendingRequest send(String conversationId, String text) {
        HttpClient http = HttpClient.newHttpClient();
        String body = Api.chat(text, true).put("conversation_id", conversationId).encode();
        CompletableFuture<HttpResponse<Void>> response = http.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/chat/completions"))
                .header("X-Session-Id", session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
        return new PendingRequest(http, response);
    }

    private record PendingRequest(HttpClient http, CompletableFuture<HttpResponse<Void>> response) {

        /** Closes the connection, like a user closing the tab. */
        void leave() {
            response.cancel(true);
            http.shutdownNow();
        }
    }
}
