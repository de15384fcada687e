package io.chatrelay.models;

import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Db;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.RecordedRequest;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: the provider's answer relayed
 * unchanged, with the service's key, the model id passed on safely, nothing stored.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class ModelsTest {

    /** OpenAI's list, in its own layout (indented, one field per line), with a non-ASCII owner. */
    static final String LIST = """
            {
              "object": "list",
              "data": [
                {
                  "id": "gpt-4.1-mini",
                  "object": "model",
                  "created": 1744318173,
                  "owned_by": "system"
                },
                {
                  "id": "ft:gpt-4o-mini-2024-07-18:acme:support:AbC123",
                  "object": "model",
                  "created": 1727131766,
                  "owned_by": "acme-\u00e9quipe"
                }
              ]
            }
            """;
    static final String MODEL = "{\"id\":\"gpt-4.1-mini\",\"object\":\"model\",\"created\":1744318173,"
            + "\"owned_by\":\"system\"}";
    static final String NOT_FOUND = """
            {
                "error": {
                    "message": "The model 'gpt-nope' does not exist",
                    "type": "invalid_request_error",
                    "param": "model",
                    "code": "model_not_found"
                }
            }
            """;

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "models-" + UUID.randomUUID();
    }

    @Test
    void listIsRelayedByteForByteWithStatusAndHeaders() {
        upstream.enqueue(Script.whole(200, Map.of("Content-Type", "application/json; charset=utf-8",
                "x-request-id", "req_models_1", "openai-processing-ms", "17"), LIST));

        Response response = given().header("X-Session-Id", session).get("/v1/models");

        response.then().statusCode(200)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("x-request-id", "req_models_1")
                .header("openai-processing-ms", "17")
                // a /v1/* call: the rate limit counts it
                .header("X-RateLimit-Limit", notNullValue())
                .header("X-RateLimit-Remaining", notNullValue());
        assertEquals(LIST, new String(response.asByteArray(), StandardCharsets.UTF_8));
        RecordedRequest sent = upstream.lastRequest();
        assertEquals("GET", sent.method());
        assertEquals("/v1/models", sent.path());
        assertEquals("", sent.body());
        assertEquals(0, Db.conversationsOfSession(session), "nothing is stored");
    }

    @Test
    void oneModelIsRelayedUnchanged() {
        upstream.enqueue(Script.json(200, MODEL));

        given().get("/v1/models/gpt-4.1-mini")
                .then().statusCode(200)
                .contentType("application/json")
                .body(equalTo(MODEL));
        assertEquals("GET", upstream.lastRequest().method());
        assertEquals("/v1/models/gpt-4.1-mini", upstream.lastRequest().path());
    }

    @Test
    void theServiceKeyGoesUpstreamAndTheClientsAuthorizationNever() {
        upstream.enqueue(Script.json(200, LIST), Script.json(200, MODEL));

        given().header("Authorization", "Bearer sk-client-own-key").get("/v1/models").then().statusCode(200);
        given().header("Authorization", "Bearer sk-client-own-key").get("/v1/models/gpt-4.1-mini")
                .then().statusCode(200);

        assertEquals(2, upstream.requestCount());
        for (RecordedRequest sent : upstream.requests()) {
            assertEquals("Bearer " + MockUpstreamResource.UPSTREAM_KEY, sent.header("Authorization"));
            assertTrue(sent.headers().values().stream().noneMatch(value -> value.contains("sk-client-own-key")),
                    "the client's key reached the provider: " + sent.headers());
        }
    }

    @Test
    void providersNotFoundIsRelayedWithItsStatusAndBody() {
        upstream.enqueue(Script.json(404, NOT_FOUND));

        given().get("/v1/models/gpt-nope")
                .then().statusCode(404)
                .contentType("application/json")
                .body(equalTo(NOT_FOUND));
        assertEquals("/v1/models/gpt-nope", upstream.lastRequest().path());
    }

    @Test
    void modelIdReachesTheProviderAsOnePathSafelyEncoded() {
        // what the client's request path says -> what the provider's request path must say
        Map<String, String> ids = Map.of(
                "ft:gpt-4o-mini-2024-07-18:acme:support:AbC123", "ft:gpt-4o-mini-2024-07-18:acme:support:AbC123",
                "ft%3Agpt-4o-mini%3Aacme", "ft:gpt-4o-mini:acme",
                "meta-llama/Llama-3-8B-Instruct", "meta-llama/Llama-3-8B-Instruct",
                "meta-llama%2FLlama-3-8B-Instruct", "meta-llama%2FLlama-3-8B-Instruct",
                "what%3Fkey=1%23frag", "what%3Fkey%3D1%23frag",
                "my%20model+v2", "my%20model%2Bv2",
                "mod%C3%A8le", "mod%C3%A8le",
                "100%25", "100%25");
        for (Map.Entry<String, String> id : ids.entrySet()) {
            upstream.enqueue(Script.json(200, MODEL));
            given().urlEncodingEnabled(false).get("/v1/models/" + id.getKey()).then().statusCode(200);
            assertEquals("/v1/models/" + id.getValue(), upstream.lastRequest().path(), id.getKey());
            assertNull(upstream.lastRequest().header("X-Session-Id"));
        }
        assertEquals(ids.size(), upstream.requestCount());
    }

    @Test
    void dotSegmentsThatWouldLeaveModelsAreRefusedWithoutCallingTheProvider() {
        // The HTTP layer resolves plain dot segments before routing (/v1/models/%2E%2E is /v1/, an
        // unknown_url; /v1/models/%2E is the list); the ones behind encoded slashes reach the
        // resource, which refuses them (model_not_found). None reaches the provider.
        for (String id : List.of("%2E%2E", "..%2Ffiles", "gpt%2F..%2F..%2Ffiles", "a/%2E%2E/%2E%2E/files",
                "..%5Cfiles")) {
            Response response = given().urlEncodingEnabled(false).get("/v1/models/" + id);
            response.then().statusCode(404).contentType("application/json")
                    .body("error.type", equalTo("invalid_request_error"));
        }
        assertOpenAiError(given().urlEncodingEnabled(false).get("/v1/models/..%2Ffiles"), 404,
                "invalid_request_error", "model_not_found", "model");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void providerThatDropsTheConnectionGets502AndOneThatStaysSilentGets504() {
        upstream.enqueue(Script.hangUp(), Script.stall());

        given().get("/v1/models").then().statusCode(502)
                .body("error.type", equalTo("upstream_error"))
                .body("error", hasKey("message"));
        // the test profile's first-byte time-out is 2 s
        given().get("/v1/models/gpt-4.1-mini").then().statusCode(504)
                .body("error.type", equalTo("upstream_error"));
        assertEquals(2, upstream.requestCount());
    }

    @Test
    void bothEndpointsAreInTheOpenApiDescription() {
        given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                .body("paths", hasKey("/v1/models"))
                .body("paths", hasKey("/v1/models/{id}"))
                .body("paths.'/v1/models'.get.tags[0]", equalTo("Models"));
    }
}
