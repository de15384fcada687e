package io.chatrelay.responses;

import static io.chatrelay.testing.Api.as;
import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.RecordedRequest;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.ResponsesEvents;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/**
 * {@code POST /v1/responses}: relayed through the same exchange machinery as chat
 * completions, with the Responses API's own event format, answer shape and response id.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class ResponsesTest {

    private static final String RESPONSES = "/v1/responses";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "responses-" + UUID.randomUUID();
    }

    // ---------------------------------------------------------------- streamed

    @Test
    void streamedEventsAreForwardedByteForByteAndTheAnswerIsStored() {
        // A comment, a multi-byte character and an event split across two network writes:
        // all must reach the client exactly as sent.
        String[] events = { ResponsesEvents.created("resp_123"), ResponsesEvents.inProgress("resp_123"),
                ": keep-alive\n\n", ResponsesEvents.outputItemAdded(), ResponsesEvents.contentPartAdded(),
                ResponsesEvents.delta(4, "Hel"), ResponsesEvents.delta(5, "lo"),
                ResponsesEvents.delta(6, " w\u00f6rld"),
                ResponsesEvents.textDone(7, "Hello w\u00f6rld"),
                ResponsesEvents.completed(8, "resp_123", "Hello w\u00f6rld", 9, 3) };
        String split = events[5];
        Script script = Script.streamHead();
        for (int i = 0; i < 5; i++) {
            script.write(events[i]);
        }
        script.write(split.substring(0, 30)).delay(Duration.ofMillis(30)).write(split.substring(30));
        for (int i = 6; i < events.length; i++) {
            script.write(events[i]);
        }
        upstream.enqueue(script.end());

        try (SseClient client = stream(request("hi", true))) {
            assertEquals(200, client.status());
            assertTrue(client.header("Content-Type").startsWith("text/event-stream"));
            client.readToEnd();
            assertArrayEquals(String.join("", events).getBytes(StandardCharsets.UTF_8), client.rawBytes());
            JsonPath stored = Api.conversation(session, client.header("X-Conversation-Id"));
            assertEquals("hi", stored.getString("messages[0].content"));
            assertEquals("assistant", stored.getString("messages[1].role"));
            assertEquals("final", stored.getString("messages[1].status"));
            assertEquals("Hello w\u00f6rld", stored.getString("messages[1].content"));
            assertEquals("resp_123", stored.getString("messages[1].response_id"));
            assertEquals("stop", stored.getString("messages[1].finish_reason"));
            assertEquals(9, stored.getInt("messages[1].usage.input_tokens"));
            assertEquals(12, stored.getInt("messages[1].usage.total_tokens"));
        }
        RecordedRequest sent = upstream.lastRequest();
        assertEquals("/v1/responses", sent.path());
        assertEquals("Bearer " + MockUpstreamResource.UPSTREAM_KEY, sent.header("Authorization"));
    }

    @Test
    void conversationIsReadableAsSoonAsResponseCompletedArrives() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.streamHead().paced(Duration.ofMillis(20), ResponsesEvents.created("resp_ready"),
                ResponsesEvents.delta(1, "one"), ResponsesEvents.delta(2, " two"),
                ResponsesEvents.textDone(3, "one two"), ResponsesEvents.completed(4, "resp_ready", "one two", 4, 2))
                // The provider lingers before closing: response.completed must still not reach the
                // client before the message is committed, which happens once the provider is done.
                .delay(Duration.ofMillis(300))
                .end());

        try (SseClient client = stream(request("count", true).put("conversation_id", conversationId))) {
            String event;
            do {
                event = client.nextEvent();
                assertTrue(event != null, "the stream ended before response.completed");
            } while (!event.startsWith("event: response.completed\n"));
            // Read at once, before looking for the end of the body.
            JsonPath stored = Api.conversation(session, conversationId);
            assertEquals(List.of(1, 2), stored.getList("messages.seq"));
            assertEquals(List.of("user", "assistant"), stored.getList("messages.role"));
            assertEquals("count", stored.getString("messages[0].content"));
            assertEquals("final", stored.getString("messages[1].status"));
            assertEquals("one two", stored.getString("messages[1].content"));
            assertEquals("resp_ready", stored.getString("messages[1].response_id"));
            assertNull(client.nextEvent(), "response.completed is the last event");
        }
    }

    @Test
    void incompleteResponseKeepsItsReasonAndFailedOnesAreStoredAsErrors() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(
                Script.stream(ResponsesEvents.created("resp_short"), ResponsesEvents.delta(1, "Once upon"),
                        ResponsesEvents.incomplete(2, "resp_short", "Once upon", "max_output_tokens")),
                Script.stream(ResponsesEvents.created("resp_fail"), ResponsesEvents.delta(1, "Half"),
                        ResponsesEvents.failed(2, "resp_fail", "The model failed")),
                Script.stream(ResponsesEvents.created("resp_err"), "event: error\ndata: {\"type\":\"error\","
                        + "\"code\":\"server_error\",\"message\":\"boom\",\"param\":null,\"sequence_number\":1}\n\n"));

        for (String input : List.of("story", "again", "once more")) {
            try (SseClient client = stream(request(input, true).put("conversation_id", conversationId))) {
                client.readToEnd();
            }
        }
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of("final", "final", "final", "error", "final", "error"), stored.getList("messages.status"));
        assertEquals("Once upon", stored.getString("messages[1].content"));
        assertEquals("max_output_tokens", stored.getString("messages[1].finish_reason"));
        assertEquals("resp_short", stored.getString("messages[1].response_id"));
        assertEquals("Half", stored.getString("messages[3].content"));
        assertEquals("resp_fail", stored.getString("messages[3].response_id"));
        assertEquals("resp_err", stored.getString("messages[5].response_id"));
    }

    @Test
    void clientDisconnectCancelsTheUpstreamAndStoresThePartialAnswerAsAborted() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.streamHead().write(ResponsesEvents.created("resp_gone"))
                .write(ResponsesEvents.delta(1, "partial")).await(new CompletableFuture<>()));

        try (SseClient client = stream(request("tell me", true).put("conversation_id", conversationId))) {
            assertEquals(ResponsesEvents.created("resp_gone"), client.nextEvent());
            assertEquals(ResponsesEvents.delta(1, "partial"), client.nextEvent());
        }
        // well before the 2 s idle timeout of the test profile: the relay itself closed it
        await().atMost(Duration.ofMillis(1500)).until(() -> upstream.lastRequest().closed().isDone());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonPath stored = Api.conversation(session, conversationId);
            assertEquals("aborted", stored.getString("messages[1].status"));
            assertEquals("partial", stored.getString("messages[1].content"));
            assertEquals("resp_gone", stored.getString("messages[1].response_id"));
        });
    }

    @Test
    void brokenUpstreamStreamEndsWithTheResponsesErrorEventAndStoresThePartialText() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.streamHead().write(ResponsesEvents.created("resp_cut"))
                .write(ResponsesEvents.delta(1, "half")).delay(Duration.ofMillis(20)).reset());

        try (SseClient client = stream(request("hi", true).put("conversation_id", conversationId))) {
            assertEquals(ResponsesEvents.created("resp_cut"), client.nextEvent());
            assertEquals(ResponsesEvents.delta(1, "half"), client.nextEvent());
            String error = client.nextEvent();
            assertTrue(error.startsWith("event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_error\""), error);
            assertNull(client.nextEvent(), "the Responses API has no [DONE]");
        }
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("error", stored.getString("messages[1].status"));
        assertEquals("half", stored.getString("messages[1].content"));
        assertEquals("resp_cut", stored.getString("messages[1].response_id"));
    }

    @Test
    void oneStreamedTurnWritesTheUserRowThenOneAssistantRowAndNothingWhileDeltasFlow() {
        String conversationId = Api.createConversation(session);
        CompletableFuture<Void> secondHalf = new CompletableFuture<>();
        upstream.enqueue(Script.streamHead()
                .paced(Duration.ofMillis(10), ResponsesEvents.created("resp_budget"), ResponsesEvents.delta(1, "one"),
                        ResponsesEvents.delta(2, " two"))
                .await(secondHalf)
                .paced(Duration.ofMillis(10), ResponsesEvents.delta(3, " three"),
                        ResponsesEvents.textDone(4, "one two three"),
                        ResponsesEvents.completed(5, "resp_budget", "one two three", 3, 3))
                .end());
        String userRowVersion;

        try (SseClient client = stream(request("count", true).put("conversation_id", conversationId))) {
            client.nextEvent();
            client.nextEvent();
            client.nextEvent();
            // Mid-stream, deltas delivered and more to come: the user row is the only row.
            List<List<Object>> rows = messageRows(conversationId);
            assertEquals(1, rows.size(), "only the user message exists while deltas flow");
            assertEquals("user", rows.get(0).get(1));
            userRowVersion = (String) rows.get(0).get(2);
            secondHalf.complete(null);
            client.readToEnd();
        }

        List<List<Object>> rows = messageRows(conversationId);
        assertEquals(List.of(1, 2), rows.stream().map(row -> row.get(0)).toList());
        assertEquals(userRowVersion, rows.get(0).get(2), "the user row was never rewritten");
        assertEquals("one two three", Api.conversation(session, conversationId).getString("messages[1].content"));
    }

    // ---------------------------------------------------------------- not streamed

    @Test
    void nonStreamedAnswerIsStoredFromItsOutputContent() {
        String conversationId = Api.createConversation(session);
        String body = ResponsesEvents.body("resp_json", "Paris.", 12, 2);
        upstream.enqueue(Script.json(200, body));

        as(session).body(request("capital of France?", false).put("conversation_id", conversationId).encode())
                .post(RESPONSES)
                .then().statusCode(200)
                .header("X-Conversation-Id", conversationId)
                .body(equalTo(body));
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("capital of France?", stored.getString("messages[0].content"));
        assertEquals("final", stored.getString("messages[1].status"));
        assertEquals("Paris.", stored.getString("messages[1].content"));
        assertEquals("resp_json", stored.getString("messages[1].response_id"));
        assertEquals("stop", stored.getString("messages[1].finish_reason"));
        assertEquals(14, stored.getInt("messages[1].usage.total_tokens"));
        assertEquals("/v1/responses", upstream.lastRequest().path());
    }

    @Test
    void nonStreamedAnswerIsStoredFromOutputTextWhenPresent() {
        String conversationId = Api.createConversation(session);
        String body = "{\"id\":\"resp_sdk\",\"object\":\"response\",\"status\":\"completed\",\"error\":null,"
                + "\"output_text\":\"From output_text\",\"output\":[],"
                + "\"usage\":{\"input_tokens\":3,\"output_tokens\":3,\"total_tokens\":6}}";
        upstream.enqueue(Script.json(200, body));

        as(session).body(request("hi", false).put("conversation_id", conversationId).encode())
                .post(RESPONSES)
                .then().statusCode(200).body(equalTo(body));
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("From output_text", stored.getString("messages[1].content"));
        assertEquals("resp_sdk", stored.getString("messages[1].response_id"));
        assertEquals(6, stored.getInt("messages[1].usage.total_tokens"));
    }

    @Test
    void lastUserItemOfAnInputArrayIsStoredAsSent() throws Exception {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.json(200, ResponsesEvents.body("resp_img", "A cat.", 30, 2)));
        String parts = "[{\"type\":\"input_text\",\"text\":\"What is in this image?\"},"
                + "{\"type\":\"input_image\",\"image_url\":\"https://example.com/cat.png\"}]";
        String body = "{\"model\":\"gpt-test\",\"conversation_id\":\"" + conversationId + "\",\"input\":["
                + "{\"role\":\"developer\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"earlier question\"},"
                + "{\"type\":\"message\",\"role\":\"assistant\","
                + "\"content\":[{\"type\":\"output_text\",\"text\":\"ok\"}]},"
                + "{\"type\":\"message\",\"role\":\"user\",\"content\":" + parts + "}]}";

        as(session).body(body).post(RESPONSES).then().statusCode(200);
        JsonNode stored = JSON.readTree(as(session).get("/v1/conversations/" + conversationId)
                .then().statusCode(200).extract().asString());
        assertEquals(2, stored.path("messages").size());
        assertEquals(JSON.readTree(parts), stored.at("/messages/0/content"));
        assertEquals("A cat.", stored.at("/messages/1/content").asText());
    }

    // ---------------------------------------------------------------- what goes upstream

    @Test
    void previousResponseIdIsForwardedFromTheBodyOrTheHeader() {
        upstream.enqueue(Script.json(200, ResponsesEvents.body("resp_a", "a", 1, 1)),
                Script.json(200, ResponsesEvents.body("resp_b", "b", 1, 1)),
                Script.json(200, ResponsesEvents.body("resp_c", "c", 1, 1)));

        given().contentType(ContentType.JSON).body(request("one", false).put("previous_response_id", "resp_body")
                .encode()).post(RESPONSES).then().statusCode(200);
        assertEquals("resp_body", upstreamBody().getString("previous_response_id"));

        given().contentType(ContentType.JSON).header("X-Previous-Response-Id", "resp_header")
                .body(request("two", false).encode()).post(RESPONSES).then().statusCode(200);
        assertEquals("resp_header", upstreamBody().getString("previous_response_id"));
        assertNull(upstream.lastRequest().header("X-Previous-Response-Id"), "sent as the body field only");

        // The body wins: the header only fills in for clients that cannot change the body.
        given().contentType(ContentType.JSON).header("X-Previous-Response-Id", "resp_header")
                .body(request("three", false).put("previous_response_id", "resp_body").encode())
                .post(RESPONSES).then().statusCode(200);
        assertEquals("resp_body", upstreamBody().getString("previous_response_id"));
    }

    @Test
    void conversationIdIsStrippedAndEverythingElseForwardedUnchanged() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.stream(ResponsesEvents.created("resp_fw"),
                ResponsesEvents.completed(1, "resp_fw", "", 1, 0)),
                Script.json(200, ResponsesEvents.body("resp_hdr", "ok", 1, 1)));
        String body = "{\"input\":\"hi\",\"stream\":true,\"conversation_id\":\"" + conversationId + "\","
                + "\"temperature\":0.70,\"reasoning\":{\"effort\":\"low\"},\"text\":{\"verbosity\":\"high\"},"
                + "\"x_vendor_field\":{\"nested\":[1,2.50,\"three\"]}}";

        try (SseClient client = SseClient.post(RESPONSES, body,
                Map.of("X-Session-Id", session, "Authorization", "Bearer client-secret"))) {
            client.readToEnd();
            assertEquals(conversationId, client.header("X-Conversation-Id"));
        }
        RecordedRequest sent = upstream.lastRequest();
        assertEquals("Bearer " + MockUpstreamResource.UPSTREAM_KEY, sent.header("Authorization"));
        JsonObject forwarded = new JsonObject(sent.body());
        assertFalse(forwarded.containsKey("conversation_id"));
        assertFalse(forwarded.containsKey("previous_response_id"), "nothing named one");
        assertEquals("gpt-4.1-mini", forwarded.getString("model"), "DEFAULT_MODEL fills a missing model");
        assertTrue(sent.body().contains("\"temperature\":0.70"), sent.body());
        assertTrue(sent.body().contains("\"x_vendor_field\":{\"nested\":[1,2.50,\"three\"]}"), sent.body());

        as(session).header("X-Conversation-Id", conversationId).body(request("via header", false).encode())
                .post(RESPONSES).then().statusCode(200).header("X-Conversation-Id", conversationId);
        assertFalse(upstreamBody().containsKey("conversation_id"));
        assertEquals(List.of("hi", "", "via header", "ok"),
                Api.conversation(session, conversationId).getList("messages.content"));
    }

    // ---------------------------------------------------------------- refused and failed

    @Test
    void invalidInputIsRefusedBeforeAnythingIsStoredOrSent() {
        for (String body : List.of("{\"model\":\"gpt-test\"}", "{\"input\":null}", "{\"input\":42}",
                "{\"input\":true}", "{\"input\":{\"role\":\"user\",\"content\":\"hi\"}}", "{\"input\":[]}",
                "{\"input\":[],\"stream\":true}")) {
            assertRefused(as(session).body(body).post(RESPONSES), "invalid_request_error", "invalid_input", "input");
        }
        Response effort = as(session).body(request("hi", true).put("reasoning", new JsonObject().put("effort", "extreme"))
                .encode()).post(RESPONSES);
        assertRefused(effort, "invalid_request_error", "invalid_value", "reasoning.effort");
        effort.then().body("error.message",
                equalTo("reasoning.effort must be one of none, minimal, low, medium, high, xhigh"));
        assertRefused(as(session).body(request("hi", false).put("text", new JsonObject().put("verbosity", "minimal"))
                .encode()).post(RESPONSES), "invalid_request_error", "invalid_value", "text.verbosity");
        for (String body : List.of("{\"input\":\"hi\"", "[{\"input\":\"hi\"}]", "\"hi\"", "")) {
            assertRefused(as(session).body(body).post(RESPONSES), "invalid_request_error", "invalid_json", null);
        }
        assertRefused(as(session).body(request("hi", false).put("conversation_id", "nope").encode()).post(RESPONSES),
                "invalid_request_error", "invalid_value", "conversation_id");
        assertEquals(0, Db.conversationsOfSession(session), "no conversation may be created");

        String conversationId = Api.createConversation(session);
        assertRefused(as(session).body("{\"input\":[],\"conversation_id\":\"" + conversationId + "\"}")
                .post(RESPONSES), "invalid_request_error", "invalid_input", "input");
        assertEquals(0, Db.messagesOfSession(session), "no message may be stored");
    }

    @Test
    void everyReasoningEffortOpenAiAcceptsIsForwarded() {
        List<String> efforts = List.of("none", "minimal", "low", "medium", "high", "xhigh");
        for (String effort : efforts) {
            upstream.enqueue(Script.json(200, ResponsesEvents.body("resp_effort", "ok", 1, 1)));
            given().contentType(ContentType.JSON)
                    .body(request("hi", false).put("reasoning", new JsonObject().put("effort", effort)).encode())
                    .post(RESPONSES).then().statusCode(200);
            assertEquals(effort, upstreamBody().getJsonObject("reasoning").getString("effort"));
        }
        assertEquals(efforts.size(), upstream.requestCount());
    }

    @Test
    void upstreamErrorIsRelayedUnchangedAndStoredAsError() {
        String conversationId = Api.createConversation(session);
        String body = "{\n  \"error\": {\n    \"message\": \"Previous response with id 'resp_old' not found.\",\n"
                + "    \"type\": \"invalid_request_error\",\n    \"param\": \"previous_response_id\",\n"
                + "    \"code\": \"previous_response_not_found\"\n  }\n}";
        upstream.enqueue(Script.json(400, body), Script.json(400, body));

        for (boolean stream : List.of(true, false)) {
            as(session).body(request("hi", stream).put("conversation_id", conversationId)
                    .put("previous_response_id", "resp_old").encode())
                    .post(RESPONSES)
                    .then().statusCode(400).body(equalTo(body));
        }
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of("user", "assistant", "user", "assistant"), stored.getList("messages.role"));
        assertEquals(List.of("final", "error", "final", "error"), stored.getList("messages.status"));
    }

    // ---------------------------------------------------------------- helpers

    private static JsonObject request(String input, boolean stream) {
        return new JsonObject().put("model", "gpt-test").put("stream", stream).put("input", input);
    }

    private SseClient stream(JsonObject body) {
        return SseClient.post(RESPONSES, body.encode(), Map.of("X-Session-Id", session));
    }

    private JsonObject upstreamBody() {
        return new JsonObject(upstream.lastRequest().body());
    }

    /** OpenAI's error envelope; the provider was not called and nothing was stored. */
    private void assertRefused(Response response, String type, String code, String param) {
        assertOpenAiError(response, 400, type, code, param);
        assertEquals(0, upstream.requestCount(), "the provider must not be called for a refused request");
        assertEquals(0, Db.messagesOfSession(session), "no message may be stored");
    }

    /** seq, role and row version ({@code xmin}: changes with every UPDATE) of a conversation's messages. */
    private static List<List<Object>> messageRows(String conversationId) {
        return Db.rows("select seq, role, xmin::text from messages where conversation_id = ?::uuid order by seq",
                conversationId);
    }
}
