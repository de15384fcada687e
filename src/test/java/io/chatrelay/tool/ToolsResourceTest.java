package io.chatrelay.tool;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class ToolsResourceTest {

    @Test
    void listsTheServerToolsWithTheirSpecsSortedByName() {
        given().get("/v1/tools").then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("available_tools", equalTo(List.of("get_time", "web_search")))
                .body("tools", hasSize(2))
                .body("tools.type", equalTo(List.of("function", "function")))
                .body("tools.function.name", equalTo(List.of("get_time", "web_search")))
                .body("tools[0].function.description", not(emptyOrNullString()))
                .body("tools[0].function.parameters.type", equalTo("object"))
                .body("tools[0].function.parameters.properties", equalTo(Map.of()))
                .body("tools[0].function.parameters.additionalProperties", equalTo(false))
                .body("tools[1].function.description", not(emptyOrNullString()))
                .body("tools[1].function.parameters.properties.query.type", equalTo("string"))
                .body("tools[1].function.parameters.required", equalTo(List.of("query")));
    }
}
