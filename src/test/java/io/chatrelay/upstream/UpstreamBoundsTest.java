package io.chatrelay.upstream;

import static io.chatrelay.testing.Api.as;
import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.RecordedRequest;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/**
 * MAX_UPSTREAM_EVENT_BYTES and MAX_UPSTREAM_BODY_BYTES against a provider that never stops:
 * the relay holds no more than the bound, closes the provider's connection, tells the client
 * and stores the turn as an error. The bounds are small here and the provider offers 16 MiB,
 * so that reading it all would show in what the provider managed to write.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(UpstreamBoundsTest.Profile.class)
class UpstreamBoundsTest {

    private static final int MAX_EVENT_BYTES = 16 * 1024;
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String KIB = "x".repeat(1024);
    /** What the provider offers: 16 MiB, far past either bound. */
    private static final int OFFERED_KIBS = 16 * 1024;
    /** Well below the offer, well above what socket buffers take before the relay closes. */
    private static final long MOST_WRITTEN = 8L * 1024 * 1024;

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.upstream.max-event-bytes", String.valueOf(MAX_EVENT_BYTES),
                    "relay.upstream.max-body-bytes", String.valueOf(MAX_BODY_BYTES));
        }
    }

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;
    private String conversationId;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "bounds-" + UUID.randomUUID();
        conversationId = Api.createConversation(session);
    }

    @Test
    void anEventThatNeverEndsEndsTheStreamInBandAndKeepsThePartialAnswer() throws Exception {
        upstream.enqueue(Script.streamHead().write(Chunks.content("half an"))
                .write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"").repeat(KIB, OFFERED_KIBS).end());

        try (SseClient client = Api.stream(session, Api.chat("hi", true).put("conversation_id", conversationId))) {
            assertEquals(200, client.status());
            assertEquals(Chunks.content("half an"), client.nextEvent());
            JsonObject error = new JsonObject(client.nextEvent().substring("data: ".length()).trim())
                    .getJsonObject("error");
            assertEquals("upstream_error", error.getString("type"));
            assertEquals("The upstream provider sent an event larger than the relay accepts",
                    error.getString("message"));
            assertEquals(Chunks.DONE, client.nextEvent());
            assertNull(client.nextEvent());
        }
        assertProviderClosedEarly();
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("error", stored.getString("messages[1].status"));
        assertEquals("half an", stored.getString("messages[1].content"));
    }

    @Test
    void aJsonAnswerDeclaredLargerThanTheBoundIsA502AtOnce() throws Exception {
        upstream.enqueue(Script.json(200, Chunks.completion("z".repeat(MAX_BODY_BYTES))));

        assertTooLarge(as(session).body(Api.chat("hi", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions"));
        upstream.lastRequest().closed().get(10, TimeUnit.SECONDS);
        assertStoredAsError();
    }

    @Test
    void aJsonAnswerWithoutLengthIsCutAtTheBound() throws Exception {
        upstream.enqueue(Script.chunkedJsonHead(200).write("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"")
                .repeat(KIB, OFFERED_KIBS).write("\"},\"finish_reason\":\"stop\"}]}").end());

        assertTooLarge(as(session).body(Api.chat("hi", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions"));
        assertProviderClosedEarly();
        assertStoredAsError();
    }

    @Test
    void anErrorBodyWithoutLengthIsCutAtTheBoundToo() throws Exception {
        upstream.enqueue(Script.chunkedJsonHead(500).write("{\"error\":{\"message\":\"")
                .repeat(KIB, OFFERED_KIBS).write("\"}}").end());

        assertTooLarge(as(session).body(Api.chat("hi", true).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions"));
        assertProviderClosedEarly();
        assertStoredAsError();
    }

    private static void assertTooLarge(Response response) {
        assertOpenAiError(response, 502, "upstream_error", "upstream_error", null);
        response.then().body("error.message",
                equalTo("The upstream provider's answer was larger than the relay accepts"));
    }

    /** The relay closed the provider's connection long before it could write all it offered. */
    private void assertProviderClosedEarly() throws Exception {
        RecordedRequest request = upstream.lastRequest();
        request.closed().get(10, TimeUnit.SECONDS);
        long written = request.written().get();
        assertTrue(written < MOST_WRITTEN, "the provider wrote " + written + " bytes");
    }

    private void assertStoredAsError() {
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("assistant", stored.getString("messages[1].role"));
        assertEquals("error", stored.getString("messages[1].status"));
    }
}
