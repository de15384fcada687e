package io.chatrelay.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * With authentication on, the rate limit counts per subject, not per address (all requests
 * here come from one address), and the conversation limit per owner: one subject's use never
 * spends another's allowance.
 */
@QuarkusTest
@TestProfile(SubjectLimitsTest.Profile.class)
class SubjectLimitsTest {

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.auth.mode", "api-key",
                    "relay.auth.api-keys-file", "target/test-classes/auth/api-keys.txt",
                    "relay.rate-limit.max", "4",
                    "relay.rate-limit.window", "1h",
                    "relay.persistence.max-conversations-per-session", "1");
        }
    }

    @Test
    void eachSubjectHasItsOwnRateLimitAndConversationLimit() {
        String session = "limits-" + UUID.randomUUID();
        as(ApiKeyAuthTest.ALICE_KEY, session).body("{}").post("/v1/conversations").then().statusCode(201);
        as(ApiKeyAuthTest.ALICE_KEY, session).body("{}").post("/v1/conversations")
                .then().statusCode(429).body("error.code", equalTo("limit_exceeded"));
        // the same session id under another subject is another owner, with room of its own
        as(ApiKeyAuthTest.BOB_KEY, session).body("{}").post("/v1/conversations").then().statusCode(201);

        as(ApiKeyAuthTest.ALICE_KEY, session).get("/v1/conversations").then().statusCode(200)
                .header("X-RateLimit-Remaining", "1");
        as(ApiKeyAuthTest.ALICE_KEY, session).get("/v1/conversations").then().statusCode(200);
        as(ApiKeyAuthTest.ALICE_KEY, session).get("/v1/conversations")
                .then().statusCode(429).body("error.code", equalTo("rate_limit_exceeded"));
        as(ApiKeyAuthTest.BOB_KEY, session).get("/v1/conversations").then().statusCode(200)
                .header("X-RateLimit-Remaining", "2");
    }

    private static RequestSpecification as(String key, String session) {
        return given().header("Authorization", "Bearer " + key).header("X-Session-Id", session)
                .contentType(ContentType.JSON);
    }
}
