package io.chatrelay.health;

import static io.chatrelay.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(DatabaseUnavailableTest.Profile.class)
class DatabaseUnavailableTest {

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            // Nothing listens on port 1. The %test profile validates the schema at boot,
            // which cannot work without a database: back to the production settings.
            return Map.of("relay.persistence.db-url", "jdbc:postgresql://127.0.0.1:1/nowhere",
                    "quarkus.hibernate-orm.schema-management.strategy", "none",
                    "quarkus.flyway.migrate-at-start", "false",
                    "quarkus.hibernate-orm.database.start-offline", "true");
        }
    }

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "nodb-" + UUID.randomUUID();
    }

    @Test
    void readinessIsDownWhileTheDatabaseIsUnreachable() {
        given().get("/q/health/ready")
                .then().statusCode(503)
                .body("status", equalTo("DOWN"));
    }

    @Test
    void livenessStaysUpWhileTheDatabaseIsUnreachable() {
        given().get("/q/health/live")
                .then().statusCode(200)
                .body("status", equalTo("UP"));
    }

    @Test
    void healthzStillAnswers() {
        given().get("/healthz")
                .then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("persistence.enabled", equalTo(true))
                .body("persistence.backend", equalTo("postgresql"));
    }

    @Test
    void chatWithoutSessionIsStillRelayed() {
        String completion = Chunks.completion("no database needed");
        upstream.enqueue(Script.json(200, completion));

        given().contentType("application/json").body(Api.chat("hi", false).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200)
                .body(equalTo(completion));
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void chatWithSessionFailsWithACleanOpenAiErrorBeforeCallingUpstream() {
        Response[] answers = {
                as(session).body(Api.chat("hi", false).encode()).post("/v1/chat/completions"),
                as(session).body(Api.chat("hi", true).encode()).post("/v1/chat/completions") };

        for (Response answer : answers) {
            String body = answer.asString();
            assertEquals(503, answer.statusCode(), body);
            assertEquals("persistence_unavailable", answer.jsonPath().getString("error.code"), body);
            assertTrue(answer.contentType().startsWith("application/json"), answer.contentType());
            assertNotNull(answer.jsonPath().getString("error.message"), body);
            assertNotNull(answer.jsonPath().getString("error.type"), body);
            String lower = body.toLowerCase(Locale.ROOT);
            assertFalse(lower.contains("exception"), body);
            assertFalse(lower.contains("sql"), body);
            assertFalse(lower.contains("jdbc"), body);
            assertFalse(lower.contains("127.0.0.1"), body);
        }
        assertEquals(0, upstream.requestCount(), "the turn could not be opened, so upstream was not called");
    }
}
