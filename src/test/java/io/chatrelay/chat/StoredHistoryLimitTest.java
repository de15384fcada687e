package io.chatrelay.chat;

import static io.chatrelay.testing.Api.as;
import static io.chatrelay.testing.Api.message;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
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
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** HISTORY_MAX_MESSAGES: the most recent stored messages only, never starting with a cut-off tool result. */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(StoredHistoryLimitTest.Profile.class)
class StoredHistoryLimitTest {

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.persistence.history-max-messages", "3");
        }
    }

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;
    private String conversationId;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "history-limit-" + UUID.randomUUID();
        conversationId = Api.createConversation(session);
    }

    @Test
    void onlyTheMostRecentMessagesGoUpstreamAndNeverAToolResultWithoutItsCall() {
        upstream.enqueue(
                Script.stream(Chunks.toolCallStart(0, "call_a", "get_time"), Chunks.toolCallArguments(0, "{}"),
                        Chunks.toolCallStart(1, "call_b", "get_time"), Chunks.toolCallArguments(1, "{}"),
                        Chunks.finish("tool_calls"), Chunks.DONE),
                Script.stream(Chunks.content("Two times."), Chunks.finish("stop"), Chunks.DONE),
                Script.json(200, Chunks.completion("You are welcome.")),
                Script.stream(Chunks.content("Bye."), Chunks.finish("stop"), Chunks.DONE),
                Script.json(200, Chunks.completion("Again?")));
        streamTurn(Api.chat("Time, twice?", true).put("tools", new JsonArray().add("get_time")), false);
        as(session).body(Api.chat("Thanks", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions").then().statusCode(200);

        // Stored: user, assistant with two calls (replayed with two tool results), user, assistant. The three
        // most recent replayed messages would start with the second tool result: it goes, and its call with it.
        streamTurn(Api.chat("Bye", true).put("tools", new JsonArray().add("get_time")), true);
        assertEquals(new JsonArray().add(message("user", "Thanks")).add(message("assistant", "You are welcome."))
                .add(message("user", "Bye")), new JsonObject(upstream.lastRequest().body()).getJsonArray("messages"));

        as(session).header("X-History", "stored")
                .body(new JsonObject().put("model", "gpt-test").put("conversation_id", conversationId)
                        .put("messages", new JsonArray().add(message("system", "Be brief."))
                                .add(message("user", "Again")))
                        .encode())
                .post("/v1/chat/completions").then().statusCode(200);
        assertEquals(new JsonArray().add(message("system", "Be brief."))
                .add(message("assistant", "You are welcome.")).add(message("user", "Bye"))
                .add(message("assistant", "Bye.")).add(message("user", "Again")),
                new JsonObject(upstream.lastRequest().body()).getJsonArray("messages"));
    }

    private void streamTurn(JsonObject body, boolean storedHistory) {
        Map<String, String> headers = storedHistory
                ? Map.of("X-Session-Id", session, "X-History", "stored", "Accept", "text/event-stream")
                : Map.of("X-Session-Id", session, "Accept", "text/event-stream");
        try (SseClient client = SseClient.post("/v1/chat/completions",
                body.put("conversation_id", conversationId).encode(), headers)) {
            assertEquals(200, client.status());
            assertEquals(Chunks.DONE, client.lastEvent());
        }
    }
}
