package io.chatrelay.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Text that looks like SSE framing never forges an event on the client's stream: the
 * provider's events are forwarded as the provider framed them, and the frames the service
 * writes itself (tool outputs, in-band errors) carry text only JSON-escaped. Each test parses
 * the stream as an SSE client does (blank line ends an event; CR, LF and CRLF end lines) and
 * expects exactly the intended events.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class SseInjectionTest {

    /** A forged event, with every line ending a client's parser honours. */
    private static final String FORGED = "\n\ndata: {\"forged\":true}\n\n\r\n\r\nevent: error\rdata: [DONE]\r\r";

    private final MockUpstream upstream = MockUpstream.shared();
    private final MockUpstream search = MockUpstream.searchApi();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        search.reset();
        session = "sse-" + UUID.randomUUID();
    }

    @Test
    void providerTextThatLooksLikeAnEventStaysInsideItsEvent() {
        String[] events = { Chunks.role(), content("before" + FORGED + "after"), Chunks.finish("stop"), Chunks.DONE };
        upstream.enqueue(Script.stream(events));

        String raw = streamAndReadAll(Api.chat("hi", true));

        assertEquals(String.join("", events), raw, "forwarded byte for byte");
        List<String> data = dataOf(raw);
        assertEquals(dataOf(String.join("", events)), data);
        assertEquals(4, data.size());
        assertEquals("before" + FORGED + "after", deltaContent(data.get(1)));
    }

    @Test
    void aToolOutputThatLooksLikeAnEventIsOneToolOutputChunk() {
        search.enqueue(Script.json(200, new JsonObject().put("answer", "answer" + FORGED)
                .put("results", new JsonArray().add(new JsonObject().put("title", "title" + FORGED)
                        .put("url", "https://example.com/" + FORGED).put("content", "content" + FORGED)))
                .encode()));
        String[] firstStep = { toolCallStart("call_1", "web_search"),
                Chunks.toolCallArguments(0, "{\"query\":\"q\"}"), Chunks.finish("tool_calls") };
        String[] secondStep = { content("done"), Chunks.finish("stop") };
        upstream.enqueue(withDone(firstStep), withDone(secondStep));

        List<String> data = dataOf(streamAndReadAll(withTools(Api.chat("search", true), "web_search")));

        List<String> expected = new ArrayList<>(dataOf(String.join("", firstStep)));
        int toolOutput = expected.size();
        expected.add(data.get(toolOutput));
        expected.addAll(dataOf(String.join("", secondStep)));
        expected.add("[DONE]");
        assertEquals(expected, data);
        JsonObject output = toolOutput(data.get(toolOutput));
        assertEquals("call_1", output.getString("tool_call_id"));
        assertTrue(output.getString("output").contains("answer data: {\"forged\":true}"), output.getString("output"));
        assertOnlyJsonOrDone(data);
    }

    @Test
    void aToolNameTheModelChoseThatLooksLikeAnEventIsOneToolOutputChunk() {
        String name = "evil" + FORGED;
        String[] firstStep = { toolCallStart("call_1", name), Chunks.toolCallArguments(0, "{}"),
                Chunks.finish("tool_calls") };
        String[] secondStep = { content("done"), Chunks.finish("stop") };
        upstream.enqueue(withDone(firstStep), withDone(secondStep));

        List<String> data = dataOf(streamAndReadAll(withTools(Api.chat("hi", true), "get_time")));

        assertEquals(firstStep.length + 1 + secondStep.length + 1, data.size(), data.toString());
        JsonObject output = toolOutput(data.get(firstStep.length));
        assertEquals(name, output.getString("name"));
        assertEquals("Tool " + name + " failed: unknown tool", output.getString("output"));
        assertEquals("[DONE]", data.get(data.size() - 1));
        assertOnlyJsonOrDone(data);
    }

    @Test
    void aProviderErrorMessageThatLooksLikeAnEventIsOneInBandError() {
        String[] firstStep = { toolCallStart("call_1", "get_time"), Chunks.toolCallArguments(0, "{}"),
                Chunks.finish("tool_calls") };
        upstream.enqueue(withDone(firstStep), Script.json(500, new JsonObject().put("error", new JsonObject()
                .put("message", "boom" + FORGED).put("type", "server_error")).encode()));

        List<String> data = dataOf(streamAndReadAll(withTools(Api.chat("hi", true), "get_time")));

        assertEquals(firstStep.length + 3, data.size(), data.toString());
        JsonObject error = new JsonObject(data.get(data.size() - 2)).getJsonObject("error");
        assertEquals("upstream_error", error.getString("type"));
        assertEquals("[DONE]", data.get(data.size() - 1));
        assertOnlyJsonOrDone(data);
    }

    @Test
    void forgedTextIsStoredAsTheLiteralItWas() {
        upstream.enqueue(Script.stream(content("x" + FORGED), Chunks.finish("stop"), Chunks.DONE));
        JsonObject body = Api.chat("user" + FORGED, true);
        String conversation;
        try (SseClient client = Api.stream(session, body)) {
            conversation = client.header("X-Conversation-Id");
            client.readToEnd();
        }
        JsonPath stored = Api.conversation(session, conversation);
        assertEquals("user" + FORGED, stored.getString("messages[0].content"));
        assertEquals("x" + FORGED, stored.getString("messages[1].content"));
    }

    // ---------------------------------------------------------------- helpers

    private String streamAndReadAll(JsonObject body) {
        try (SseClient client = Api.stream(session, body)) {
            assertEquals(200, client.status());
            return client.readToEnd();
        }
    }

    /**
     * The data of each event as an SSE client dispatches it (WHATWG HTML, "event stream
     * interpretation"): lines end at CRLF, LF or CR; a blank line dispatches; comments and
     * events without data are dropped.
     */
    static List<String> dataOf(String stream) {
        List<String> events = new ArrayList<>();
        StringBuilder data = null;
        for (String line : stream.split("\r\n|\n|\r", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(data.toString());
                }
                data = null;
            } else if (line.startsWith("data")) {
                String value = line.startsWith("data:") ? line.substring(5) : "";
                value = value.startsWith(" ") ? value.substring(1) : value;
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        return events;
    }

    private static void assertOnlyJsonOrDone(List<String> data) {
        for (String event : data) {
            if (!"[DONE]".equals(event)) {
                assertTrue(!new JsonObject(event).containsKey("forged"), event);
            }
        }
        assertEquals(1, data.stream().filter("[DONE]"::equals).count(), "exactly one [DONE]");
    }

    private static String deltaContent(String data) {
        return new JsonObject(data).getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
                .getString("content");
    }

    private static JsonObject toolOutput(String data) {
        return new JsonObject(data).getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
                .getJsonObject("tool_output");
    }

    /** A content chunk whose text is JSON-escaped as a provider does (CR included). */
    private static String content(String text) {
        return Chunks.content("").replace("\"content\":\"\"", "\"content\":" + Json.encode(text));
    }

    private static String toolCallStart(String id, String name) {
        return Chunks.toolCallStart(0, id, "").replace("\"name\":\"\"", "\"name\":" + Json.encode(name));
    }

    private static Script withDone(String... events) {
        List<String> all = new ArrayList<>(List.of(events));
        all.add(Chunks.DONE);
        return Script.stream(all.toArray(String[]::new));
    }

    private static JsonObject withTools(JsonObject body, String... names) {
        JsonArray tools = new JsonArray();
        for (String name : names) {
            tools.add(name);
        }
        return body.put("tools", tools);
    }
}
