package io.chatrelay.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class HealthAndMetricsTest {

    private final MockUpstream upstream = MockUpstream.shared();

    @BeforeEach
    void setUp() {
        upstream.reset();
    }

    @Test
    void healthzDescribesTheRunningConfiguration() {
        given().get("/healthz").then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("uptime_s", greaterThanOrEqualTo(0))
                .body("provider", equalTo("openai-compatible"))
                .body("model", equalTo("gpt-4.1-mini"))
                .body("persistence.enabled", equalTo(true))
                .body("persistence.backend", equalTo("postgresql"))
                .body("persistence.streaming_deltas", equalTo(false))
                .body("persistence.retention_days", equalTo(30));
    }

    @Test
    void probesAreUpWithTheDatabaseReachable() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'persistence' }.data.backend", equalTo("postgresql"));
    }

    @Test
    void openApiDescribesTheEndpoints() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body(containsString("/v1/chat/completions"))
                .body(containsString("/v1/conversations/{id}"))
                .body(containsString("/v1/responses"))
                .body(containsString("/v1/tools"));
    }

    @Test
    void countersMoveWithAPersistedStreamedTurn() {
        String session = "metrics-" + UUID.randomUUID();
        double persisted = metric("chatrelay_messages_persisted_total{role=\"assistant\",status=\"final\"}");
        double inserts = metric("chatrelay_message_rows_total{operation=\"insert\"}");
        double ok = metric("chatrelay_upstream_requests_total{outcome=\"ok\"}");
        upstream.enqueue(Script.stream(Chunks.content("counted"), Chunks.finish("stop"), Chunks.DONE));

        try (SseClient client = Api.stream(session, Api.chat("count me", true))) {
            client.readToEnd();
        }

        assertEquals(persisted + 1, metric("chatrelay_messages_persisted_total{role=\"assistant\",status=\"final\"}"));
        assertEquals(inserts + 2, metric("chatrelay_message_rows_total{operation=\"insert\"}"));
        assertEquals(ok + 1, metric("chatrelay_upstream_requests_total{outcome=\"ok\"}"));
        assertTrue(metric("chatrelay_upstream_first_byte_seconds_count") >= 1);
        assertTrue(metric("chatrelay_persistence_write_seconds_count{operation=\"assistant_message\"}") >= 1);
        assertEquals(0, metric("chatrelay_streams_active"));
    }

    @Test
    void bodyOverTheLimitIsRefusedWith413BeforeAnythingHappens() {
        String session = "large-" + UUID.randomUUID();
        String huge = "x".repeat(5 * 1024 * 1024 + 1);

        Api.as(session).body(Api.chat(huge, false).encode()).post("/v1/chat/completions")
                .then().statusCode(413)
                .contentType("application/json")
                .header("Connection", "close")
                .body("error.message", equalTo("The request body is larger than the limit of 5242880 bytes"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("body_too_large"));
        assertEquals(0, upstream.requestCount());
        assertEquals(0, Db.conversationsOfSession(session));
    }

    /** A sample's value from /q/metrics; 0 when the series does not exist yet. */
    private static double metric(String series) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
