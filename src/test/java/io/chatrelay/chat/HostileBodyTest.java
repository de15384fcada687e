package io.chatrelay.chat;

import static io.chatrelay.testing.Api.as;
import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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
import io.restassured.RestAssured;
import io.restassured.config.LogConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;

/**
 * Request bodies a hostile client crafts: bytes that are not UTF-8, JSON nested or sized to
 * exhaust the parser, and text the transcript store could not hold as sent. Each is refused
 * with 400 in OpenAI's envelope on every endpoint that reads a body, before the provider is
 * called and before anything is stored; the service stays healthy.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class HostileBodyTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final String RESPONSES = "/v1/responses";

    /** Byte sequences no UTF-8 decoder may accept, each placed inside a JSON string. */
    private static final Map<String, byte[]> NOT_UTF8 = Map.of(
            "overlong '/'", bytes(0xC0, 0xAF),
            "overlong '/' in three bytes", bytes(0xE0, 0x80, 0xAF),
            "UTF-16 surrogate", bytes(0xED, 0xA0, 0x80),
            "beyond U+10FFFF", bytes(0xF4, 0x90, 0x80, 0x80),
            "lone continuation byte", bytes(0x80),
            "truncated sequence", bytes(0xE2, 0x82),
            "byte never used in UTF-8", bytes(0xFF));

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "body-" + UUID.randomUUID();
    }

    // ---------------------------------------------------------------- not UTF-8

    @Test
    void aChatBodyThatIsNotUtf8IsRefused() {
        NOT_UTF8.forEach((what, bad) -> {
            byte[] body = withInside("{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"a", bad,
                    "b\"}]}");
            assertRefused(as(session).body(body).post(CHAT), "invalid_utf8", what);
        });
        assertNothingStored();
    }

    @Test
    void aResponsesBodyThatIsNotUtf8IsRefused() {
        NOT_UTF8.forEach((what, bad) -> {
            byte[] body = withInside("{\"model\":\"gpt-test\",\"input\":\"a", bad, "b\"}");
            assertRefused(as(session).body(body).post(RESPONSES), "invalid_utf8", what);
        });
        assertNothingStored();
    }

    @Test
    void aConversationTitleThatIsNotUtf8ChangesNothing() {
        String id = Api.createConversation(session);
        as(session).body("{\"title\":\"before\"}").patch("/v1/conversations/" + id).then().statusCode(200);
        NOT_UTF8.forEach((what, bad) -> {
            assertRefused(as(session).body(withInside("{\"title\":\"a", bad, "b\"}")).patch("/v1/conversations/" + id),
                    "invalid_utf8", what);
            assertRefused(as(session).body(withInside("{\"title\":\"a", bad, "b\"}")).post("/v1/conversations"),
                    "invalid_utf8", what);
        });
        assertEquals("before", Api.conversation(session, id).getString("title"));
        assertEquals(1, Db.conversationsOfSession(session));
    }

    @Test
    void jsonInUtf16IsRefusedRatherThanGuessed() {
        String json = Api.chat("hi", false).encode();
        for (byte[] body : List.of(json.getBytes(StandardCharsets.UTF_16LE), json.getBytes(StandardCharsets.UTF_16BE),
                json.getBytes(StandardCharsets.UTF_16))) {
            assertRefused(as(session).body(body).post(CHAT), "invalid_utf8", "UTF-16");
        }
        assertNothingStored();
    }

    @Test
    void wellFormedMultiByteTextIsStoredExactly() {
        String text = "gr\u00fc\u00df \u4f60\u597d \ud83d\ude00 \u2028";
        upstream.enqueue(Script.json(200, Chunks.completion("ok")));
        String id = as(session).body(Api.chat(text, false).encode().getBytes(StandardCharsets.UTF_8)).post(CHAT)
                .then().statusCode(200).extract().header("X-Conversation-Id");
        assertEquals(text, Api.conversation(session, id).getString("messages[0].content"));
        assertEquals(text, new JsonObject(upstream.lastRequest().body()).getJsonArray("messages").getJsonObject(0)
                .getString("content"));
    }

    // ---------------------------------------------------------------- nesting and sizes

    @Test
    void aBodyNested100000DeepIsRefusedEverywhere() {
        String deepArrays = "[".repeat(100_000) + "]".repeat(100_000);
        String deepObjects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        for (String deep : List.of(deepArrays, deepObjects)) {
            String inContent = "{\"messages\":[{\"role\":\"user\",\"content\":" + deep + "}]}";
            assertRefused(quiet(session).body(inContent).post(CHAT), "invalid_json", "deep chat");
            assertRefused(quiet(session).body("{\"input\":" + deep + "}").post(RESPONSES), "invalid_json", "deep input");
            assertRefused(quiet(session).body("{\"title\":" + deep + "}").post("/v1/conversations"), "invalid_json",
                    "deep title");
        }
        assertNothingStored();
        assertStillServing();
    }

    @Test
    void nestingIsAllowedUpToTheStatedDepth() {
        // The body object is level 1: 999 arrays inside it make 1000 levels, one more is refused.
        upstream.enqueue(Script.json(200, Chunks.completion("ok")));
        quiet(session).body(Api.chat("hi", false).encode().replaceFirst("\\{", "{\"metadata\":" + nested(999) + ","))
                .post(CHAT).then().statusCode(200);
        upstream.reset();
        assertRefused(quiet(session).body(Api.chat("hi", false).encode()
                .replaceFirst("\\{", "{\"metadata\":" + nested(1000) + ",")).post(CHAT), "invalid_json", "1001 levels");
    }

    @Test
    void aBodyOfManySmallValuesIsRefusedBeforeItFillsTheHeap() {
        // About 5 MiB of empty objects would be a tree of about 150 MB: the token bound refuses it.
        String many = "[" + "{},".repeat(1_700_000) + "{}]";
        assertRefused(quiet(session).body(Api.chat("hi", false).encode().replaceFirst("\\{", "{\"metadata\":" + many + ","))
                .post(CHAT), "invalid_json", "1.7 million objects");
        assertRefused(quiet(session).body("{\"title\":\"t\",\"x\":" + many + "}").post("/v1/conversations"),
                "invalid_json", "1.7 million objects");
        assertNothingStored();
        assertStillServing();
        // A large request of a real shape stays well below: 2000 messages of a history.
        StringBuilder history = new StringBuilder("{\"model\":\"gpt-test\",\"messages\":[");
        for (int i = 0; i < 2000; i++) {
            history.append("{\"role\":\"user\",\"content\":\"message ").append(i).append("\"},");
        }
        history.append("{\"role\":\"user\",\"content\":\"last\"}]}");
        upstream.enqueue(Script.json(200, Chunks.completion("ok")));
        quiet(session).body(history.toString()).post(CHAT).then().statusCode(200);
    }

    @Test
    void aHugeNumberIsRefused() {
        for (String number : List.of("1".repeat(100_000), "0." + "1".repeat(1000), "1".repeat(1001))) {
            assertRefused(quiet(session).body(Api.chat("hi", false).encode().replaceFirst("\\{",
                    "{\"temperature\":" + number + ",")).post(CHAT), "invalid_json", number.length() + " digits");
        }
        assertNothingStored();
        assertStillServing();
    }

    @Test
    void aHugeExponentIsRelayedAsWrittenWithoutBeingExpanded() {
        upstream.enqueue(Script.json(200, Chunks.completion("ok")));
        given().contentType("application/json").body(Api.chat("hi", false).encode().replaceFirst("\\{",
                "{\"temperature\":1e999999999,\"top_p\":-1E-999999999,")).post(CHAT).then().statusCode(200);
        String forwarded = upstream.lastRequest().body();
        assertTrue(forwarded.contains("\"temperature\":1E+999999999"), forwarded);
        assertTrue(forwarded.contains("\"top_p\":-1E-999999999"), forwarded);
    }

    @Test
    void aLongStringUnderTheBodyLimitIsStoredWhole() {
        String text = "\u00e9".repeat(1024 * 1024);
        upstream.enqueue(Script.json(200, Chunks.completion("ok")));
        String id = quiet(session).body(Api.chat(text, false).encode()).post(CHAT).then().statusCode(200).extract()
                .header("X-Conversation-Id");
        assertEquals(text, Api.conversation(session, id).getString("messages[0].content"));
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutOffByTheHttpServer() {
        // Without Content-Length the 413 comes from the HTTP server while it reads: not in OpenAI's envelope.
        byte[] piece = ("\"" + "x".repeat(1024 * 1024) + "\",").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST " + CHAT + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "X-Session-Id: " + session + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < 6; i++) {
            request.writeBytes((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            request.writeBytes(piece);
            request.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(capture);
        try {
            Answer answer = RawHttp.exchange(request.toByteArray());

            assertEquals(413, answer.status(), answer.body());
            assertNothingStored();
            assertStillServing();
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
        // A client's oversized body is no failure of the service: no error line, no stack trace.
        assertEquals(List.of(), errors.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList());
    }

    // ---------------------------------------------------------------- text the store could not hold

    @Test
    void storedTextWithTheNulCharacterOrAnUnpairedSurrogateIsRefused() {
        String id = Api.createConversation(session);
        for (String bad : List.of("a\\u0000b", "\\ud800", "x\\udc00y", "\\ud83d")) {
            String json = "\"" + bad + "\"";
            assertRefused(as(session).body("{\"messages\":[{\"role\":\"user\",\"content\":" + json + "}]}")
                    .post(CHAT), "invalid_messages", bad);
            assertRefused(as(session).body("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                    + "\"text\":" + json + "}]}]}").post(CHAT), "invalid_messages", bad);
            assertRefused(as(session).body("{\"input\":" + json + "}").post(RESPONSES), "invalid_input", bad);
            assertRefused(as(session).body("{\"model\":" + json + ",\"input\":\"hi\"}").post(RESPONSES),
                    "invalid_value", bad);
            assertRefused(as(session).body("{\"title\":" + json + "}").patch("/v1/conversations/" + id),
                    "invalid_value", bad);
            assertRefused(as(session).body("{\"title\":" + json + "}").post("/v1/conversations"), "invalid_value",
                    bad);
            assertRefused(as(session).body("{\"model\":" + json + "}").post("/v1/conversations"), "invalid_value",
                    bad);
        }
        // ... in a field name too (Jackson itself refuses an unpaired surrogate there: invalid_json).
        assertRefused(as(session).body("{\"messages\":[{\"role\":\"user\",\"content\":[{\"a\\u0000b\":1}]}]}")
                .post(CHAT), "invalid_messages", "U+0000 in a field name");
        assertRefused(as(session).body("{\"messages\":[{\"role\":\"user\",\"content\":[{\"\\ud800\":1}]}]}")
                .post(CHAT), "invalid_json", "unpaired surrogate in a field name");
        assertNull(Api.conversation(session, id).getString("title"));
        assertEquals(1, Db.conversationsOfSession(session));
        assertEquals(0, Db.messagesOfSession(session));
    }

    @Test
    void storedContentWhoseNumbersWouldExpandIsRefused() {
        // PostgreSQL writes jsonb numbers out in full: 1e999999999 cannot be stored, and 1e100000
        // (8 bytes) would read back as 100001 digits.
        for (String numbers : List.of("1e999999999", "1e100000", "-1.5e-20000", "1e6000,1e6000")) {
            assertRefused(as(session).body("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                    + "\"text\":\"hi\",\"n\":[" + numbers + "]}]}]}").post(CHAT), "invalid_messages", numbers);
            assertRefused(as(session).body("{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
                    + "\"text\":\"hi\",\"n\":[" + numbers + "]}]}]}").post(RESPONSES), "invalid_input", numbers);
        }
        assertNothingStored();
        // Numbers as they are sent in practice are stored as sent.
        upstream.enqueue(Script.json(200, Chunks.completion("ok")));
        String id = as(session).body("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"hi\",\"n\":[0.70,1e3,-42,12345678901234567890]}]}]}").post(CHAT).then().statusCode(200)
                .extract().header("X-Conversation-Id");
        assertEquals("[0.70, 1000, -42, 12345678901234567890]", Db.rows("select content->0->'n' from messages"
                + " where conversation_id = ?", UUID.fromString(id)).get(0).get(0).toString());
    }

    // ---------------------------------------------------------------- helpers

    private void assertRefused(Response response, String code, String what) {
        try {
            assertOpenAiError(response, 400, "invalid_request_error", code, null);
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
        assertEquals(0, upstream.requestCount(), what + ": the provider must not be called");
    }

    /**
     * As {@link Api#as}, without REST Assured's pretty printing of the request for its failure
     * log, which takes quadratic memory for a deeply nested body.
     */
    private static RequestSpecification quiet(String session) {
        return as(session).config(RestAssured.config().logConfig(LogConfig.logConfig().enablePrettyPrinting(false)));
    }

    private void assertNothingStored() {
        assertEquals(0, Db.conversationsOfSession(session), "no conversation may be created");
        assertEquals(0, Db.messagesOfSession(session), "no message may be stored");
    }

    private void assertStillServing() {
        given().get("/q/health/live").then().statusCode(200);
        upstream.enqueue(Script.json(200, Chunks.completion("still here")));
        as("after-" + session).body(Api.chat("hi", false).encode()).post(CHAT).then().statusCode(200);
        upstream.reset();
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static byte[] withInside(String before, byte[] bad, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bad);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
