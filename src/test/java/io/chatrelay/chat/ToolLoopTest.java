package io.chatrelay.chat;

import static io.chatrelay.testing.Api.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

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
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class ToolLoopTest {

    private final MockUpstream upstream = MockUpstream.shared();
    private final MockUpstream search = MockUpstream.searchApi();
    private String session;
    private String conversationId;

    @BeforeEach
    void setUp() {
        upstream.reset();
        search.reset();
        session = "tools-" + UUID.randomUUID();
        conversationId = Api.createConversation(session);
    }

    @Test
    void fragmentedToolCallIsRunAndTheModelAnswersWithItsOutput() {
        String[] firstStep = { Chunks.role(), Chunks.toolCallStart(0, "call_time", "get_"),
                Chunks.toolCallArguments(0, "").replace("\"function\":{\"arguments\":\"\"}",
                        "\"function\":{\"name\":\"time\",\"arguments\":\"\"}"),
                Chunks.toolCallArguments(0, "{"), Chunks.toolCallArguments(0, "}"), Chunks.finish("tool_calls") };
        String[] secondStep = { Chunks.content("It is "), Chunks.content("noon."), Chunks.finish("stop") };
        upstream.enqueue(stream(firstStep), stream(secondStep));

        List<String> events = streamTurn(withTools(Api.chat("what time is it?", true), "get_time"));

        // Both steps' events reach the client unchanged, the provider's [DONE] of the first is dropped,
        // a tool_output chunk sits between the steps, and one [DONE] ends the turn.
        assertEquals(List.of(firstStep), events.subList(0, firstStep.length));
        JsonObject toolOutput = data(events.get(firstStep.length)).getJsonArray("choices").getJsonObject(0)
                .getJsonObject("delta").getJsonObject("tool_output");
        assertEquals("call_time", toolOutput.getString("tool_call_id"));
        assertEquals("get_time", toolOutput.getString("name"));
        assertTrue(toolOutput.getString("output").contains("time zone"), toolOutput.getString("output"));
        assertEquals(List.of(secondStep), events.subList(firstStep.length + 1, events.size() - 1));
        assertEquals(Chunks.DONE, events.get(events.size() - 1));

        assertEquals(2, upstream.requestCount());
        JsonArray sentTools = new JsonObject(upstream.requests().get(0).body()).getJsonArray("tools");
        assertEquals("get_time", sentTools.getJsonObject(0).getJsonObject("function").getString("name"));
        assertTrue(sentTools.getJsonObject(0).getJsonObject("function").containsKey("parameters"),
                "the provider gets the server's full spec");
        JsonArray secondMessages = new JsonObject(upstream.requests().get(1).body()).getJsonArray("messages");
        JsonObject assistant = secondMessages.getJsonObject(1);
        assertEquals("assistant", assistant.getString("role"));
        JsonObject call = assistant.getJsonArray("tool_calls").getJsonObject(0);
        assertEquals("get_time", call.getJsonObject("function").getString("name"));
        assertEquals("{}", call.getJsonObject("function").getString("arguments"));
        JsonObject toolMessage = secondMessages.getJsonObject(2);
        assertEquals("tool", toolMessage.getString("role"));
        assertEquals("call_time", toolMessage.getString("tool_call_id"));
        assertEquals(toolOutput.getString("output"), toolMessage.getString("content"));

        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of("user", "assistant"), stored.getList("messages.role"));
        assertEquals("It is noon.", stored.getString("messages[1].content"));
        assertEquals("stop", stored.getString("messages[1].finish_reason"));
        assertEquals("get_time", stored.getString("messages[1].tool_calls[0].function.name"));
        assertEquals(toolOutput.getString("output"), stored.getString("messages[1].tool_calls[0].output"));
    }

    @Test
    void severalCallsInOneStepRunInParallelAndAllOutputsGoBack() {
        search.enqueue(Script.json(200, "{\"answer\":\"Quarkus 3.33 is an LTS release.\",\"results\":[]}"));
        upstream.enqueue(stream(Chunks.toolCallStart(0, "call_a", "get_time"), Chunks.toolCallArguments(0, "{}"),
                Chunks.toolCallStart(1, "call_b", "web_search"),
                Chunks.toolCallArguments(1, "{\"query\":\"quarkus lts\"}"), Chunks.finish("tool_calls")),
                stream(Chunks.content("Done."), Chunks.finish("stop")));

        List<String> events = streamTurn(withTools(Api.chat("time and news", true), "get_time", "web_search"));

        List<String> outputs = events.stream().filter(e -> e.contains("tool_output")).toList();
        assertEquals(2, outputs.size());
        assertEquals(1, search.requestCount());
        JsonArray messages = new JsonObject(upstream.requests().get(1).body()).getJsonArray("messages");
        assertEquals("call_a", messages.getJsonObject(2).getString("tool_call_id"));
        assertEquals("call_b", messages.getJsonObject(3).getString("tool_call_id"));
        assertTrue(messages.getJsonObject(3).getString("content").contains("LTS release"));
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of("call_a", "call_b"), stored.getList("messages[1].tool_calls.id"));
        assertTrue(stored.getString("messages[1].tool_calls[1].output").contains("LTS release"));
    }

    @Test
    void webSearchQueriesTheSearchApiAndTheModelGetsItsAnswerAndResultsAsText() {
        search.enqueue(Script.json(200, "{\"query\":\"quarkus native\",\"answer\":\"Quarkus builds native"
                + " executables.\",\"images\":[],\"follow_up_questions\":null,\"results\":["
                + "{\"title\":\"Native executables\",\"url\":\"https://example.com/native\",\"content\":\"Build one"
                + "\\nwith GraalVM.\",\"score\":0.93,\"raw_content\":null},"
                + "{\"title\":\"Native reference\",\"url\":\"https://example.com/reference\",\"content\":\"Reflection"
                + " and resources.\",\"score\":0.71,\"raw_content\":null}],\"response_time\":0.42}"));
        upstream.enqueue(toolStep("call_s", "web_search", "{\"query\":\"quarkus native\"}"),
                stream(Chunks.content("See the guides."), Chunks.finish("stop")));

        List<String> events = streamTurn(withTools(Api.chat("how do I go native?", true), "web_search"));

        String expected = "Answer: Quarkus builds native executables.\n"
                + "1. Native executables — https://example.com/native\n   Build one with GraalVM.\n"
                + "2. Native reference — https://example.com/reference\n   Reflection and resources.";
        assertEquals(1, search.requestCount());
        MockUpstream.RecordedRequest searched = search.lastRequest();
        assertEquals("/search", searched.path());
        assertEquals("Bearer " + MockUpstreamResource.SEARCH_KEY, searched.header("Authorization"));
        assertEquals(new JsonObject().put("query", "quarkus native").put("max_results", 5)
                .put("include_answer", true).put("search_depth", "basic"), new JsonObject(searched.body()));
        JsonObject toolOutput = events.stream().filter(e -> e.contains("tool_output")).map(ToolLoopTest::data)
                .findFirst().orElseThrow().getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
                .getJsonObject("tool_output");
        assertEquals("web_search", toolOutput.getString("name"));
        assertEquals(expected, toolOutput.getString("output"));
        JsonArray messages = new JsonObject(upstream.requests().get(1).body()).getJsonArray("messages");
        assertEquals("call_s", messages.getJsonObject(2).getString("tool_call_id"));
        assertEquals(expected, messages.getJsonObject(2).getString("content"));
        assertEquals(expected, Api.conversation(session, conversationId).getString("messages[1].tool_calls[0].output"));
    }

    @Test
    void sequentialIterationsEachGetTheirToolResults() {
        upstream.enqueue(toolStep("call_1", "get_time", "{}"), toolStep("call_2", "get_time", "{}"),
                stream(Chunks.content("Twice checked."), Chunks.finish("stop")));

        List<String> events = streamTurn(withTools(Api.chat("check twice", true), "get_time"));

        assertEquals(3, upstream.requestCount());
        assertEquals(2, events.stream().filter(e -> e.contains("tool_output")).count());
        assertEquals(1, events.stream().filter(Chunks.DONE::equals).count());
        assertEquals(5, new JsonObject(upstream.requests().get(2).body()).getJsonArray("messages").size(),
                "user, assistant+tool, assistant+tool");
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of("call_1", "call_2"), stored.getList("messages[1].tool_calls.id"));
    }

    @Test
    void failingToolBecomesItsResultTextAndTheLoopGoesOn() {
        upstream.enqueue(toolStep("call_bad", "web_search", "{\"query\":"),
                stream(Chunks.content("Sorry."), Chunks.finish("stop")));

        List<String> events = streamTurn(withTools(Api.chat("search", true), "web_search"));

        String expected = "Tool web_search failed: arguments are not valid JSON";
        assertTrue(events.stream().anyMatch(e -> e.contains(expected)), String.join("", events));
        JsonArray messages = new JsonObject(upstream.requests().get(1).body()).getJsonArray("messages");
        assertEquals(expected, messages.getJsonObject(2).getString("content"));
        assertEquals(0, search.requestCount());
        assertEquals("final", Api.conversation(session, conversationId).getString("messages[1].status"));
    }

    @Test
    void callOfAToolNobodyDeclaredFailsAsUnknownAndTheLoopGoesOn() {
        upstream.enqueue(toolStep("call_x", "get_weather", "{}"),
                stream(Chunks.content("No weather today."), Chunks.finish("stop")));

        List<String> events = streamTurn(withTools(Api.chat("weather?", true), "get_time"));

        assertEquals(2, upstream.requestCount());
        JsonArray messages = new JsonObject(upstream.requests().get(1).body()).getJsonArray("messages");
        assertEquals("Tool get_weather failed: unknown tool", messages.getJsonObject(2).getString("content"));
        assertTrue(events.stream().anyMatch(e -> e.contains("Tool get_weather failed: unknown tool")));
    }

    @Test
    void aBareToolNameTheServerDoesNotHaveIsRefusedBeforeAnythingHappens() {
        String body = withTools(Api.chat("hi", true), "get_time", "teleport").put("conversation_id", conversationId)
                .encode();

        as(session).body(body).post("/v1/chat/completions")
                .then().statusCode(400)
                .body("error.code", equalTo("invalid_value"))
                .body("error.param", equalTo("tools"));
        assertEquals(0, upstream.requestCount());
        assertEquals(0, Db.number("select count(*) from messages where conversation_id = ?::uuid", conversationId));
    }

    @Test
    void iterationCapEndsTheTurnCleanlyWithLength() {
        for (int i = 0; i < 10; i++) {
            upstream.enqueue(toolStep("call_" + i, "get_time", "{}"));
        }

        List<String> events = streamTurn(withTools(Api.chat("loop forever", true), "get_time"));

        assertEquals(10, upstream.requestCount(), "MAX_TOOL_ITERATIONS provider calls, not one more");
        assertEquals(9, events.stream().filter(e -> e.contains("tool_output")).count());
        JsonObject last = data(events.get(events.size() - 2));
        assertEquals("length", last.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertEquals(Chunks.DONE, events.get(events.size() - 1));
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("length", stored.getString("messages[1].finish_reason"));
        assertEquals(10, stored.getList("messages[1].tool_calls").size());
        assertNull(stored.get("messages[1].tool_calls[9].output"), "the capped step's call was not run");
    }

    @Test
    void clientToolsArePassedThroughAndNeverRun() {
        JsonObject clientTool = new JsonObject().put("type", "function").put("function", new JsonObject()
                .put("name", "lookup_order").put("parameters", new JsonObject().put("type", "object")));
        String[] step = { Chunks.toolCallStart(0, "call_c", "lookup_order"), Chunks.toolCallArguments(0, "{}"),
                Chunks.finish("tool_calls") };
        upstream.enqueue(stream(step));

        JsonObject body = Api.chat("where is my order", true).put("tools", new JsonArray().add(clientTool));
        List<String> events = streamTurn(body);

        assertEquals(List.of(step[0], step[1], step[2], Chunks.DONE), events);
        assertEquals(1, upstream.requestCount());
        assertEquals(clientTool, new JsonObject(upstream.lastRequest().body()).getJsonArray("tools").getJsonObject(0));
        assertEquals("tool_calls", Api.conversation(session, conversationId).getString("messages[1].finish_reason"));
    }

    @Test
    void mixedRequestRunsServerToolsAndHandsAClientCallBack() {
        JsonObject clientTool = new JsonObject().put("type", "function").put("function", new JsonObject()
                .put("name", "lookup_order").put("parameters", new JsonObject().put("type", "object")));
        upstream.enqueue(stream(Chunks.toolCallStart(0, "call_t", "get_time"), Chunks.toolCallArguments(0, "{}"),
                Chunks.toolCallStart(1, "call_c", "lookup_order"), Chunks.toolCallArguments(1, "{\"id\":7}"),
                Chunks.finish("tool_calls")));

        JsonObject body = withTools(Api.chat("time and order", true), "get_time");
        body.getJsonArray("tools").add(clientTool);
        List<String> events = streamTurn(body);

        assertEquals(1, upstream.requestCount(), "the turn ends with the client's call");
        assertEquals(1, events.stream().filter(e -> e.contains("tool_output")).count());
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("tool_calls", stored.getString("messages[1].finish_reason"));
        assertEquals(List.of("call_t", "call_c"), stored.getList("messages[1].tool_calls.id"));
        assertNull(stored.get("messages[1].tool_calls[1].output"));
    }

    @Test
    void disconnectMidLoopStopsItAndStoresTheTurnAsAborted() {
        upstream.enqueue(toolStep("call_time", "get_time", "{}"),
                Script.streamHead().write(Chunks.content("Half")).await(new CompletableFuture<>()));

        try (SseClient client = Api.stream(session, withTools(Api.chat("time?", true), "get_time")
                .put("conversation_id", conversationId))) {
            String event;
            do {
                event = client.nextEvent();
                assertTrue(event != null, "the stream ended before the content chunk");
            } while (!Chunks.content("Half").equals(event));
            // Mid-loop the turn has written nothing but its user message.
            assertEquals(1, Db.number("select count(*) from messages where conversation_id = ?::uuid",
                    conversationId));
        }
        await().atMost(Duration.ofMillis(1500)).until(() -> upstream.lastRequest().closed().isDone());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonPath stored = Api.conversation(session, conversationId);
            assertEquals("aborted", stored.getString("messages[1].status"));
            assertEquals("Half", stored.getString("messages[1].content"));
            assertFalse(stored.getString("messages[1].tool_calls[0].output").isEmpty());
        });
        assertEquals(2, Db.number("select count(*) from messages where conversation_id = ?::uuid", conversationId));
    }

    @Test
    void nonStreamedTurnReturnsTheFinalCompletionWithToolEvents() {
        upstream.enqueue(Script.json(200, Chunks.toolCallCompletion("call_time", "get_time", "{}")),
                Script.json(200, Chunks.completion("It is late.")));

        JsonPath answer = as(session).body(withTools(Api.chat("time?", false), "get_time")
                .put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200).body("choices[0].message.content", equalTo("It is late."))
                .extract().jsonPath();

        assertEquals(List.of("tool_call", "tool_output"), answer.getList("tool_events.type"));
        assertEquals("get_time", answer.getString("tool_events[0].value.function.name"));
        assertEquals("call_time", answer.getString("tool_events[1].value.tool_call_id"));
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("It is late.", stored.getString("messages[1].content"));
        assertEquals(answer.getString("tool_events[1].value.output"),
                stored.getString("messages[1].tool_calls[0].output"));
        assertEquals(22, stored.getInt("messages[1].usage.total_tokens"), "usage of both calls added up");
    }

    private List<String> streamTurn(JsonObject body) {
        body.put("conversation_id", conversationId);
        List<String> events = new ArrayList<>();
        try (SseClient client = Api.stream(session, body)) {
            assertEquals(200, client.status());
            String event;
            while ((event = client.nextEvent()) != null) {
                events.add(event);
            }
        }
        return events;
    }

    private static Script stream(String... events) {
        String[] withDone = new String[events.length + 1];
        System.arraycopy(events, 0, withDone, 0, events.length);
        withDone[events.length] = Chunks.DONE;
        return Script.stream(withDone);
    }

    private static Script toolStep(String id, String name, String arguments) {
        return stream(Chunks.toolCallStart(0, id, name), Chunks.toolCallArguments(0, arguments),
                Chunks.finish("tool_calls"));
    }

    private static JsonObject withTools(JsonObject body, String... names) {
        JsonArray tools = new JsonArray();
        for (String name : names) {
            tools.add(name);
        }
        return body.put("tools", tools);
    }

    private static JsonObject data(String event) {
        return new JsonObject(event.substring("data: ".length()).trim());
    }
}
