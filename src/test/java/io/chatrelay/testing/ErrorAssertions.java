package io.chatrelay.testing;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Checks of the errors the service itself produces. */
public final class ErrorAssertions {

    private ErrorAssertions() {
    }

    /** OpenAI's error envelope with the given status, type and code, and nothing internal in it. */
    public static void assertOpenAiError(Response response, int status, String type, String code, String param) {
        response.then().statusCode(status).contentType(ContentType.JSON)
                .body("error.message", not(emptyOrNullString()))
                .body("error.type", equalTo(type))
                .body("error.code", equalTo(code))
                .body("error", hasKey("param"))
                .body(not(containsString("Exception")))
                .body(not(containsString("at io.")))
                .body(not(containsString("SQL")));
        if (param != null) {
            response.then().body("error.param", equalTo(param));
        }
    }
}
