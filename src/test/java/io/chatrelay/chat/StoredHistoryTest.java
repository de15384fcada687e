package io.chatrelay.chat;

import static io.chatrelay.testing.Api.as;
import static io.chatrelay.testing.Api.message;
import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * {@code X-History: stored}: the provider gets the conversation's stored messages between the
 * request's instructions and its new messages, which are all the client sends.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class StoredHistoryTest {

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;
    private String conversationId;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "history-" + UUID.randomUUID();
        conversationId = Api.createConversation(session);
    }

    @Test
    void streamedTurnSendsOnlyItsNewMessageAndTheProviderSeesTheWholeConversation() {
        upstream.enqueue(stream("First answer."), Script.json(200, Chunks.completion("Second answer.")),
                stream("Third answer."));
        streamTurn(Api.chat("First question", true), false);
        jsonTurn(Api.chat("Second question", false), false).then().statusCode(200);

        JsonObject third = new JsonObject().put("model", "gpt-test").put("stream", true).put("temperature", 0.25)
                .put("x_vendor_option", new JsonObject().put("keep", new JsonArray().add(1).add("two")))
                .put("messages", new JsonArray().add(message("system", "Be brief.")).add(message("user",
                        "Third question")));
        List<String> events = streamTurn(third.copy(), true);

        assertEquals(Chunks.DONE, events.get(events.size() - 1));
        JsonObject sent = new JsonObject(upstream.lastRequest().body());
        assertEquals(new JsonArray().add(message("system", "Be brief.")).add(message("user", "First question"))
                .add(message("assistant", "First answer.")).add(message("user", "Second question"))
                .add(message("assistant", "Second answer.")).add(message("user", "Third question")),
                sent.getJsonArray("messages"));
        third.remove("messages");
        sent.remove("messages");
        assertEquals(third, sent, "every other field goes upstream as the client sent it");

        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of(1, 2, 3, 4, 5, 6), stored.getList("messages.seq"));
        assertEquals("Third question", stored.getString("messages[4].content"));
        assertEquals("Third answer.", stored.getString("messages[5].content"));
        assertEquals(1, Db.number("select count(*) from messages where conversation_id = ?::uuid"
                + " and content = '\"Third question\"'::jsonb", conversationId),
                "the turn's user message is stored once");
    }

    @Test
    void jsonTurnGetsTheStoredHistoryWithTheConversationNamedByItsHeader() {
        String completion = Chunks.completion("Paris, still.");
        upstream.enqueue(Script.json(200, Chunks.completion("Paris.")), Script.json(200, completion));
        jsonTurn(Api.chat("Capital of France?", false), false).then().statusCode(200);

        given().header("X-Session-Id", session).header("X-Conversation-Id", conversationId)
                .header("X-History", "stored").contentType(ContentType.JSON)
                .body(Api.chat("Still?", false).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200)
                .header("X-Conversation-Id", conversationId)
                .body(equalTo(completion));

        assertEquals(new JsonArray().add(message("user", "Capital of France?")).add(message("assistant", "Paris."))
                .add(message("user", "Still?")),
                new JsonObject(upstream.lastRequest().body()).getJsonArray("messages"));
        assertEquals(List.of("user", "assistant", "user", "assistant"),
                Api.conversation(session, conversationId).getList("messages.role"));
    }

    @Test
    void toolLoopTurnIsReplayedAsToolCallsWithToolMessagesAndTheLoopGetsTheHistoryToo() {
        upstream.enqueue(toolStep("call_time", "get_time"), stream("It is noon."),
                Script.json(200, Chunks.toolCallCompletion("call_again", "get_time", "{}")),
                Script.json(200, Chunks.completion("Still noon.")));
        streamTurn(withTools(Api.chat("What time is it?", true), "get_time"), false);
        String output = Api.conversation(session, conversationId).getString("messages[1].tool_calls[0].output");
        assertTrue(output.contains("time zone"), output);

        JsonPath answer = jsonTurn(withTools(Api.chat("And now?", false), "get_time"), true)
                .then().statusCode(200).extract().jsonPath();
        assertEquals("Still noon.", answer.getString("choices[0].message.content"));

        JsonArray history = new JsonArray().add(message("user", "What time is it?"))
                .add(message("assistant", "It is noon.").put("tool_calls", new JsonArray().add(call("call_time"))))
                .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_time").put("content", output))
                .add(message("user", "And now?"));
        List<MockUpstream.RecordedRequest> requests = upstream.requests();
        assertEquals(4, requests.size());
        assertEquals(history, new JsonObject(requests.get(2).body()).getJsonArray("messages"));
        JsonArray secondStep = new JsonObject(requests.get(3).body()).getJsonArray("messages");
        JsonArray secondStepStart = new JsonArray();
        for (int i = 0; i < history.size(); i++) {
            secondStepStart.add(secondStep.getJsonObject(i));
        }
        assertEquals(history, secondStepStart, "the loop's next call keeps the history before its own step");
        assertEquals("call_again", secondStep.getJsonObject(history.size()).getJsonArray("tool_calls")
                .getJsonObject(0).getString("id"));
        assertEquals("tool", secondStep.getJsonObject(history.size() + 1).getString("role"));
    }

    @Test
    void failedTurnsKeepTheirPartialAnswerAndErrorsWithoutContentAreLeftOut() {
        upstream.enqueue(Script.json(500, "{\"error\":{\"message\":\"boom\"}}"),
                Script.streamHead().write(Chunks.content("Half an")).delay(Duration.ofMillis(20)).reset(),
                Script.json(200, Chunks.completion("Whole.")));
        jsonTurn(Api.chat("One", false), false).then().statusCode(500);
        streamTurn(Api.chat("Two", true), false);
        await().atMost(Duration.ofSeconds(10)).until(() -> Api.conversation(session, conversationId)
                .getList("messages").size() == 4);
        assertEquals(List.of("final", "error", "final", "error"),
                Api.conversation(session, conversationId).getList("messages.status"));

        jsonTurn(Api.chat("Three", false), true).then().statusCode(200);

        assertEquals(new JsonArray().add(message("user", "One")).add(message("user", "Two"))
                .add(message("assistant", "Half an")).add(message("user", "Three")),
                new JsonObject(upstream.lastRequest().body()).getJsonArray("messages"));
    }

    @Test
    void clientToolCallsAreReplayedOnlyWhereTheirResultsFollow() {
        JsonObject lookup = new JsonObject().put("type", "function").put("function", new JsonObject()
                .put("name", "lookup_order").put("parameters", new JsonObject().put("type", "object")));
        upstream.enqueue(Script.json(200, Chunks.toolCallCompletion("call_c", "lookup_order", "{\"id\":7}")),
                Script.json(200, Chunks.completion("It shipped.")), Script.json(200, Chunks.completion("Welcome.")));
        jsonTurn(Api.chat("Where is order 7?", false).put("tools", new JsonArray().add(lookup)), false)
                .then().statusCode(200).body("choices[0].finish_reason", equalTo("tool_calls"));

        // The client ran its tool and sends only the result.
        JsonObject result = new JsonObject().put("model", "gpt-test").put("stream", false)
                .put("tools", new JsonArray().add(lookup)).put("messages", new JsonArray().add(new JsonObject()
                        .put("role", "tool").put("tool_call_id", "call_c").put("content", "shipped")));
        jsonTurn(result, true).then().statusCode(200);
        JsonObject callC = new JsonObject().put("id", "call_c").put("type", "function").put("function",
                new JsonObject().put("name", "lookup_order").put("arguments", "{\"id\":7}"));
        assertEquals(new JsonArray().add(message("user", "Where is order 7?"))
                .add(new JsonObject().put("role", "assistant").putNull("content")
                        .put("tool_calls", new JsonArray().add(callC)))
                .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_c").put("content", "shipped")),
                new JsonObject(upstream.lastRequest().body()).getJsonArray("messages"));

        // Later, that result is not stored: the call is left out rather than sent without it.
        jsonTurn(Api.chat("Thanks", false), true).then().statusCode(200);
        assertEquals(new JsonArray().add(message("user", "Where is order 7?"))
                .add(message("assistant", "It shipped.")).add(message("user", "Thanks")),
                new JsonObject(upstream.lastRequest().body()).getJsonArray("messages"));
    }

    @Test
    void anotherValueOfTheHeaderIsRefusedBeforeAnythingHappens() {
        assertOpenAiError(as(session).header("X-History", "all")
                .body(Api.chat("hi", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions"), 400, "invalid_request_error", "invalid_value", "X-History");

        assertEquals(0, upstream.requestCount());
        assertEquals(0, Db.messagesOfSession(session));
    }

    @Test
    void storedHistoryWithoutAConversationIsMissingConversation() {
        assertOpenAiError(as(session).header("X-History", "stored").body(Api.chat("hi", true).encode())
                .post("/v1/chat/completions"), 400, "invalid_request_error", "missing_conversation", null);

        assertEquals(0, upstream.requestCount());
        assertEquals(1, Db.conversationsOfSession(session), "no conversation is created");
        assertEquals(0, Db.messagesOfSession(session));
    }

    @Test
    void storedHistoryOfANamedConversationWithoutASessionIsMissingSession() {
        assertOpenAiError(given().header("X-History", "stored").contentType(ContentType.JSON)
                .body(Api.chat("hi", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions"), 400, "invalid_request_error", "missing_session", null);

        assertEquals(0, upstream.requestCount());
    }

    @Test
    void anotherSessionsOrAnUnknownConversationIsNotFoundAndNothingIsStoredOrSent() {
        upstream.enqueue(Script.json(200, Chunks.completion("Private answer.")));
        jsonTurn(Api.chat("Private question", false), false).then().statusCode(200);
        upstream.reset();
        String intruder = "history-other-" + UUID.randomUUID();

        for (String id : List.of(conversationId, UUID.randomUUID().toString())) {
            assertOpenAiError(as(intruder).header("X-History", "stored")
                    .body(Api.chat("show me", false).put("conversation_id", id).encode())
                    .post("/v1/chat/completions"), 404, "not_found_error", "conversation_not_found", null);
            try (SseClient client = SseClient.post("/v1/chat/completions",
                    Api.chat("show me", true).put("conversation_id", id).encode(),
                    Map.of("X-Session-Id", intruder, "X-History", "stored", "Accept", "text/event-stream"))) {
                assertEquals(404, client.status());
            }
        }

        assertEquals(0, upstream.requestCount());
        assertEquals(0, Db.conversationsOfSession(intruder));
        assertEquals(2, Db.messagesOfSession(session));
    }

    @Test
    void aConversationWithoutMessagesAddsNothing() {
        upstream.enqueue(Script.json(200, Chunks.completion("First answer.")));

        jsonTurn(Api.chat("First question", false), true).then().statusCode(200);

        assertEquals(new JsonArray().add(message("user", "First question")),
                new JsonObject(upstream.lastRequest().body()).getJsonArray("messages"));
        assertEquals(List.of("user", "assistant"), Api.conversation(session, conversationId).getList("messages.role"));
    }

    private List<String> streamTurn(JsonObject body, boolean storedHistory) {
        body.put("conversation_id", conversationId);
        Map<String, String> headers = storedHistory
                ? Map.of("X-Session-Id", session, "X-History", "stored", "Accept", "text/event-stream")
                : Map.of("X-Session-Id", session, "Accept", "text/event-stream");
        List<String> events = new ArrayList<>();
        try (SseClient client = SseClient.post("/v1/chat/completions", body.encode(), headers)) {
            assertEquals(200, client.status());
            assertEquals(conversationId, client.header("X-Conversation-Id"));
            String event;
            while ((event = client.nextEvent()) != null) {
                events.add(event);
            }
        }
        return events;
    }

    private io.restassured.response.Response jsonTurn(JsonObject body, boolean storedHistory) {
        var request = as(session);
        if (storedHistory) {
            request = request.header("X-History", "stored");
        }
        return request.body(body.put("conversation_id", conversationId).encode()).post("/v1/chat/completions");
    }

    private static JsonObject call(String id) {
        return new JsonObject().put("id", id).put("type", "function").put("function",
                new JsonObject().put("name", "get_time").put("arguments", "{}"));
    }

    private static Script stream(String text) {
        return Script.stream(Chunks.role(), Chunks.content(text), Chunks.finish("stop"), Chunks.DONE);
    }

    private static Script toolStep(String id, String name) {
        return Script.stream(Chunks.toolCallStart(0, id, name), Chunks.toolCallArguments(0, "{}"),
                Chunks.finish("tool_calls"), Chunks.DONE);
    }

    private static JsonObject withTools(JsonObject body, String... names) {
        JsonArray tools = new JsonArray();
        for (String name : names) {
            tools.add(name);
        }
        return body.put("tools", tools);
    }
}
