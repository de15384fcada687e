package io.chatrelay.conversation;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Map;
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
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(StreamingDeltasTest.Profile.class)
class StreamingDeltasTest {

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.persistence.streaming-deltas", "true",
                    "relay.persistence.history-batch-flush-ms", "50");
        }
    }

    private static final String ASSISTANT_ROWS = "select id, status, content #>> '{}', finish_reason from messages"
            + " where conversation_id = ? and role = 'assistant' order by seq";

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "deltas-" + UUID.randomUUID();
    }

    @Test
    void draftRowIsVisibleWhileStreamingAndFinalisedInPlaceAtTheEnd() {
        String conversationId = Api.createConversation(session);
        UUID conversation = UUID.fromString(conversationId);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        Object draftId;
        upstream.enqueue(Script.streamHead().write(Chunks.role()).write(Chunks.content("Hello"))
                .write(Chunks.content(" wor")).await(gate)
                .write(Chunks.content("ld")).write(Chunks.finish("stop")).write(Chunks.DONE).end());

        JsonObject body = Api.chat("greet me", true).put("conversation_id", conversationId);
        try (SseClient client = Api.stream(session, body)) {
            assertEquals(Chunks.role(), client.nextEvent());
            assertEquals(Chunks.content("Hello"), client.nextEvent());
            assertEquals(Chunks.content(" wor"), client.nextEvent());

            // the stream is held open by the gate: the draft row already carries the text so far
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                List<List<Object>> rows = Db.rows(ASSISTANT_ROWS, conversation);
                assertEquals(1, rows.size(), rows.toString());
                assertEquals("streaming", rows.get(0).get(1));
                assertEquals("Hello wor", rows.get(0).get(2));
            });
            draftId = Db.rows(ASSISTANT_ROWS, conversation).get(0).get(0);
            assertFalse(gate.isDone(), "the upstream was still holding the rest of its answer");

            gate.complete(null);
            String event;
            do {
                event = client.nextEvent();
            } while (event != null && !Chunks.DONE.equals(event));
            assertEquals(Chunks.DONE, event);

            List<List<Object>> rows = Db.rows(ASSISTANT_ROWS, conversation);
            assertEquals(1, rows.size(), "the draft is finalised in place, not inserted again: " + rows);
            assertEquals(draftId, rows.get(0).get(0));
            assertEquals("final", rows.get(0).get(1));
            assertEquals("Hello world", rows.get(0).get(2));
            assertEquals("stop", rows.get(0).get(3));
        }

        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of(1, 2), stored.getList("messages.seq"));
        assertEquals(List.of("user", "assistant"), stored.getList("messages.role"));
        assertEquals(List.of("final", "final"), stored.getList("messages.status"));
        assertEquals(draftId.toString(), stored.getString("messages[1].id"));
        assertEquals("Hello world", stored.getString("messages[1].content"));
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void healthzReportsStreamingDeltasOn() {
        given().get("/healthz")
                .then().statusCode(200)
                .body("persistence.enabled", equalTo(true))
                .body("persistence.backend", equalTo("postgresql"))
                .body("persistence.streaming_deltas", equalTo(true));
    }
}
