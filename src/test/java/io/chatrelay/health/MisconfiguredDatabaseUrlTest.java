package io.chatrelay.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A DB_URL that is neither PostgreSQL nor filejson: the service runs, but is not ready. */
@QuarkusTest
@TestProfile(MisconfiguredDatabaseUrlTest.Profile.class)
@WithTestResource(MockUpstreamResource.class)
class MisconfiguredDatabaseUrlTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.persistence.db-url", "mysql://localhost/chat",
                    "quarkus.flyway.migrate-at-start", "false",
                    "quarkus.hibernate-orm.database.start-offline", "true",
                    "quarkus.hibernate-orm.schema-management.strategy", "none");
        }
    }

    @Test
    void readinessIsDownAndLivenessUp() {
        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void conversationRequestsAnswerServiceUnavailable() {
        Api.as("misconfigured-" + UUID.randomUUID()).get("/v1/conversations")
                .then().statusCode(503).body("error.code", equalTo("persistence_unavailable"));
    }
}
