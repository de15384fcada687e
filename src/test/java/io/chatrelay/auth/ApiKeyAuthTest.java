package io.chatrelay.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * AUTH_MODE=api-key: every {@code /v1} request needs one of the keys whose hashes
 * AUTH_API_KEYS_FILE lists, sent as OpenAI's SDKs send their {@code apiKey}; without one it is
 * refused before anything else runs. Health stays open; the paths of AUTH_PROTECTED_PATHS
 * need a key too.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(ApiKeyAuthTest.Profile.class)
class ApiKeyAuthTest {

    static final String ALICE_KEY = "sk-alice-test-key";
    static final String BOB_KEY = "sk-bob-test-key";

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.auth.mode", "api-key",
                    "relay.auth.api-keys-file", "target/test-classes/auth/api-keys.txt",
                    "relay.auth.protected-paths", "/q/metrics,/q/openapi");
        }
    }

    private final MockUpstream upstream = MockUpstream.shared();

    @BeforeEach
    void setUp() {
        upstream.reset();
    }

    @Test
    void aRequestWithoutAKeyIsRefusedWith401BeforeTheProviderIsCalled() {
        given().contentType(ContentType.JSON).body(Api.chat("hi", false).encode())
                .post("/v1/chat/completions")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("invalid_api_key"));
        given().get("/v1/models").then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
        given().header("X-Session-Id", "s-" + UUID.randomUUID()).get("/v1/conversations")
                .then().statusCode(401);
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void noOtherSpellingOfAPathSlipsPastTheCheck() {
        for (String path : List.of("/v1;x/models", "/%76%31/models", "/v1/./models", "//v1/models", "/q/../v1/models",
                "/v1;x/chat/completions", "/q/health/../../v1/models", "/no-such-endpoint")) {
            given().urlEncodingEnabled(false).get(path)
                    .then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
        }
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void anUnknownKeyOrAnotherSchemeIsRefused() {
        for (String authorization : new String[] { "Bearer sk-not-a-key", "Basic YWxpY2U6c2VjcmV0", "Bearer ",
                "Bearer " + ApiKeys.sha256Hex(ALICE_KEY) }) {
            given().header("Authorization", authorization).contentType(ContentType.JSON)
                    .body(Api.chat("hi", false).encode()).post("/v1/chat/completions")
                    .then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
        }
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void theOfficialSdkAuthenticatesWithItsApiKeyAndTheClientsKeyNeverReachesTheProvider() {
        upstream.enqueue(Script.json(200, Chunks.completion("Hello alice")));
        OpenAIClient alice = sdk(ALICE_KEY);
        try {
            ChatCompletion completion = alice.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("gpt-test").addUserMessage("hi").build());
            assertEquals("Hello alice", completion.choices().get(0).message().content().orElseThrow());
        } finally {
            alice.close();
        }
        assertEquals("Bearer " + MockUpstreamResource.UPSTREAM_KEY, upstream.lastRequest().header("Authorization"),
                "the provider gets the operator's key, never the client's");

        OpenAIClient stranger = sdk("sk-stranger");
        try {
            assertThrows(UnauthorizedException.class,
                    () -> stranger.chat().completions().create(ChatCompletionCreateParams.builder()
                            .model("gpt-test").addUserMessage("hi").build()));
        } finally {
            stranger.close();
        }
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void healthStaysOpenAndTheProtectedPathsNeedAKey() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/healthz").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
        given().get("/q/openapi").then().statusCode(401);
        given().header("Authorization", "Bearer " + BOB_KEY).get("/q/metrics").then().statusCode(200);
    }

    @Test
    void aCorsPreflightNeedsNoKey() {
        given().header("Origin", "http://localhost:3000").header("Access-Control-Request-Method", "POST")
                .options("/v1/chat/completions")
                .then().statusCode(200).header("Access-Control-Allow-Origin", "http://localhost:3000");
    }

    private static OpenAIClient sdk(String apiKey) {
        return OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + RestAssured.port + "/v1")
                .apiKey(apiKey)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }
}
