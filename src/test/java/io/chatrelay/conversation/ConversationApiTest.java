package io.chatrelay.conversation;

import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static io.chatrelay.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
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
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class ConversationApiTest {

    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "conv-" + UUID.randomUUID();
    }

    // ---------------------------------------------------------------- create

    @Test
    void createReturns201WithEveryFieldOfTheConversation() {
        JsonPath created = as(session).body("{\"title\":\"Trip to Lyon\",\"model\":\"gpt-4.1\"}")
                .post("/v1/conversations")
                .then().statusCode(201).contentType(ContentType.JSON)
                .body("id", matchesPattern(UUID_PATTERN))
                .body("title", equalTo("Trip to Lyon"))
                .body("model", equalTo("gpt-4.1"))
                .body("pinned", equalTo(false))
                .body("created_at", notNullValue())
                .body("updated_at", notNullValue())
                .extract().jsonPath();
        Instant createdAt = Instant.parse(created.getString("created_at"));
        assertFalse(Instant.parse(created.getString("updated_at")).isBefore(createdAt));

        JsonPath read = Api.conversation(session, created.getString("id"));
        assertEquals("Trip to Lyon", read.getString("title"));
        assertEquals("gpt-4.1", read.getString("model"));
        assertEquals(1, Db.conversationsOfSession(session));
    }

    @Test
    void createWithoutTitleOrModelReturnsThemAsNull() {
        as(session).body("{}").post("/v1/conversations")
                .then().statusCode(201)
                .body("id", matchesPattern(UUID_PATTERN))
                .body("$", hasKey("title")).body("title", nullValue())
                .body("$", hasKey("model")).body("model", nullValue())
                .body("pinned", equalTo(false))
                .body("created_at", notNullValue())
                .body("updated_at", notNullValue());
        as(session).body("{\"title\":\"only a title\"}").post("/v1/conversations")
                .then().statusCode(201)
                .body("title", equalTo("only a title"))
                .body("model", nullValue());
        assertEquals(2, Db.conversationsOfSession(session));
    }

    @Test
    void createWithANonStringTitleIsRejectedAndCreatesNothing() {
        assertError(as(session).body("{\"title\": 5}").post("/v1/conversations"),
                400, "invalid_request_error", "invalid_value", "title");
        assertEquals(0, Db.conversationsOfSession(session));
    }

    // ---------------------------------------------------------------- list

    @Test
    void listShowsNewestActivityFirstAndATurnMovesAConversationToTheFront() {
        String first = Api.createConversation(session);
        String second = Api.createConversation(session);
        String third = Api.createConversation(session);
        assertEquals(List.of(third, second, first), listIds(session, 100));

        chatTurn(session, first, "bring me back up");

        assertEquals(List.of(first, third, second), listIds(session, 100));
        JsonPath page = as(session).get("/v1/conversations").then().statusCode(200).extract().jsonPath();
        Instant firstActivity = Instant.parse(page.getString("items[0].updated_at"));
        Instant thirdActivity = Instant.parse(page.getString("items[1].updated_at"));
        assertTrue(firstActivity.isAfter(thirdActivity), "the turn bumped the conversation's activity");
    }

    @Test
    void keysetPaginationReturnsEveryConversationExactlyOnceInListOrder() {
        for (int i = 0; i < 23; i++) {
            Api.createConversation(session);
        }
        List<String> all = listIds(session, 100);
        assertEquals(23, all.size());
        assertEquals(23, new HashSet<>(all).size());

        List<String> paged = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonPath page = listPage(session, 5, cursor);
            List<String> ids = page.getList("items.id", String.class);
            paged.addAll(ids);
            pageSizes.add(ids.size());
            cursor = page.getString("next_cursor");
            if (paged.size() < 23) {
                assertNotNull(cursor, "next_cursor is set while items remain (after " + paged.size() + ")");
            }
            assertTrue(pageSizes.size() <= 5, "pagination did not terminate");
        } while (cursor != null);

        assertEquals(List.of(5, 5, 5, 5, 3), pageSizes);
        assertEquals(all, paged);
    }

    @Test
    void nextCursorIsNullOnTheLastPageWhenTheCountIsAnExactMultipleOfTheLimit() {
        for (int i = 0; i < 10; i++) {
            Api.createConversation(session);
        }
        JsonPath first = listPage(session, 5, null);
        assertEquals(5, first.getList("items").size());
        String cursor = first.getString("next_cursor");
        assertNotNull(cursor);

        JsonPath second = listPage(session, 5, cursor);
        assertEquals(5, second.getList("items").size());
        assertNull(second.getString("next_cursor"), "no eleventh conversation exists");

        List<String> paged = new ArrayList<>(first.getList("items.id", String.class));
        paged.addAll(second.getList("items.id", String.class));
        assertEquals(listIds(session, 100), paged);
    }

    @Test
    void listDefaultsToTwentyItemsAndAnEmptySessionHasNoItems() {
        as(session).get("/v1/conversations")
                .then().statusCode(200)
                .body("items.size()", equalTo(0))
                .body("$", hasKey("next_cursor"))
                .body("next_cursor", nullValue());
        for (int i = 0; i < 21; i++) {
            Api.createConversation(session);
        }
        as(session).get("/v1/conversations")
                .then().statusCode(200)
                .body("items.size()", equalTo(20))
                .body("next_cursor", notNullValue());
    }

    // ---------------------------------------------------------------- read one

    @Test
    void messagesArePagedBySeqWithAfterSeqAndLimit() {
        String id = Api.createConversation(session);
        for (int turn = 1; turn <= 5; turn++) {
            chatTurn(session, id, "question " + turn);
        }

        List<List<Integer>> pages = new ArrayList<>();
        List<Object> nexts = new ArrayList<>();
        Integer after = 0;
        while (after != null) {
            JsonPath page = as(session).queryParam("after_seq", after).queryParam("limit", 3)
                    .get("/v1/conversations/" + id)
                    .then().statusCode(200).body("$", hasKey("next_after_seq")).extract().jsonPath();
            pages.add(page.getList("messages.seq", Integer.class));
            after = page.get("next_after_seq");
            nexts.add(after);
            assertTrue(pages.size() <= 4, "pagination did not terminate");
        }
        assertEquals(List.of(List.of(1, 2, 3), List.of(4, 5, 6), List.of(7, 8, 9), List.of(10)), pages);
        assertEquals(Arrays.asList(3, 6, 9, null), nexts);

        JsonPath whole = Api.conversation(session, id);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), whole.getList("messages.seq", Integer.class));
        assertNull(whole.get("next_after_seq"));
        assertEquals(List.of("user", "assistant", "user", "assistant", "user", "assistant", "user", "assistant",
                "user", "assistant"), whole.getList("messages.role"));
        assertEquals("question 3", whole.getString("messages[4].content"));
        assertEquals("x", whole.getString("messages[5].content"));

        // exactly the last message as a page: nothing later exists
        as(session).queryParam("after_seq", 9).queryParam("limit", 1).get("/v1/conversations/" + id)
                .then().statusCode(200)
                .body("messages.seq", equalTo(List.of(10)))
                .body("next_after_seq", nullValue());
        as(session).queryParam("after_seq", 10).get("/v1/conversations/" + id)
                .then().statusCode(200)
                .body("messages.size()", equalTo(0))
                .body("next_after_seq", nullValue());
    }

    @Test
    void messageHasEveryDocumentedField() {
        String id = Api.createConversation(session);
        chatTurn(session, id, "hello");

        Map<String, Object> assistant = Api.conversation(session, id).getMap("messages[1]");
        for (String field : List.of("id", "seq", "role", "status", "content", "finish_reason", "tool_calls",
                "usage", "response_id", "created_at")) {
            assertTrue(assistant.containsKey(field), "message field " + field);
        }
        assertEquals("final", assistant.get("status"));
        assertEquals("stop", assistant.get("finish_reason"));
    }

    @Test
    void contentSentAsAnArrayOfContentPartsComesBackAsTheSameArray() {
        String id = Api.createConversation(session);
        JsonArray parts = new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "What is in this picture?"))
                .add(new JsonObject().put("type", "image_url").put("image_url",
                        new JsonObject().put("url", "https://example.com/cat.png").put("detail", "low")));
        JsonObject body = new JsonObject().put("model", "gpt-test").put("stream", false)
                .put("conversation_id", id)
                .put("messages", new JsonArray()
                        .add(new JsonObject().put("role", "system").put("content", "Be brief."))
                        .add(new JsonObject().put("role", "user").put("content", parts)));
        upstream.enqueue(Script.json(200, Chunks.completion("x")));
        as(session).body(body.encode()).post("/v1/chat/completions").then().statusCode(200);

        String raw = as(session).get("/v1/conversations/" + id).then().statusCode(200).extract().asString();
        JsonObject user = new JsonObject(raw).getJsonArray("messages").getJsonObject(0);
        assertEquals("user", user.getString("role"));
        assertInstanceOf(JsonArray.class, user.getValue("content"));
        assertEquals(parts, user.getJsonArray("content"));
    }

    // ---------------------------------------------------------------- patch

    @Test
    void patchChangesTitleAndPinnedAndTheChangeIsPersisted() {
        String id = Api.createConversation(session);

        as(session).body("{\"title\":\"Renamed\"}").patch("/v1/conversations/" + id)
                .then().statusCode(200)
                .body("id", equalTo(id))
                .body("title", equalTo("Renamed"))
                .body("pinned", equalTo(false))
                .body("created_at", notNullValue())
                .body("updated_at", notNullValue());
        as(session).body("{\"pinned\":true}").patch("/v1/conversations/" + id)
                .then().statusCode(200)
                .body("title", equalTo("Renamed"))
                .body("pinned", equalTo(true));

        JsonPath read = Api.conversation(session, id);
        assertEquals("Renamed", read.getString("title"));
        assertTrue(read.getBoolean("pinned"));
        assertEquals(1, Db.number("select count(*) from conversations where id = ? and title = 'Renamed' and pinned",
                UUID.fromString(id)));

        as(session).body("{\"title\":\"Both\",\"pinned\":false}").patch("/v1/conversations/" + id)
                .then().statusCode(200).body("title", equalTo("Both")).body("pinned", equalTo(false));
        JsonPath again = Api.conversation(session, id);
        assertEquals("Both", again.getString("title"));
        assertFalse(again.getBoolean("pinned"));
    }

    @Test
    void patchWithANonBooleanPinnedIsRejectedAndChangesNothing() {
        String id = Api.createConversation(session);

        assertError(as(session).body("{\"pinned\":\"yes\"}").patch("/v1/conversations/" + id),
                400, "invalid_request_error", "invalid_value", "pinned");
        assertError(as(session).body("{\"title\":\"kept?\",\"pinned\":\"yes\"}").patch("/v1/conversations/" + id),
                400, "invalid_request_error", "invalid_value", "pinned");

        JsonPath read = Api.conversation(session, id);
        assertFalse(read.getBoolean("pinned"));
        assertNull(read.getString("title"));
    }

    // ---------------------------------------------------------------- delete

    @Test
    void deleteRemovesTheConversationAndItsMessages() {
        String id = Api.createConversation(session);
        chatTurn(session, id, "soon gone");
        assertEquals(2, Db.number("select count(*) from messages where conversation_id = ?", UUID.fromString(id)));

        as(session).delete("/v1/conversations/" + id).then().statusCode(204);

        assertError(as(session).get("/v1/conversations/" + id),
                404, "not_found_error", "conversation_not_found", null);
        assertError(as(session).delete("/v1/conversations/" + id),
                404, "not_found_error", "conversation_not_found", null);
        assertError(as(session).body("{\"title\":\"zombie\"}").patch("/v1/conversations/" + id),
                404, "not_found_error", "conversation_not_found", null);
        assertFalse(listIds(session, 100).contains(id));
        assertEquals(0, Db.number("select count(*) from messages where conversation_id = ?", UUID.fromString(id)));
        assertEquals(0, Db.number("select count(*) from conversations where id = ?", UUID.fromString(id)));
    }

    // ---------------------------------------------------------------- invalid parameters

    @Test
    void invalidListLimitOrCursorIsRejected() {
        for (String limit : List.of("0", "101", "abc", "-1")) {
            assertError(as(session).queryParam("limit", limit).get("/v1/conversations"),
                    400, "invalid_request_error", "invalid_value", "limit");
        }
        for (String cursor : List.of("garbage", "!!!", "eyJmb28iOiJiYXIifQ")) {
            assertError(as(session).queryParam("cursor", cursor).get("/v1/conversations"),
                    400, "invalid_request_error", "invalid_value", "cursor");
        }
        as(session).queryParam("limit", 1).get("/v1/conversations").then().statusCode(200);
        as(session).queryParam("limit", 100).get("/v1/conversations").then().statusCode(200);
    }

    @Test
    void invalidMessageLimitOrAfterSeqIsRejected() {
        String id = Api.createConversation(session);
        for (String limit : List.of("0", "201", "abc")) {
            assertError(as(session).queryParam("limit", limit).get("/v1/conversations/" + id),
                    400, "invalid_request_error", "invalid_value", "limit");
        }
        for (String afterSeq : List.of("-1", "x", "1.5")) {
            assertError(as(session).queryParam("after_seq", afterSeq).get("/v1/conversations/" + id),
                    400, "invalid_request_error", "invalid_value", "after_seq");
        }
        as(session).queryParam("limit", 200).queryParam("after_seq", 0).get("/v1/conversations/" + id)
                .then().statusCode(200);
    }

    @Test
    void nonUuidIdIsRejectedOnEveryConversationEndpoint() {
        for (String id : List.of("not-a-uuid", "1-2-3-4-5", "12345")) {
            assertError(as(session).get("/v1/conversations/" + id),
                    400, "invalid_request_error", "invalid_value", null);
            assertError(as(session).body("{\"title\":\"t\"}").patch("/v1/conversations/" + id),
                    400, "invalid_request_error", "invalid_value", null);
            assertError(as(session).delete("/v1/conversations/" + id),
                    400, "invalid_request_error", "invalid_value", null);
        }
    }

    @Test
    void wellFormedUnknownIdIsNotFoundOnEveryConversationEndpoint() {
        String unknown = UUID.randomUUID().toString();
        assertError(as(session).get("/v1/conversations/" + unknown),
                404, "not_found_error", "conversation_not_found", null);
        assertError(as(session).body("{\"title\":\"t\"}").patch("/v1/conversations/" + unknown),
                404, "not_found_error", "conversation_not_found", null);
        assertError(as(session).delete("/v1/conversations/" + unknown),
                404, "not_found_error", "conversation_not_found", null);
    }

    // ---------------------------------------------------------------- sessions

    @Test
    void everyConversationEndpointNeedsASession() {
        String id = Api.createConversation(session);
        String path = "/v1/conversations/" + id;
        assertError(given().contentType(ContentType.JSON).body("{}").post("/v1/conversations"),
                400, "invalid_request_error", "missing_session", null);
        assertError(given().get("/v1/conversations"), 400, "invalid_request_error", "missing_session", null);
        assertError(given().get(path), 400, "invalid_request_error", "missing_session", null);
        assertError(given().contentType(ContentType.JSON).body("{\"title\":\"t\"}").patch(path),
                400, "invalid_request_error", "missing_session", null);
        assertError(given().delete(path), 400, "invalid_request_error", "missing_session", null);

        assertNull(Api.conversation(session, id).getString("title"));
        assertEquals(1, Db.conversationsOfSession(session));
    }

    @Test
    void malformedSessionIsRejectedOnEveryConversationEndpoint() {
        String id = Api.createConversation(session);
        String path = "/v1/conversations/" + id;
        for (String bad : List.of("bad session!", "a".repeat(200), "a".repeat(129), "semi;colon", "slash/y")) {
            assertError(as(bad).body("{}").post("/v1/conversations"),
                    400, "invalid_request_error", "invalid_session", null);
            assertError(as(bad).get("/v1/conversations"), 400, "invalid_request_error", "invalid_session", null);
            assertError(as(bad).get(path), 400, "invalid_request_error", "invalid_session", null);
            assertError(as(bad).body("{\"title\":\"t\"}").patch(path),
                    400, "invalid_request_error", "invalid_session", null);
            assertError(as(bad).delete(path), 400, "invalid_request_error", "invalid_session", null);
            assertEquals(0, Db.conversationsOfSession(bad));
        }
        assertEquals(1, Db.conversationsOfSession(session));
    }

    @Test
    void sessionOfExactly128AllowedCharactersIsAccepted() {
        String longSession = (session + ".A_z:9-" + "x".repeat(128)).substring(0, 128);
        String id = Api.createConversation(longSession);
        assertEquals(List.of(id), listIds(longSession, 100));
    }

    @Test
    void sessionCookieWorksLikeTheHeader() {
        String id = given().cookie("cf_session_id", session).contentType(ContentType.JSON)
                .body("{\"title\":\"from cookie\"}").post("/v1/conversations")
                .then().statusCode(201).extract().path("id");

        assertEquals(List.of(id), listIds(session, 100));
        given().cookie("cf_session_id", session).get("/v1/conversations")
                .then().statusCode(200).body("items.id", equalTo(List.of(id)));
        given().cookie("cf_session_id", session).get("/v1/conversations/" + id)
                .then().statusCode(200).body("title", equalTo("from cookie"));
        given().cookie("cf_session_id", session).contentType(ContentType.JSON).body("{\"pinned\":true}")
                .patch("/v1/conversations/" + id).then().statusCode(200).body("pinned", equalTo(true));
        // valid cookie octets, but not a valid session id
        assertError(given().cookie("cf_session_id", "bad!cookie").get("/v1/conversations"),
                400, "invalid_request_error", "invalid_session", null);
        assertError(given().cookie("cf_session_id", "other-" + UUID.randomUUID()).get("/v1/conversations/" + id),
                404, "not_found_error", "conversation_not_found", null);
        given().cookie("cf_session_id", session).delete("/v1/conversations/" + id).then().statusCode(204);
        assertEquals(0, Db.conversationsOfSession(session));
    }

    @Test
    void anotherSessionCannotSeeChangeOrDeleteAConversation() {
        String id = Api.createConversation(session);
        as(session).body("{\"title\":\"private\"}").patch("/v1/conversations/" + id).then().statusCode(200);
        String intruder = "intruder-" + UUID.randomUUID();
        Api.createConversation(intruder);

        assertError(as(intruder).get("/v1/conversations/" + id),
                404, "not_found_error", "conversation_not_found", null);
        assertError(as(intruder).body("{\"title\":\"mine now\",\"pinned\":true}").patch("/v1/conversations/" + id),
                404, "not_found_error", "conversation_not_found", null);
        assertError(as(intruder).delete("/v1/conversations/" + id),
                404, "not_found_error", "conversation_not_found", null);
        assertFalse(listIds(intruder, 100).contains(id));
        assertEquals(1, listIds(intruder, 100).size());

        JsonPath read = Api.conversation(session, id);
        assertEquals("private", read.getString("title"));
        assertFalse(read.getBoolean("pinned"));
        assertEquals(List.of(id), listIds(session, 100));
    }

    @Test
    void anotherSessionCannotAddATurnToAConversationByBodyOrHeader() {
        String id = Api.createConversation(session);
        chatTurn(session, id, "my secret question");
        String before = as(session).get("/v1/conversations/" + id).then().statusCode(200).extract().asString();
        upstream.reset();
        String intruder = "intruder-" + UUID.randomUUID();

        assertError(as(intruder).body(Api.chat("append this", false).put("conversation_id", id).encode())
                .post("/v1/chat/completions"), 404, "not_found_error", "conversation_not_found", null);
        assertError(as(intruder).body(Api.chat("append this", true).put("conversation_id", id).encode())
                .post("/v1/chat/completions"), 404, "not_found_error", "conversation_not_found", null);
        assertError(as(intruder).header("X-Conversation-Id", id).body(Api.chat("append this", false).encode())
                .post("/v1/chat/completions"), 404, "not_found_error", "conversation_not_found", null);

        assertEquals(0, upstream.requestCount(), "nothing may reach the provider");
        assertEquals(0, Db.conversationsOfSession(intruder));
        assertEquals(2, Db.number("select count(*) from messages where conversation_id = ?", UUID.fromString(id)));
        String after = as(session).get("/v1/conversations/" + id).then().statusCode(200).extract().asString();
        JsonObject beforeJson = new JsonObject(before);
        JsonObject afterJson = new JsonObject(after);
        assertEquals(beforeJson.getJsonArray("messages"), afterJson.getJsonArray("messages"));
        assertEquals(beforeJson.getString("updated_at"), afterJson.getString("updated_at"),
                "another session's attempt does not count as activity");
    }

    // ---------------------------------------------------------------- helpers

    /** One non-streamed chat turn through the mock provider: adds a user and an assistant message. */
    private void chatTurn(String owner, String conversationId, String text) {
        upstream.enqueue(Script.json(200, Chunks.completion("x")));
        as(owner).body(Api.chat(text, false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200).header("X-Conversation-Id", conversationId);
    }

    private static JsonPath listPage(String owner, int limit, String cursor) {
        RequestSpecification request = as(owner).queryParam("limit", limit);
        if (cursor != null) {
            request = request.queryParam("cursor", cursor);
        }
        return request.get("/v1/conversations")
                .then().statusCode(200).body("$", hasKey("next_cursor")).extract().jsonPath();
    }

    private static List<String> listIds(String owner, int limit) {
        JsonPath page = listPage(owner, limit, null);
        assertNull(page.getString("next_cursor"), "a single page holds them all");
        return page.getList("items.id", String.class);
    }

    private static void assertError(Response response, int status, String type, String code, String param) {
        assertOpenAiError(response, status, type, code, param);
    }
}
