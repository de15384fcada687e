package io.chatrelay.chat;

import static io.chatrelay.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class ChatStreamingTest {

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "stream-" + UUID.randomUUID();
    }

    @Test
    void forwardsEveryByteOfTheUpstreamStreamUnchanged() {
        String usage = Chunks.usage(9, 3);
        // Comments, a custom event name, CRLF line ends, "data:" without a space and an
        // event split across two network writes: all must reach the client as sent.
        String[] events = { ": keep-alive\n\n", Chunks.role(), Chunks.content("Hel"),
                "event: ping\ndata: {\"choices\":[]}\n\n", Chunks.content("lo").replace("\n\n", "\r\n\r\n"),
                Chunks.content(" world").replace("data: ", "data:"), Chunks.finish("stop"), usage, Chunks.DONE };
        String split = events[2];
        Script script = Script.streamHead().write(events[0]).write(events[1])
                .write(split.substring(0, 20)).delay(Duration.ofMillis(30)).write(split.substring(20));
        for (int i = 3; i < events.length; i++) {
            script.write(events[i]);
        }
        upstream.enqueue(script.end());

        try (SseClient client = Api.stream(session, Api.chat("hi", true))) {
            assertEquals(200, client.status());
            assertTrue(client.header("Content-Type").startsWith("text/event-stream"));
            client.readToEnd();
            assertEquals(String.join("", events), new String(client.rawBytes(), StandardCharsets.UTF_8));
            String conversationId = client.header("X-Conversation-Id");
            JsonPath stored = Api.conversation(session, conversationId);
            assertEquals("Hello world", stored.getString("messages[1].content"));
            assertEquals("stop", stored.getString("messages[1].finish_reason"));
            assertEquals(12, stored.getInt("messages[1].usage.total_tokens"));
        }
    }

    @Test
    void firstChunkReachesTheClientBeforeTheUpstreamHasFinished() {
        CompletableFuture<Void> rest = new CompletableFuture<>();
        upstream.enqueue(Script.streamHead().write(Chunks.content("first")).await(rest)
                .write(Chunks.content(" second")).write(Chunks.finish("stop")).write(Chunks.DONE).end());

        try (SseClient client = Api.stream(session, Api.chat("hi", true))) {
            assertEquals(Chunks.content("first"), client.nextEvent());
            assertFalse(rest.isDone(), "the upstream was still holding the rest of its answer");
            rest.complete(null);
            assertEquals(Chunks.content(" second"), client.nextEvent());
        }
    }

    @Test
    void upstreamGetsTheServerKeyAndTheClientBodyWithoutConversationId() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.stream(Chunks.content("ok"), Chunks.DONE));
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
                + "\"conversation_id\":\"" + conversationId + "\",\"temperature\":0.70,"
                + "\"x_vendor_field\":{\"nested\":[1,2.50,\"three\"]}}";

        try (SseClient client = SseClient.post("/v1/chat/completions", body,
                Map.of("X-Session-Id", session, "Authorization", "Bearer client-secret"))) {
            client.readToEnd();
            assertEquals(conversationId, client.header("X-Conversation-Id"));
        }
        MockUpstream.RecordedRequest sent = upstream.lastRequest();
        assertEquals("/v1/chat/completions", sent.path());
        assertEquals("Bearer " + MockUpstreamResource.UPSTREAM_KEY, sent.header("Authorization"));
        JsonObject forwarded = new JsonObject(sent.body());
        assertFalse(forwarded.containsKey("conversation_id"));
        assertEquals("gpt-4.1-mini", forwarded.getString("model"), "DEFAULT_MODEL fills a missing model");
        assertTrue(sent.body().contains("\"temperature\":0.70"), sent.body());
        assertTrue(sent.body().contains("\"x_vendor_field\":{\"nested\":[1,2.50,\"three\"]}"), sent.body());
    }

    @Test
    void conversationIsReadableAsSoonAsDoneArrives() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.streamHead().paced(Duration.ofMillis(20), Chunks.content("one"),
                Chunks.content(" two"), Chunks.finish("stop"), Chunks.DONE).end());

        try (SseClient client = Api.stream(session, Api.chat("count", true).put("conversation_id", conversationId))) {
            assertEquals(200, client.status());
            String event;
            do {
                event = client.nextEvent();
                assertNotNull(event, "the stream ended before [DONE]");
            } while (!Chunks.DONE.equals(event));
            JsonPath stored = Api.conversation(session, conversationId);
            assertEquals(List.of(1, 2), stored.getList("messages.seq"));
            assertEquals(List.of("user", "assistant"), stored.getList("messages.role"));
            assertEquals("count", stored.getString("messages[0].content"));
            assertEquals("final", stored.getString("messages[1].status"));
            assertEquals("one two", stored.getString("messages[1].content"));
        }
    }

    @Test
    void clientDisconnectCancelsTheUpstreamAndStoresThePartialAnswerAsAborted() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.streamHead().write(Chunks.content("partial")).await(new CompletableFuture<>()));

        try (SseClient client = Api.stream(session, Api.chat("tell me", true).put("conversation_id", conversationId))) {
            assertEquals(Chunks.content("partial"), client.nextEvent());
        }
        // well before the 2 s idle timeout of the test profile: the relay itself closed it
        await().atMost(Duration.ofMillis(1500)).until(() -> upstream.lastRequest().closed().isDone());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonPath stored = Api.conversation(session, conversationId);
            assertEquals("aborted", stored.getString("messages[1].status"));
            assertEquals("partial", stored.getString("messages[1].content"));
        });
    }

    @Test
    void clientLeavingBeforeTheProviderAnswersCancelsItAndStoresTheTurnAsAborted() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.stall());
        String body = Api.chat("are you there?", true).put("conversation_id", conversationId).encode();
        HttpClient http = HttpClient.newHttpClient();
        var pending = http.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/chat/completions"))
                .header("X-Session-Id", session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.requestCount() == 1);

        pending.cancel(true);
        http.shutdownNow();

        await().atMost(Duration.ofMillis(1500)).until(() -> upstream.lastRequest().closed().isDone());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(List.of("final", "aborted"),
                Api.conversation(session, conversationId).getList("messages.status")));
    }

    @Test
    void brokenUpstreamStreamEndsInBandAndStoresThePartialAnswerAsError() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.streamHead().write(Chunks.content("half an")).delay(Duration.ofMillis(20)).reset());

        try (SseClient client = Api.stream(session, Api.chat("hi", true).put("conversation_id", conversationId))) {
            assertEquals(Chunks.content("half an"), client.nextEvent());
            JsonObject error = new JsonObject(client.nextEvent().substring("data: ".length()).trim());
            assertEquals("upstream_error", error.getJsonObject("error").getString("type"));
            assertEquals(Chunks.DONE, client.nextEvent());
            assertNull(client.nextEvent());
        }
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("error", stored.getString("messages[1].status"));
        assertEquals("half an", stored.getString("messages[1].content"));
    }

    @Test
    void upstreamErrorStatusAndBodyAreRelayedUnchanged() {
        String conversationId = Api.createConversation(session);
        String body = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,"
                + "\"code\":\"rate_limit_exceeded\"}}";
        upstream.enqueue(Script.json(429, body), Script.json(503, "{\"error\":{\"message\":\"overloaded\"}}"));

        as(session).body(Api.chat("hi", true).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(429).body(equalTo(body));
        as(session).body(Api.chat("again", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(503).body(equalTo("{\"error\":{\"message\":\"overloaded\"}}"));

        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of("user", "assistant", "user", "assistant"), stored.getList("messages.role"));
        assertEquals(List.of("final", "error", "final", "error"), stored.getList("messages.status"));
    }

    @Test
    void upstreamThatNeverAnswersGives504AndAnErrorMessage() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.stall());

        as(session).body(Api.chat("hi", true).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(504)
                .body("error.type", equalTo("upstream_error"));
        assertEquals(List.of("final", "error"), Api.conversation(session, conversationId).getList("messages.status"));
    }

    @Test
    void nonStreamingAnswerIsCommittedBeforeItIsReturned() {
        String conversationId = Api.createConversation(session);
        String completion = Chunks.completion("Paris.");
        upstream.enqueue(Script.json(200, completion));

        as(session).body(Api.chat("capital of France?", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200)
                .header("X-Conversation-Id", conversationId)
                .body(equalTo(completion));
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("Paris.", stored.getString("messages[1].content"));
        assertEquals(7, stored.getInt("messages[1].usage.total_tokens"));
    }

    @Test
    void chatWithoutSessionIsRelayedButNotStored() {
        long before = io.chatrelay.testing.Db.number("select count(*) from messages");
        upstream.enqueue(Script.json(200, Chunks.completion("hello")));

        given().contentType("application/json").body(Api.chat("anonymous", false).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200).header("X-Conversation-Id", (String) null);
        assertEquals(1, upstream.requestCount());
        assertEquals(before, io.chatrelay.testing.Db.number("select count(*) from messages"));
    }
}
