package io.chatrelay.upstream;

import static io.chatrelay.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The profile's base URL wins over the one MockUpstreamResource sets: test profile
 * overrides are system properties (ordinal 400), test resource values a runtime override
 * source (ordinal 399). The mock upstream's empty request log proves it.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(UpstreamUnreachableTest.Profile.class)
class UpstreamUnreachableTest {

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            // nothing listens on port 1
            return Map.of("relay.upstream.base-url", "http://127.0.0.1:1/v1");
        }
    }

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "unreachable-" + UUID.randomUUID();
    }

    @Test
    void nonStreamedChatGets502UpstreamError() {
        given().contentType("application/json").body(Api.chat("hi", false).encode())
                .post("/v1/chat/completions")
                .then().statusCode(502)
                .body("error.type", equalTo("upstream_error"));
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void streamedChatGets502UpstreamError() {
        given().contentType("application/json").body(Api.chat("hi", true).encode())
                .post("/v1/chat/completions")
                .then().statusCode(502)
                .body("error.type", equalTo("upstream_error"));
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void modelsGet502UpstreamError() {
        for (String path : List.of("/v1/models", "/v1/models/gpt-4.1-mini")) {
            given().get(path)
                    .then().statusCode(502)
                    .body("error.type", equalTo("upstream_error"))
                    .body("error.code", equalTo("upstream_unreachable"));
        }
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void turnInAConversationStoresTheUserMessageAndAnAssistantError() {
        String conversationId = Api.createConversation(session);

        as(session).body(Api.chat("are you there?", true).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(502)
                .body("error.type", equalTo("upstream_error"));
        as(session).body(Api.chat("still there?", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(502)
                .body("error.type", equalTo("upstream_error"));

        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of(1, 2, 3, 4), stored.getList("messages.seq"));
        assertEquals(List.of("user", "assistant", "user", "assistant"), stored.getList("messages.role"));
        assertEquals(List.of("final", "error", "final", "error"), stored.getList("messages.status"));
        assertEquals("are you there?", stored.getString("messages[0].content"));
        assertEquals("still there?", stored.getString("messages[2].content"));
        assertEquals(4, Db.messagesOfSession(session));
        assertEquals(0, upstream.requestCount());
    }
}
