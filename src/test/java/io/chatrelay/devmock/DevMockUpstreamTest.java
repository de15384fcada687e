package io.chatrelay.devmock;

import static io.chatrelay.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The relay with the dev mock as its provider, as in dev mode: the Responses API's whole event
 * sequence, the models, and a {@code get_time} round trip through the relay's tool loop.
 */
@QuarkusTest
@TestProfile(DevMockUpstreamTest.Profile.class)
class DevMockUpstreamTest {

    /**
     * Points the relay at the mock under its own HTTP port. That port must be known before the
     * service starts, because the base URL is read at start-up: a free one is picked here.
     */
    public static class Profile implements QuarkusTestProfile {

        private static final int PORT = freePort();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.test-port", String.valueOf(PORT),
                    "relay.upstream.base-url", "http://localhost:" + PORT + "/dev/mock-upstream/v1");
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final List<String> BEFORE_DELTAS = List.of("response.created", "response.in_progress",
            "response.output_item.added", "response.content_part.added");
    private static final List<String> AFTER_DELTAS = List.of("response.output_text.done",
            "response.content_part.done", "response.output_item.done", "response.completed");
    private static final String DEFAULT_MODEL = "gpt-4.1-mini";

    private String session;

    @BeforeEach
    void setUp() {
        session = "devmock-" + UUID.randomUUID();
    }

    @Test
    void healthzNamesTheDevMockAsTheProvider() {
        given().get("/healthz").then().statusCode(200)
                .body("provider", equalTo("dev-mock"))
                .body("status", equalTo("ok"));
    }

    // ---------------------------------------------------------------- Responses API

    @Test
    void responsesStreamHasOpenAisWholeEventSequence() {
        String input = "Hello from the dev mock";
        List<String> names = new ArrayList<>();
        List<JsonObject> events = new ArrayList<>();
        String conversationId;
        try (SseClient client = SseClient.post("/v1/responses", new JsonObject().put("stream", true)
                .put("input", input).encode(), Map.of("X-Session-Id", session))) {
            assertEquals(200, client.status());
            assertTrue(client.header("Content-Type").startsWith("text/event-stream"));
            conversationId = client.header("X-Conversation-Id");
            String event;
            while ((event = client.nextEvent()) != null) {
                String[] lines = event.strip().split("\n");
                assertEquals(2, lines.length, event);
                assertTrue(lines[0].startsWith("event: "), event);
                assertTrue(lines[1].startsWith("data: "), event);
                names.add(lines[0].substring("event: ".length()));
                events.add(new JsonObject(lines[1].substring("data: ".length())));
            }
        }

        int deltas = events.size() - BEFORE_DELTAS.size() - AFTER_DELTAS.size();
        assertEquals(5, deltas, "one delta per word: " + names);
        List<String> expected = new ArrayList<>(BEFORE_DELTAS);
        for (int i = 0; i < deltas; i++) {
            expected.add("response.output_text.delta");
        }
        expected.addAll(AFTER_DELTAS);
        assertEquals(expected, names);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            JsonObject event = events.get(i);
            assertEquals(names.get(i), event.getString("type"), "the event line names the data's type");
            assertEquals(i, event.getInteger("sequence_number"), "numbered from 0 without gaps: " + event);
            if ("response.output_text.delta".equals(names.get(i))) {
                text.append(event.getString("delta"));
            }
        }
        assertEquals(input, text.toString());

        JsonObject created = events.get(0).getJsonObject("response");
        assertEquals("in_progress", created.getString("status"));
        assertTrue(created.getJsonArray("output").isEmpty());
        JsonObject added = events.get(2).getJsonObject("item");
        assertEquals("message", added.getString("type"));
        assertEquals("in_progress", added.getString("status"));
        assertEquals("assistant", added.getString("role"));
        String itemId = added.getString("id");
        assertNotNull(itemId);
        for (JsonObject event : events.subList(3, events.size() - 2)) {
            assertEquals(itemId, event.getString("item_id"), event.encode());
            assertEquals(0, event.getInteger("output_index"), event.encode());
            assertEquals(0, event.getInteger("content_index"), event.encode());
        }
        assertEquals(input, events.get(events.size() - 4).getString("text"), "output_text.done");
        assertEquals(input, events.get(events.size() - 3).getJsonObject("part").getString("text"));
        JsonObject doneItem = events.get(events.size() - 2).getJsonObject("item");
        assertEquals(itemId, doneItem.getString("id"));
        assertEquals("completed", doneItem.getString("status"));

