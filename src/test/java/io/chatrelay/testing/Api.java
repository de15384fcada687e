package io.chatrelay.testing;

import static io.restassured.RestAssured.given;

import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Short ways to call the relay's API over HTTP in tests. */
public final class Api {

    private Api() {
    }

    public static RequestSpecification as(String session) {
        return given().header("X-Session-Id", session).contentType(ContentType.JSON);
    }

    /** Creates a conversation for the session and returns its id. */
    public static String createConversation(String session) {
        return as(session).body("{}").post("/v1/conversations").then().statusCode(201).extract().path("id");
    }

    public static JsonPath conversation(String session, String id) {
        return as(session).get("/v1/conversations/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** A chat request body with one user message. */
    public static JsonObject chat(String userText, boolean stream) {
        return new JsonObject().put("model", "gpt-test").put("stream", stream)
                .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", userText)));
    }

    /** One chat message. */
    public static JsonObject message(String role, String content) {
        return new JsonObject().put("role", role).put("content", content);
    }

    /** Opens a streamed chat as the session, accepting an event stream as browsers' EventSource does. */
    public static SseClient stream(String session, JsonObject body) {
        return SseClient.post("/v1/chat/completions", body.encode(),
                Map.of("X-Session-Id", session, "Accept", "text/event-stream"));
    }
}
