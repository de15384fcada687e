package io.chatrelay.conversation;

import static io.chatrelay.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
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
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(PersistenceOffTest.Profile.class)
class PersistenceOffTest {

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.persistence.enabled", "false");
        }
    }

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "off-" + UUID.randomUUID();
    }

    @Test
    void streamedChatWithSessionIsRelayedButNothingIsStored() {
        long before = Db.number("select count(*) from messages");
        String[] events = { Chunks.role(), Chunks.content("not"), Chunks.content(" stored"), Chunks.finish("stop"),
                Chunks.DONE };
        upstream.enqueue(Script.stream(events));

        try (SseClient client = Api.stream(session, Api.chat("hi", true))) {
            assertEquals(200, client.status());
            client.readToEnd();
            assertEquals(String.join("", events), new String(client.rawBytes(), StandardCharsets.UTF_8));
            assertNull(client.header("X-Conversation-Id"));
        }
        assertEquals(1, upstream.requestCount());
        assertEquals(0, Db.conversationsOfSession(session));
        assertEquals(0, Db.messagesOfSession(session));
        assertEquals(before, Db.number("select count(*) from messages"));
    }

    @Test
    void nonStreamedChatWithSessionIsRelayedButNothingIsStored() {
        long before = Db.number("select count(*) from messages");
        String completion = Chunks.completion("not stored either");
        upstream.enqueue(Script.json(200, completion));

        as(session).body(Api.chat("hi", false).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200)
                .header("X-Conversation-Id", (String) null)
                .body(equalTo(completion));
        assertEquals(1, upstream.requestCount());
        assertEquals(0, Db.conversationsOfSession(session));
        assertEquals(0, Db.messagesOfSession(session));
        assertEquals(before, Db.number("select count(*) from messages"));
    }

    @Test
    void everyConversationEndpointAnswers501NotImplemented() {
        String id = UUID.randomUUID().toString();
        Response[] answers = {
                as(session).body("{}").post("/v1/conversations"),
                as(session).get("/v1/conversations"),
                as(session).get("/v1/conversations/" + id),
                as(session).body("{\"title\":\"renamed\"}").patch("/v1/conversations/" + id),
                as(session).delete("/v1/conversations/" + id) };

        for (Response answer : answers) {
            answer.then().statusCode(501)
                    .body("error.code", equalTo("not_implemented"));
        }
        assertEquals(0, Db.conversationsOfSession(session));
    }

    @Test
    void storedHistoryAnswers501NotImplementedWithoutCallingTheProvider() {
        Response answer = as(session).header("X-History", "stored")
                .body(Api.chat("hi", true).put("conversation_id", UUID.randomUUID().toString()).encode())
                .post("/v1/chat/completions");

        answer.then().statusCode(501)
                .body("error.code", equalTo("not_implemented"))
                .body("error.param", equalTo("X-History"));
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void healthzReportsPersistenceOffWithBackendNone() {
        given().get("/healthz")
                .then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("persistence.enabled", equalTo(false))
                .body("persistence.backend", equalTo("none"));
    }

    @Test
    void readinessIsUpWithoutAnyDatabaseUse() {
        given().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"));
    }
}
