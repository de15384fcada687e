package io.chatrelay.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.PrivateKey;
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
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.vertx.core.json.JsonObject;

/**
 * AUTH_MODE=jwt: a bearer token signed by the configured key, from the configured issuer and
 * not expired, authenticates its {@code sub}; anything else is a 401 before the provider is
 * called. The token is verified off the event loop, and the request's body still arrives.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(JwtAuthTest.Profile.class)
class JwtAuthTest {

    static final String ISSUER = "https://issuer.chat-relay.test";

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.auth.mode", "jwt",
                    "mp.jwt.verify.publickey.location", "auth/public-key.pem",
                    "mp.jwt.verify.issuer", ISSUER);
        }
    }

    private final MockUpstream upstream = MockUpstream.shared();

    @BeforeEach
    void setUp() {
        upstream.reset();
    }

    @Test
    void aValidTokenAuthenticatesItsSubjectAndTheTurnIsStoredAsItsOwn() {
        String session = "jwt-" + UUID.randomUUID();
        upstream.enqueue(Script.json(200, Chunks.completion("Hi carol")));

        String conversationId = given()
                .header("Authorization", "Bearer " + token("carol", ISSUER, "auth/private-key.pem"))
                .header("X-Session-Id", session).contentType(ContentType.JSON)
                .body(Api.chat("a body that must arrive", false).encode()).post("/v1/chat/completions")
                .then().statusCode(200).body("choices[0].message.content", equalTo("Hi carol"))
                .extract().header("X-Conversation-Id");

        assertEquals(1, upstream.requestCount());
        assertEquals("a body that must arrive", new JsonObject(upstream.lastRequest().body())
                .getJsonArray("messages").getJsonObject(0).getString("content"));
        assertEquals(1, Db.number("select count(*) from conversations where id = ?::uuid and owner_subject = 'carol'"
                + " and session_id = ?", conversationId, session));
    }

    @Test
    void forgedExpiredForeignOrSubjectlessTokensAreRefused() {
        String[] refused = {
            token("carol", ISSUER, "auth/other-private-key.pem"),
            token("carol", "https://someone-else.test", "auth/private-key.pem"),
            Jwt.issuer(ISSUER).subject("carol").issuedAt(1_000_000L).expiresAt(1_000_060L)
                    .sign(key("auth/private-key.pem")),
            Jwt.issuer(ISSUER).claim("name", "no subject").sign(key("auth/private-key.pem")),
            "not-a-jwt",
        };
        for (String token : refused) {
            given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                    .body(Api.chat("hi", false).encode()).post("/v1/chat/completions")
                    .then().statusCode(401)
                    .header("WWW-Authenticate", "Bearer")
                    .body("error.code", equalTo("invalid_api_key"));
        }
        assertEquals(0, upstream.requestCount());
    }

    static String token(String subject, String issuer, String keyLocation) {
        return Jwt.issuer(issuer).subject(subject).expiresIn(300).sign(key(keyLocation));
    }

    private static PrivateKey key(String location) {
        try {
            return KeyUtils.readPrivateKey(location);
        } catch (Exception e) {
            throw new IllegalStateException("test key " + location + " unreadable", e);
        }
    }
}
