package io.chatrelay.chat;

import static io.chatrelay.testing.Api.as;
import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
import io.chatrelay.testing.RawHttp;
import io.chatrelay.testing.RawHttp.Answer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Headers a hostile client controls. A header that is echoed, logged, stored or forwarded
 * never carries a control character on: the request is refused with 400 before the provider
 * is called and before anything is stored. Oversized request heads get a bounded answer and
 * leave the service healthy. The requests are written byte for byte over a socket, since
 * HTTP client libraries refuse to send such headers.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class HostileHeaderTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final String RESPONSES = "/v1/responses";
    /**
     * What the HTTP server passes on inside a header value: the tab, and bytes above 0x7F
     * (obs-text, read as ISO-8859-1). The service's own rules refuse them.
     */
    private static final List<String> PASSED_ON = List.of("\t", "\u0085", "\u00ff");
    /** Control characters the HTTP server itself refuses in a header value, with a bare 400. */
    private static final List<String> SERVER_REFUSED = List.of("\u0000", "\u0001", "\u001b", "\u007f", "\r",
            "\n");
    /** quarkus.http.limits.max-header-size, MAX_HEADER_BYTES: the request head's bound. */
    private static final int MAX_HEADER_BYTES = 20 * 1024;

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "headers-" + UUID.randomUUID();
    }

    // ---------------------------------------------------------------- control characters

    @Test
    void theHttpServerRefusesControlCharactersOtherThanTheTabBeforeTheServiceRuns() {
        String conversation = Api.createConversation(session);
        for (String control : SERVER_REFUSED) {
            for (Map<String, String> headers : List.of(headers("X-Session-Id", "abc" + control + "def"),
                    headers("Cookie", "cf_session_id=abc" + control + "def"),
                    headers("X-Session-Id", session, "X-Conversation-Id", conversation + control),
                    headers("X-Session-Id", session, "X-History", "stored" + control),
                    headers("X-Session-Id", session, "X-Previous-Response-Id", "resp_1" + control + "x"))) {
                String path = headers.containsKey("X-Previous-Response-Id") ? RESPONSES : CHAT;
                Answer answer = RawHttp.post(path, headers, Api.chat("hi", false).put("input", "hi")
                        .put("conversation_id", headers.containsKey("X-History") ? conversation : null).encode());
                assertEquals(400, answer.status(), headers + ": " + answer.body());
                assertEquals("", answer.body(), "the HTTP server's own answer has no body");
            }
        }
        assertEquals(0, upstream.requestCount());
        assertEquals(0, Db.messagesOfSession(session));
    }

    @Test
    void aControlCharacterInsideTheSessionHeaderIsRefused() {
        for (String control : PASSED_ON) {
            Answer answer = RawHttp.post(CHAT, Map.of("X-Session-Id", "abc" + control + "def"),
                    Api.chat("hi", false).encode());
            assertRefused(answer, "invalid_session", null);
        }
        assertEquals(0, Db.conversationsOfSession("abcdef"));
    }

    @Test
    void aSessionCookieWithAControlCharacterOrASpaceIsRefused() {
        // The cookie parser drops such a cookie; the request must not run on without its session.
        for (String bad : List.of("\t", " ", "\u0085")) {
            Answer answer = RawHttp.post(CHAT, Map.of("Cookie", "theme=dark; cf_session_id=abc" + bad + "def; x=1"),
                    Api.chat("hi", false).encode());
            assertRefused(answer, "invalid_session", null);
        }
        assertEquals(0, Db.conversationsOfSession("abcdef"));
        // A well-formed cookie still names the session, quoted or not.
        for (String cookie : List.of("cf_session_id=" + session, "a=b; cf_session_id=\"" + session + "\"")) {
            upstream.enqueue(Script.json(200, Chunks.completion("ok")));
            Answer answer = RawHttp.post(CHAT, Map.of("Cookie", cookie), Api.chat("hi", false).encode());
            assertEquals(200, answer.status(), answer.body());
            assertNull(upstream.lastRequest().header("Cookie"), "no cookie is forwarded");
        }
        assertEquals(2, Db.conversationsOfSession(session));
    }

    @Test
    void aControlCharacterInsideTheConversationHeaderIsRefused() {
        String conversation = Api.createConversation(session);
        for (String control : PASSED_ON) {
            Map<String, String> headers = headers("X-Session-Id", session, "X-Conversation-Id",
                    conversation.substring(0, 8) + control + conversation.substring(9));
            assertRefused(RawHttp.post(CHAT, headers, Api.chat("hi", false).encode()), "invalid_value",
                    "conversation_id");
            assertRefused(RawHttp.post(RESPONSES, headers, responses("hi").encode()), "invalid_value",
                    "conversation_id");
        }
        assertEquals(0, Db.messagesOfSession(session));
    }

    @Test
    void aMalformedConversationHeaderIsRefusedEvenWhenTheBodyNamesTheConversation() {
        String conversation = Api.createConversation(session);
        Map<String, String> headers = headers("X-Session-Id", session, "X-Conversation-Id",
                conversation + "\tinjected");
        assertRefused(RawHttp.post(CHAT, headers, Api.chat("hi", false).put("conversation_id", conversation)
                .encode()), "invalid_value", "conversation_id");
        assertEquals(0, Db.messagesOfSession(session));
    }

    @Test
    void aControlCharacterInsideThePreviousResponseHeaderIsRefusedAndNeverForwarded() {
        for (String control : PASSED_ON) {
            Answer answer = RawHttp.post(RESPONSES, headers("X-Session-Id", session,
                    "X-Previous-Response-Id", "resp_1" + control + "x"), responses("hi").encode());
            assertRefused(answer, "invalid_value", "previous_response_id");
        }
        // Also when the body names the previous response itself and the header would not be used.
        Answer withBody = RawHttp.post(RESPONSES, headers("X-Session-Id", session,
                "X-Previous-Response-Id", "resp_1\tx"), responses("hi").put("previous_response_id", "resp_0").encode());
        assertRefused(withBody, "invalid_value", "previous_response_id");
        assertEquals(0, Db.conversationsOfSession(session));
    }

    @Test
    void aPreviousResponseIdInTheBodyWithControlCharactersOrOfAnotherTypeIsRefused() {
        for (Object bad : List.of("resp_1\tx", "resp_1\r\nX-Injected: 1", "resp\n\ndata: {}", "resp_1 x", "",
                "r".repeat(257), 42, new JsonObject().put("id", "resp_1"), new JsonArray().add("resp_1"))) {
            assertRefused(as(session).body(responses("hi").put("previous_response_id", bad).encode()).post(RESPONSES),
                    "invalid_value", "previous_response_id");
        }
        assertEquals(0, upstream.requestCount());
        assertEquals(0, Db.conversationsOfSession(session));
    }

    @Test
    void aWellFormedPreviousResponseIdStillTravelsAsTheBodyField() {
        String id = "resp_" + "0123456789abcdef".repeat(3) + "-._~:";
        upstream.enqueue(Script.json(200, "{\"id\":\"resp_2\",\"object\":\"response\",\"status\":\"completed\","
                + "\"output_text\":\"ok\"}"));
        Answer answer = RawHttp.post(RESPONSES, headers("X-Previous-Response-Id", id), responses("hi").encode());
        assertEquals(200, answer.status(), answer.body());
        assertEquals(id, new JsonObject(upstream.lastRequest().body()).getString("previous_response_id"));
        assertNull(upstream.lastRequest().header("X-Previous-Response-Id"));
    }

    @Test
    void aControlCharacterInsideTheHistoryHeaderIsRefused() {
        String conversation = Api.createConversation(session);
        Answer answer = RawHttp.post(CHAT, headers("X-Session-Id", session, "X-History", "sto\tred"),
                Api.chat("hi", false).put("conversation_id", conversation).encode());
        assertRefused(answer, "invalid_value", "X-History");
        assertEquals(0, Db.messagesOfSession(session));
    }

    @Test
    void aFoldedHeaderLineNeverSmugglesALineBreakThrough() {
        // obs-fold: a CRLF followed by whitespace continues the previous header line; the HTTP
        // server joins the two with a space, which no rule accepts.
        for (String fold : List.of("\r\n\t", "\r\n ")) {
            assertRefused(RawHttp.post(RESPONSES, headers("X-Session-Id", session, "X-Previous-Response-Id",
                    "resp_1" + fold + "X-Injected: yes"), responses("hi").encode()), "invalid_value", "previous_response_id");
            assertRefused(RawHttp.post(CHAT, headers("X-Session-Id", session + fold + "x"), Api.chat("hi", false)
                    .encode()), "invalid_session", null);
        }
        assertEquals(0, Db.conversationsOfSession(session));
    }

    // ---------------------------------------------------------------- oversized request heads

    @Test
    void aHeadUnderTheBoundIsServed() {
        upstream.enqueue(Script.json(200, Chunks.completion("ok")));
        Answer answer = RawHttp.post(CHAT, headers("X-Padding", "p".repeat(MAX_HEADER_BYTES - 1024)),
                Api.chat("hi", false).encode());
        assertEquals(200, answer.status(), answer.body());
    }

    @Test
    void oneOversizedHeaderIsRefusedWith431AndTheServiceStaysHealthy() {
        for (int i = 0; i < 20; i++) {
            Answer answer = RawHttp.post(CHAT, headers("X-Session-Id", session, "X-Padding",
                    "p".repeat(MAX_HEADER_BYTES + 1)), Api.chat("hi", false).encode());
            assertEquals(431, answer.status(), answer.body());
            assertEquals("close", answer.headers().get("connection"));
            assertEquals("", answer.body());
        }
        assertEquals(0, upstream.requestCount());
        assertEquals(0, Db.conversationsOfSession(session));
        assertStillServing();
    }

    @Test
    void manySmallHeadersAreBoundedTogether() {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < 2000; i++) {
            headers.put("X-Pad-" + i, "0123456789");
        }
        Answer answer = RawHttp.post(CHAT, headers, Api.chat("hi", false).encode());
        assertEquals(431, answer.status(), answer.body());
        assertEquals(0, upstream.requestCount());
        assertStillServing();
    }

    @Test
    void anOversizedRequestLineIsRefusedWith414() {
        String path = "/v1/conversations/" + "a".repeat(8192);
        Answer answer = RawHttp.exchange(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(414, answer.status(), answer.body());
        assertStillServing();
    }

    // ---------------------------------------------------------------- helpers

    private void assertStillServing() {
        given().get("/q/health/live").then().statusCode(200);
        upstream.enqueue(Script.json(200, Chunks.completion("still here")));
        as(session).body(Api.chat("hi", false).encode()).post(CHAT).then().statusCode(200);
    }

    /**
     * OpenAI's envelope with this code and param; the provider was not called and nothing of
     * the control character came back.
     */
    private void assertRefused(Answer answer, String code, String param) {
        assertEquals(400, answer.status(), answer.body());
        assertTrue(answer.headers().get("content-type").startsWith("application/json"));
        JsonObject error = answer.json().getJsonObject("error");
        assertEquals("invalid_request_error", error.getString("type"));
        assertEquals(code, error.getString("code"));
        assertEquals(param, error.getString("param"));
        assertFalse(answer.body().chars().anyMatch(c -> c < 0x20 || c >= 0x7f), "no control character is echoed");
        assertEquals(0, upstream.requestCount(), "the provider must not be called");
    }

    private static void assertRefused(io.restassured.response.Response response, String code, String param) {
        assertOpenAiError(response, 400, "invalid_request_error", code, param);
    }

    private static Map<String, String> headers(String... namesAndValues) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    private static JsonObject responses(String input) {
        return new JsonObject().put("model", "gpt-test").put("input", input);
    }
}
