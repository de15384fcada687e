package io.chatrelay.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * With authentication on, a conversation belongs to its subject, refined by the session id:
 * another subject gets 404 for it on every endpoint, whatever session id it sends, and nothing
 * of it changes; the provider is never called for it. Two subjects, alice and bob, with the
 * keys of AUTH_API_KEYS_FILE.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(ApiKeyAuthTest.Profile.class)
class TenantIsolationTest {

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "shared-" + UUID.randomUUID(); // both subjects send the same session id
    }

    @Test
    void anotherSubjectGets404OnEveryEndpointWhateverSessionItSends() {
        String id = as(ApiKeyAuthTest.ALICE_KEY, session).body("{\"title\":\"alice's\"}").post("/v1/conversations")
                .then().statusCode(201).extract().path("id");
        long messages = Db.number("select count(*) from messages where conversation_id = ?::uuid", id);

        as(ApiKeyAuthTest.BOB_KEY, session).get("/v1/conversations/" + id)
                .then().statusCode(404).body("error.code", equalTo("conversation_not_found"));
        as(ApiKeyAuthTest.BOB_KEY, session).body("{\"title\":\"bob's now\",\"pinned\":true}")
                .patch("/v1/conversations/" + id).then().statusCode(404);
        as(ApiKeyAuthTest.BOB_KEY, session).delete("/v1/conversations/" + id).then().statusCode(404);
        as(ApiKeyAuthTest.BOB_KEY, session).get("/v1/conversations")
                .then().statusCode(200).body("items.id", not(hasItem(id)));
        as(ApiKeyAuthTest.BOB_KEY, null).get("/v1/conversations/" + id).then().statusCode(404);
        as(ApiKeyAuthTest.BOB_KEY, session).body(Api.chat("hi", false).put("conversation_id", id).encode())
                .post("/v1/chat/completions").then().statusCode(404);
        as(ApiKeyAuthTest.BOB_KEY, session).header("X-History", "stored")
                .body(Api.chat("hi", true).put("conversation_id", id).encode())
                .post("/v1/chat/completions").then().statusCode(404);
        as(ApiKeyAuthTest.BOB_KEY, session)
                .body("{\"model\":\"gpt-test\",\"input\":\"hi\",\"conversation_id\":\"" + id + "\"}")
                .post("/v1/responses").then().statusCode(404);

        assertEquals(0, upstream.requestCount());
        as(ApiKeyAuthTest.ALICE_KEY, session).get("/v1/conversations/" + id)
                .then().statusCode(200).body("title", equalTo("alice's")).body("pinned", equalTo(false));
        assertEquals(messages, Db.number("select count(*) from messages where conversation_id = ?::uuid", id));
        assertEquals(1, Db.number("select count(*) from conversations where id = ?::uuid and owner_subject = 'alice'",
                id));
    }

    @Test
    void aSessionRefinesTheOwnerAndASubjectMayActWithoutOne() {
        String withoutSession = as(ApiKeyAuthTest.ALICE_KEY, null).body("{}").post("/v1/conversations")
                .then().statusCode(201).extract().path("id");
        String inSession = as(ApiKeyAuthTest.ALICE_KEY, session).body("{}").post("/v1/conversations")
                .then().statusCode(201).extract().path("id");

        as(ApiKeyAuthTest.ALICE_KEY, null).get("/v1/conversations/" + withoutSession).then().statusCode(200);
        as(ApiKeyAuthTest.ALICE_KEY, null).get("/v1/conversations/" + inSession).then().statusCode(404);
        as(ApiKeyAuthTest.ALICE_KEY, session).get("/v1/conversations/" + withoutSession).then().statusCode(404);
        as(ApiKeyAuthTest.ALICE_KEY, session).get("/v1/conversations")
                .then().statusCode(200)
                .body("items.id", hasItem(inSession))
                .body("items.id", not(hasItem(withoutSession)));

        upstream.enqueue(Script.json(200, Chunks.completion("stored without a session")));
        as(ApiKeyAuthTest.ALICE_KEY, null).body(Api.chat("hi", false).put("conversation_id", withoutSession).encode())
                .post("/v1/chat/completions").then().statusCode(200);
        assertEquals(2, Db.number("select count(*) from messages where conversation_id = ?::uuid", withoutSession));
    }

    @Test
    void aChatThatNamesNeitherSessionNorConversationIsRelayedButNotStored() {
        long before = Db.number("select count(*) from conversations where owner_subject = 'bob'");
        upstream.enqueue(Script.json(200, Chunks.completion("not stored")));

        as(ApiKeyAuthTest.BOB_KEY, null).body(Api.chat("hi", false).encode()).post("/v1/chat/completions")
                .then().statusCode(200).header("X-Conversation-Id", (String) null);

        assertEquals(before, Db.number("select count(*) from conversations where owner_subject = 'bob'"));
    }

    private static RequestSpecification as(String key, String session) {
        RequestSpecification request = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
        return session == null ? request : request.header("X-Session-Id", session);
    }
}
