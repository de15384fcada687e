package io.chatrelay.ratelimit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.ErrorAssertions;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * RATE_LIMIT_MAX=3 per 60 s behind a trusted proxy: each test method sends as its own
 * forwarded client address, so the methods never share a bucket.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(RateLimitTest.Profile.class)
class RateLimitTest {

    private static final String ALLOWED_ORIGIN = "http://localhost:3000";

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.rate-limit.max", "3",
                    "relay.rate-limit.window", "60",
                    "quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.allow-x-forwarded", "true");
        }
    }

    private final MockUpstream upstream = MockUpstream.shared();

    @BeforeEach
    void setUp() {
        upstream.reset();
    }

    @Test
    void fourthRequestOfTheWindowIsRefusedBeforeItReachesTheRelay() {
        String client = "203.0.113.1";
        String session = "rate-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(Script.json(200, Chunks.completion("fine")));
        }

        for (int remaining = 2; remaining >= 0; remaining--) {
            from(client).header("X-Session-Id", session).body(Api.chat("hello", false).encode())
                    .post("/v1/chat/completions")
                    .then().statusCode(200)
                    .header("X-RateLimit-Limit", "3")
                    .header("X-RateLimit-Remaining", Integer.toString(remaining));
        }
        String refusedSession = "rate-refused-" + UUID.randomUUID();
        Response refused = from(client).header("X-Session-Id", refusedSession).header("Origin", ALLOWED_ORIGIN)
                .body(Api.chat("one too many", false).encode()).post("/v1/chat/completions");

        ErrorAssertions.assertOpenAiError(refused, 429, "rate_limit_exceeded", "rate_limit_exceeded", null);
        refused.then().header("X-RateLimit-Limit", "3").header("X-RateLimit-Remaining", "0")
                // CORS runs first, so a browser can read the refusal and its Retry-After.
                .header("Access-Control-Allow-Origin", ALLOWED_ORIGIN);
        int retryAfter = Integer.parseInt(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        refused.then().header("Connection", "close").body("error.message", equalTo("Rate limit reached: at most 3"
                + " requests per window from one address; retry after " + retryAfter + " s"));
        assertEquals(3, upstream.requestCount());
        assertEquals(0, Db.conversationsOfSession(refusedSession));
        assertEquals(0, Db.messagesOfSession(refusedSession));
    }

    @Test
    void healthEndpointsAreNeverLimited() {
        String client = "203.0.113.2";
        exhaust(client);

        for (int i = 0; i < 5; i++) {
            from(client).get("/q/health/ready").then().statusCode(200).header("X-RateLimit-Limit", nullValue());
            from(client).get("/q/health/live").then().statusCode(200);
            from(client).get("/healthz").then().statusCode(200).header("X-RateLimit-Limit", nullValue());
        }
        from(client).get("/v1/tools").then().statusCode(429);
    }

    @Test
    void forwardedAddressesHaveTheirOwnBuckets() {
        exhaust("203.0.113.3");

        from("203.0.113.4").get("/v1/tools").then().statusCode(200).header("X-RateLimit-Remaining", "2");
        from("203.0.113.3").get("/v1/tools").then().statusCode(429);
    }

    @Test
    void corsPreflightCostsNoToken() {
        String client = "203.0.113.5";
        for (int i = 0; i < 5; i++) {
            from(client).header("Origin", ALLOWED_ORIGIN).header("Access-Control-Request-Method", "POST")
                    .options("/v1/chat/completions")
                    .then().statusCode(200).header("Access-Control-Allow-Origin", ALLOWED_ORIGIN);
        }

        from(client).get("/v1/tools").then().statusCode(200).header("X-RateLimit-Remaining", "2");
    }

    @Test
    void everyLimitedPathCountsWhateverItsAnswer() {
        String client = "203.0.113.6";
        from(client).get("/v1/tools").then().statusCode(200).header("X-RateLimit-Remaining", "2");
        from(client).get("/v1/no-such-endpoint").then().statusCode(404).header("X-RateLimit-Remaining", "1");
        from(client).body("{not json").post("/v1/chat/completions")
                .then().statusCode(400).header("X-RateLimit-Remaining", "0");
        from(client).get("/v1/tools").then().statusCode(429).body("error.code", equalTo("rate_limit_exceeded"));
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void otherSpellingsOfAnApiPathCountToo() {
        String client = "203.0.113.7";
        exhaust(client);

        // RESTEasy ignores a segment's matrix parameters: such a spelling must not reach the
        // provider past the limit (one that routes nowhere is a 404, and as harmless).
        for (String path : List.of("/v1;x/models", "/v1;x/chat/completions", "/%76%31/models", "/v1/./models")) {
            from(client).urlEncodingEnabled(false).get(path).then().statusCode(not(equalTo(200)));
        }
        from(client).urlEncodingEnabled(false).get("/v1;x/models")
                .then().statusCode(429).body("error.code", equalTo("rate_limit_exceeded"));
        assertEquals(0, upstream.requestCount());
    }

    private static void exhaust(String client) {
        for (int i = 0; i < 3; i++) {
            from(client).get("/v1/tools").then().statusCode(200);
        }
        from(client).get("/v1/tools").then().statusCode(429);
    }

    private static RequestSpecification from(String client) {
        return given().header("X-Forwarded-For", client).contentType("application/json");
    }
}
