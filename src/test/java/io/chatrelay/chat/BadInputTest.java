package io.chatrelay.chat;

import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static io.chatrelay.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
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
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The chat rows of API.md's error table: every bad request is refused with OpenAI's error
 * envelope before anything is stored or sent to the provider.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class BadInputTest {

    private static final String CHAT = "/v1/chat/completions";
    /** The values OpenAI's API accepts today, in the order the message lists them. */
    static final List<String> REASONING_EFFORTS = List.of("none", "minimal", "low", "medium", "high", "xhigh");

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "bad-" + UUID.randomUUID();
    }

    // ---------------------------------------------------------------- body is not a JSON object

    @Test
    void malformedJsonIsRejectedAsInvalidJson() {
        for (String body : List.of("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]",
                "{messages: []}", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]} trailing",
                "not json at all")) {
            assertRefused(as(session).body(body).post(CHAT), 400, "invalid_request_error", "invalid_json", null);
        }
    }

    @Test
    void jsonArrayBodyIsRejectedAsInvalidJson() {
        String array = new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")).encode();
        assertRefused(as(session).body(array).post(CHAT), 400, "invalid_request_error", "invalid_json", null);
    }

    @Test
    void jsonScalarBodiesAreRejectedAsInvalidJson() {
        for (String body : List.of("\"hello\"", "42", "true", "null")) {
            assertRefused(as(session).body(body).post(CHAT), 400, "invalid_request_error", "invalid_json", null);
        }
    }

    @Test
    void emptyBodyIsRejectedAsInvalidJson() {
        assertRefused(as(session).body("").post(CHAT), 400, "invalid_request_error", "invalid_json", null);
        assertRefused(as(session).post(CHAT), 400, "invalid_request_error", "invalid_json", null);
    }

    // ---------------------------------------------------------------- messages

    @Test
    void missingMessagesAreRejected() {
        assertRefused(as(session).body("{\"model\":\"gpt-test\"}").post(CHAT),
                400, "invalid_request_error", "invalid_messages", "messages");
        assertRefused(as(session).body("{\"model\":\"gpt-test\",\"messages\":null}").post(CHAT),
                400, "invalid_request_error", "invalid_messages", "messages");
    }

    @Test
    void emptyMessagesArrayIsRejected() {
        assertRefused(as(session).body("{\"model\":\"gpt-test\",\"messages\":[]}").post(CHAT),
                400, "invalid_request_error", "invalid_messages", "messages");
    }

    @Test
    void messagesThatAreNotAnArrayAreRejected() {
        for (String messages : List.of("\"hi\"", "{\"role\":\"user\",\"content\":\"hi\"}", "3")) {
            assertRefused(as(session).body("{\"messages\":" + messages + "}").post(CHAT),
                    400, "invalid_request_error", "invalid_messages", "messages");
        }
    }

    @Test
    void messagesContainingANonObjectAreRejected() {
        for (String messages : List.of("[\"hi\"]", "[null]", "[[{\"role\":\"user\"}]]",
                "[{\"role\":\"user\",\"content\":\"first\"},\"second\"]")) {
            assertRefused(as(session).body("{\"messages\":" + messages + "}").post(CHAT),
                    400, "invalid_request_error", "invalid_messages", "messages");
        }
    }

    @Test
    void messageWithoutRoleIsRejected() {
        for (String messages : List.of("[{\"content\":\"hi\"}]",
                "[{\"role\":\"user\",\"content\":\"first\"},{\"content\":\"no role\"}]")) {
            assertRefused(as(session).body("{\"messages\":" + messages + "}").post(CHAT),
                    400, "invalid_request_error", "invalid_messages", "messages");
        }
    }

    // ---------------------------------------------------------------- enumerated fields

    @Test
    void unknownReasoningEffortIsRejectedWithTheAllowedValues() {
        for (boolean stream : List.of(false, true)) {
            Response response = as(session).body(Api.chat("hi", stream).put("reasoning_effort", "extreme").encode())
                    .post(CHAT);
            assertRefused(response, 400, "invalid_request_error", "invalid_value", "reasoning_effort");
            response.then().body("error.message",
                    equalTo("reasoning_effort must be one of none, minimal, low, medium, high, xhigh"));
        }
        Response nonString = as(session).body(Api.chat("hi", false).put("reasoning_effort", 5).encode()).post(CHAT);
        assertRefused(nonString, 400, "invalid_request_error", "invalid_value", "reasoning_effort");
        // The check is exact: no case folding, no trimming.
        for (String near : List.of("HIGH", " low", "x-high", "")) {
            assertRefused(as(session).body(Api.chat("hi", false).put("reasoning_effort", near).encode()).post(CHAT),
                    400, "invalid_request_error", "invalid_value", "reasoning_effort");
        }
    }

    @Test
    void everyReasoningEffortOpenAiAcceptsIsForwarded() {
        for (String effort : REASONING_EFFORTS) {
            upstream.enqueue(Script.json(200, Chunks.completion("ok")));
            as(session).body(Api.chat("hi", false).put("reasoning_effort", effort).encode()).post(CHAT)
                    .then().statusCode(200);
            assertEquals(effort, new JsonObject(upstream.lastRequest().body()).getString("reasoning_effort"));
        }
        assertEquals(REASONING_EFFORTS.size(), upstream.requestCount());
    }

    @Test
    void unknownVerbosityIsRejectedWithTheAllowedValues() {
        Response response = as(session).body(Api.chat("hi", false).put("verbosity", "loud").encode()).post(CHAT);
        assertRefused(response, 400, "invalid_request_error", "invalid_value", "verbosity");
        response.then().body("error.message", containsString("low, medium, high"));
        // minimal is a reasoning effort, not a verbosity
        assertRefused(as(session).body(Api.chat("hi", false).put("verbosity", "minimal").encode()).post(CHAT),
                400, "invalid_request_error", "invalid_value", "verbosity");
    }

    // ---------------------------------------------------------------- sessions and conversations

    @Test
    void malformedSessionHeaderIsRejected() {
        for (String bad : List.of("bad session!", "a".repeat(200), "a".repeat(129), "semi;colon")) {
            Response response = given().header("X-Session-Id", bad).contentType(ContentType.JSON)
                    .body(Api.chat("hi", false).encode()).post(CHAT);
            assertRefused(response, 400, "invalid_request_error", "invalid_session", null, bad);
        }
    }

    @Test
    void malformedSessionCookieIsRejected() {
        // valid cookie octets, but not a valid session id
        for (String bad : List.of("bad!cookie", "a".repeat(200))) {
            Response response = given().cookie("cf_session_id", bad).contentType(ContentType.JSON)
                    .body(Api.chat("hi", false).encode()).post(CHAT);
            assertRefused(response, 400, "invalid_request_error", "invalid_session", null, bad);
        }
    }

    @Test
    void conversationIdThatIsNotAUuidIsRejected() {
        assertRefused(as(session).body(Api.chat("hi", false).put("conversation_id", "not-a-uuid").encode()).post(CHAT),
                400, "invalid_request_error", "invalid_value", "conversation_id");
        assertRefused(as(session).body(Api.chat("hi", false).put("conversation_id", 42).encode()).post(CHAT),
                400, "invalid_request_error", "invalid_value", "conversation_id");
        assertRefused(as(session).header("X-Conversation-Id", "not-a-uuid").body(Api.chat("hi", false).encode())
                .post(CHAT), 400, "invalid_request_error", "invalid_value", "conversation_id");
    }

    @Test
    void conversationNamedWithoutAnySessionIsRejectedAsMissingSession() {
        String owned = Api.createConversation(session);

        assertRefused(given().contentType(ContentType.JSON)
                .body(Api.chat("hi", false).put("conversation_id", owned).encode()).post(CHAT),
                400, "invalid_request_error", "missing_session", null, null);
        assertRefused(given().contentType(ContentType.JSON)
                .body(Api.chat("hi", true).put("conversation_id", owned).encode()).post(CHAT),
                400, "invalid_request_error", "missing_session", null, null);
        assertRefused(given().contentType(ContentType.JSON).header("X-Conversation-Id", owned)
                .body(Api.chat("hi", false).encode()).post(CHAT),
                400, "invalid_request_error", "missing_session", null, null);
        assertRefused(given().contentType(ContentType.JSON)
                .body(Api.chat("hi", false).put("conversation_id", UUID.randomUUID().toString()).encode()).post(CHAT),
                400, "invalid_request_error", "missing_session", null, null);

        assertEquals(0, Db.number("select count(*) from messages where conversation_id = ?", UUID.fromString(owned)));
        assertEquals(1, Db.conversationsOfSession(session));
    }

    // ---------------------------------------------------------------- helpers

    private void assertRefused(Response response, int status, String type, String code, String param) {
        assertRefused(response, status, type, code, param, session);
    }

    /**
     * OpenAI's error envelope with nothing internal in it; the provider was not called and
     * nothing was stored for {@code sessionUsed} (when there is one).
     */
    private void assertRefused(Response response, int status, String type, String code, String param,
            String sessionUsed) {
        assertOpenAiError(response, status, type, code, param);
        if (param == null && "invalid_json".equals(code)) {
            response.then().body("error.param", nullValue());
        }
        assertEquals(0, upstream.requestCount(), "the provider must not be called for a refused request");
        if (sessionUsed != null) {
            assertEquals(0, Db.conversationsOfSession(sessionUsed), "no conversation may be created");
            assertEquals(0, Db.messagesOfSession(sessionUsed), "no message may be stored");
        }
    }
}
