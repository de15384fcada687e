package io.chatrelay.ratelimit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * CORS for ALLOWED_ORIGIN and the rate-limit headers in the default test application,
 * where proxy address forwarding is off and the limit is high.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class CorsTest {

    private static final String ALLOWED_ORIGIN = "http://localhost:3000";

    private final MockUpstream upstream = MockUpstream.shared();

    @BeforeEach
    void setUp() {
        upstream.reset();
    }

    @Test
    void preflightFromTheAllowedOriginIsAllowed() {
        given().header("Origin", ALLOWED_ORIGIN).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "Content-Type, X-Session-Id, X-History")
                .options("/v1/chat/completions")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", ALLOWED_ORIGIN)
                .header("Access-Control-Allow-Methods", containsString("POST"))
                .header("Access-Control-Allow-Headers", containsString("X-Session-Id"))
                .header("Access-Control-Allow-Headers", containsString("X-History"));
    }

    @Test
    void preflightFromAnotherOriginIsRefused() {
        given().header("Origin", "http://evil.example").header("Access-Control-Request-Method", "POST")
                .options("/v1/chat/completions")
                .then().statusCode(403)
                .header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void anAllowedOriginCanReadTheRelayHeaders() {
        given().header("Origin", ALLOWED_ORIGIN).get("/v1/tools")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", ALLOWED_ORIGIN)
                .header("Access-Control-Expose-Headers", containsString("X-Conversation-Id"))
                .header("Access-Control-Expose-Headers", containsString("X-RateLimit-Remaining"))
                .header("Access-Control-Expose-Headers", containsString("Retry-After"));
    }

    @Test
    void everyV1ResponseCarriesTheRateLimitHeaders() {
        String session = "cors-" + UUID.randomUUID();
        upstream.enqueue(Script.json(200, Chunks.completion("hi")));

        assertRateLimitHeaders(given().get("/v1/tools"), 200);
        assertRateLimitHeaders(given().get("/v1/no-such-endpoint"), 404);
        assertRateLimitHeaders(Api.as(session).body("{not json").post("/v1/chat/completions"), 400);
        assertRateLimitHeaders(Api.as(session).body(Api.chat("hi", false).encode()).post("/v1/chat/completions"), 200);
        try (SseClient stream = Api.stream(session, Api.chat("hi", true))) {
            assertEquals(200, stream.status());
            assertEquals("100000", stream.header("X-RateLimit-Limit"));
            assertTrue(stream.header("X-RateLimit-Remaining").matches("\\d+"));
            stream.readToEnd();
        }

        given().get("/healthz").then().statusCode(200).header("X-RateLimit-Limit", nullValue());
        given().get("/q/health/live").then().statusCode(200).header("X-RateLimit-Remaining", nullValue());
    }

    @Test
    void forwardedForIsIgnoredWithoutProxyForwarding() {
        // A window's refill can fall between two requests at most once a minute, so a
        // second try rules it out.
        assertTrue(forwardedAddressesShareOneBucket() || forwardedAddressesShareOneBucket(),
                "X-Forwarded-For chose the bucket although proxy forwarding is off");
    }

    private static boolean forwardedAddressesShareOneBucket() {
        long first = remaining(given().header("X-Forwarded-For", "198.51.100.1").get("/v1/tools"));
        long second = remaining(given().header("X-Forwarded-For", "198.51.100.2").get("/v1/tools"));
        return second == first - 1;
    }

    private static long remaining(Response response) {
        response.then().statusCode(200);
        return Long.parseLong(response.header("X-RateLimit-Remaining"));
    }

    private static void assertRateLimitHeaders(Response response, int status) {
        response.then().statusCode(status)
                .header("X-RateLimit-Limit", "100000")
                .header("X-RateLimit-Remaining", matchesPattern("\\d+"));
    }
}
