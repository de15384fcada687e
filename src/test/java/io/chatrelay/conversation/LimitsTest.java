package io.chatrelay.conversation;

import static io.chatrelay.testing.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(LimitsTest.Profile.class)
class LimitsTest {

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.persistence.max-conversations-per-session", "2",
                    "relay.persistence.max-messages-per-conversation", "4");
        }
    }

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "limits-" + UUID.randomUUID();
    }

    @Test
    void thirdConversationOfASessionIsRefusedWith429() {
        Api.createConversation(session);
        Api.createConversation(session);

        as(session).body("{}").post("/v1/conversations")
                .then().statusCode(429)
                .body("error.code", equalTo("limit_exceeded"));
        assertEquals(2, Db.conversationsOfSession(session));
    }

    @Test
    void chatThatWouldCreateAThirdConversationIsRefusedBeforeCallingUpstream() {
        Api.createConversation(session);
        Api.createConversation(session);
        long messagesBefore = Db.messagesOfSession(session);

        as(session).body(Api.chat("one more", false).encode())
                .post("/v1/chat/completions")
                .then().statusCode(429)
                .body("error.code", equalTo("limit_exceeded"));
        as(session).body(Api.chat("one more, streamed", true).encode())
                .post("/v1/chat/completions")
                .then().statusCode(429)
                .body("error.code", equalTo("limit_exceeded"));

        assertEquals(0, upstream.requestCount());
        assertEquals(2, Db.conversationsOfSession(session));
        assertEquals(messagesBefore, Db.messagesOfSession(session));
    }

    @Test
    void turnThatWouldExceedTheMessageLimitIsRefusedBeforeCallingUpstream() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.json(200, Chunks.completion("first answer")),
                Script.stream(Chunks.content("second answer"), Chunks.finish("stop"), Chunks.DONE));

        as(session).body(Api.chat("first", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200);
        as(session).body(Api.chat("second", true).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200);
        assertEquals(2, upstream.requestCount());
        assertEquals(4, Db.messagesOfSession(session));

        as(session).body(Api.chat("third", true).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(429)
                .body("error.code", equalTo("limit_exceeded"));

        assertEquals(2, upstream.requestCount(), "the refused turn never reached upstream");
        assertEquals(4, Db.messagesOfSession(session), "the refused turn wrote nothing");
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of(1, 2, 3, 4), stored.getList("messages.seq"));
        assertEquals(List.of("first", "first answer", "second", "second answer"),
                stored.getList("messages.content"));
    }
}