        JsonObject completed = events.get(events.size() - 1).getJsonObject("response");
        assertEquals(created.getString("id"), completed.getString("id"));
        assertEquals("completed", completed.getString("status"));
        JsonArray output = completed.getJsonArray("output");
        assertEquals(1, output.size(), "the finished message");
        assertEquals(doneItem, output.getJsonObject(0));
        JsonObject part = output.getJsonObject(0).getJsonArray("content").getJsonObject(0);
        assertEquals("output_text", part.getString("type"));
        assertEquals(input, part.getString("text"));
        assertTrue(completed.getJsonObject("usage").getInteger("total_tokens") > 0);
        assertEquals(DEFAULT_MODEL, completed.getString("model"));

        // The relay folded the stream as it does a real provider's.
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(input, stored.getString("messages[1].content"));
        assertEquals("final", stored.getString("messages[1].status"));
        assertEquals(completed.getString("id"), stored.getString("messages[1].response_id"));
    }

    @Test
    void responsesJsonAnswerIsTheCompletedResponse() {
        JsonPath response = given().contentType(ContentType.JSON)
                .body(new JsonObject().put("model", "gpt-test").put("input", new JsonArray()
                        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                                .add(new JsonObject().put("type", "input_text").put("text", "Echo me")))))
                        .encode())
                .post("/v1/responses").then().statusCode(200).contentType(ContentType.JSON)
                .extract().jsonPath();
        assertEquals("response", response.getString("object"));
        assertEquals("completed", response.getString("status"));
        assertEquals("gpt-test", response.getString("model"));
        assertEquals("message", response.getString("output[0].type"));
        assertEquals("completed", response.getString("output[0].status"));
        assertEquals("Echo me", response.getString("output[0].content[0].text"));
        assertEquals(2, response.getInt("usage.output_tokens"));
    }

    @Test
    void openAiSdkFoldsTheMocksStreamsThroughTheRelay() {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + RestAssured.port + "/v1").apiKey("sk-any").maxRetries(0).build();
        try {
            ResponseAccumulator responses = ResponseAccumulator.createWithSnapshots();
            try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
                    ResponseCreateParams.builder().model(DEFAULT_MODEL).input("Stream me, SDK").build())) {
                stream.stream().forEach(event -> responses.accumulate(event.validate()));
            }
            Response response = responses.response();
            assertEquals("Stream me, SDK", response.output().get(0).asMessage().content().get(0).asOutputText()
                    .text());
            assertEquals(response, responses.reconstructedResponse());

            ChatCompletionAccumulator chat = ChatCompletionAccumulator.create();
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model(DEFAULT_MODEL).addUserMessage("Chat with me").build())) {
                stream.stream().forEach(chunk -> chat.accumulate(chunk.validate()));
            }
            assertEquals("Chat with me", chat.chatCompletion().choices().get(0).message().content().orElseThrow());

            assertEquals(List.of(DEFAULT_MODEL), client.models().list().data().stream().map(Model::id).toList());
        } finally {
            client.close();
        }
    }

    // ---------------------------------------------------------------- models

    @Test
    void modelsListTheDefaultModelInOpenAisShape() {
        JsonPath list = given().get("/v1/models").then().statusCode(200).contentType(ContentType.JSON)
                .extract().jsonPath();
        assertEquals("list", list.getString("object"));
        assertEquals(List.of(DEFAULT_MODEL), list.getList("data.id"));
        assertEquals("model", list.getString("data[0].object"));
        assertTrue(list.getLong("data[0].created") > 0);
        assertNotNull(list.getString("data[0].owned_by"));

        given().get("/v1/models/" + DEFAULT_MODEL).then().statusCode(200)
                .body("id", equalTo(DEFAULT_MODEL)).body("object", equalTo("model"));
        given().get("/v1/models/gpt-unknown").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"))
                .body("error.type", equalTo("invalid_request_error"));
    }

    // ---------------------------------------------------------------- get_time through the tool loop

    @Test
    void streamedTimeQuestionRunsGetTimeAndTheAnswerUsesItsOutput() {
        List<String> events = new ArrayList<>();
        String conversationId;
        try (SseClient client = Api.stream(session, Api.chat("What time is it?", true)
                .put("tools", new JsonArray().add("get_time")))) {
            assertEquals(200, client.status());
            conversationId = client.header("X-Conversation-Id");
            String event;
            while ((event = client.nextEvent()) != null) {
                events.add(event);
            }
        }
        assertEquals("data: [DONE]\n\n", events.get(events.size() - 1));
        List<JsonObject> chunks = events.subList(0, events.size() - 1).stream()
                .map(event -> new JsonObject(event.substring("data: ".length()).strip())).toList();

        // The call as OpenAI streams it: id, type and name first, then the arguments in fragments.
        JsonObject first = delta(chunks.get(0)).getJsonArray("tool_calls").getJsonObject(0);
        assertEquals(0, first.getInteger("index"));
        assertEquals("function", first.getString("type"));
        assertEquals("get_time", first.getJsonObject("function").getString("name"));
        String callId = first.getString("id");
        assertNotNull(callId);
        StringBuilder arguments = new StringBuilder();
        int i = 0;
        for (; delta(chunks.get(i)).containsKey("tool_calls"); i++) {
            arguments.append(delta(chunks.get(i)).getJsonArray("tool_calls").getJsonObject(0)
                    .getJsonObject("function").getString("arguments"));
        }
        assertEquals("{}", arguments.toString());
        assertEquals("tool_calls", chunks.get(i).getJsonArray("choices").getJsonObject(0).getString("finish_reason"));

        // The relay ran it...
        JsonObject toolOutput = delta(chunks.get(i + 1)).getJsonObject("tool_output");
        assertEquals(callId, toolOutput.getString("tool_call_id"));
        assertEquals("get_time", toolOutput.getString("name"));
        String output = toolOutput.getString("output");
        assertTrue(output.contains("time zone"), output);

        // ...and the mock answered with the result.
        StringBuilder answer = new StringBuilder();
        for (JsonObject chunk : chunks.subList(i + 2, chunks.size())) {
            answer.append(delta(chunk).getString("content", ""));
        }
        assertEquals("It is " + output + ".", answer.toString());
        assertEquals("stop", chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0)
                .getString("finish_reason"));

        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("It is " + output + ".", stored.getString("messages[1].content"));
        assertEquals("get_time", stored.getString("messages[1].tool_calls[0].function.name"));
        assertEquals(output, stored.getString("messages[1].tool_calls[0].output"));
        assertEquals("stop", stored.getString("messages[1].finish_reason"));
    }

    @Test
    void jsonTimeQuestionRunsGetTimeOfferedAsAFunctionTool() {
        JsonObject tool = new JsonObject().put("type", "function")
                .put("function", new JsonObject().put("name", "get_time"));
        JsonPath completion = as(session).body(Api.chat("what's the time, please", false)
                .put("tools", new JsonArray().add(tool)).encode())
                .post("/v1/chat/completions").then().statusCode(200).extract().jsonPath();

        assertEquals(List.of("tool_call", "tool_output"), completion.getList("tool_events.type"));
        assertEquals("get_time", completion.getString("tool_events[0].value.function.name"));
        String output = completion.getString("tool_events[1].value.output");
        assertEquals("It is " + output + ".", completion.getString("choices[0].message.content"));
        assertEquals("stop", completion.getString("choices[0].finish_reason"));
    }

    @Test
    void withoutTheToolOrWithoutAQuestionOfTimeTheMockEchoes() {
        as(session).body(Api.chat("What time is it?", false).encode()).post("/v1/chat/completions")
                .then().statusCode(200).body("choices[0].message.content", equalTo("What time is it?"));
        as(session).body(Api.chat("Sometimes I wonder", false).put("tools", new JsonArray().add("get_time")).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200).body("choices[0].message.content", equalTo("Sometimes I wonder"))
                .body("tool_events", equalTo(List.of()));
    }

    @Test
    void mockTakesABareToolNameAndAnswersAToolResultOfAnyTool() {
        // The mock itself, as a client that sends tool names the way the relay's API allows.
        given().contentType(ContentType.JSON)
                .body(Api.chat("time?", false).put("tools", new JsonArray().add("get_time")).encode())
                .post("/dev/mock-upstream/v1/chat/completions").then().statusCode(200)
                .body("choices[0].finish_reason", equalTo("tool_calls"))
                .body("choices[0].message.content", nullValue())
                .body("choices[0].message.tool_calls[0].type", equalTo("function"))
                .body("choices[0].message.tool_calls[0].function.name", equalTo("get_time"))
                .body("choices[0].message.tool_calls[0].function.arguments", equalTo("{}"));

        JsonArray messages = new JsonArray()
                .add(new JsonObject().put("role", "user").put("content", "weather?"))
                .add(new JsonObject().put("role", "assistant").put("content", (String) null)
                        .put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_1")
                                .put("type", "function").put("function", new JsonObject()
                                        .put("name", "get_weather").put("arguments", "{}")))))
                .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "sunny"));
        given().contentType(ContentType.JSON).body(new JsonObject().put("messages", messages).encode())
                .post("/dev/mock-upstream/v1/chat/completions").then().statusCode(200)
                .body("choices[0].message.content", equalTo("The tool get_weather said: sunny"))
                .body("choices[0].finish_reason", equalTo("stop"));
    }

    private static JsonObject delta(JsonObject chunk) {
        return chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
    }
}
