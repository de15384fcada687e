package io.chatrelay.packaging;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The running production artifact, jar or native executable, does not serve the dev-only
 * stand-in provider: what {@link ProductionJarIT} checks in the jar's files, checked where a
 * native executable has none to look at. Its test resources are those of the other ITs, so it
 * shares their launch of the service.
 */
@QuarkusIntegrationTest
@WithTestResource(MockUpstreamResource.class)
@WithTestResource(PackagedServiceResource.class)
class ProductionArtifactIT {

    @Test
    void devMockProviderIsNotServed() {
        given().contentType("application/json").body(Api.chat("hi", false).encode())
                .post("/dev/mock-upstream/v1/chat/completions")
                .then().statusCode(404);
        given().contentType("application/json").body("{\"input\":\"hi\"}")
                .post("/dev/mock-upstream/v1/responses")
                .then().statusCode(404);
        given().get("/dev/mock-upstream/v1/models").then().statusCode(404);
        given().get("/healthz").then().statusCode(200).body("provider", equalTo("openai-compatible"));
    }
}
