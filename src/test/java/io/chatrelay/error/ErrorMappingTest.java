package io.chatrelay.error;

import static io.chatrelay.testing.ErrorAssertions.assertOpenAiError;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Only a client's malformed body is a 400; a failure of the service's own (a response it
 * cannot serialise, any other Jackson or I/O failure) is a 500, and storage that cannot read
 * or write is a 503. No answer and no log line carries an exception's message or stack trace.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class ErrorMappingTest {

    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void releaseLogs() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void aMalformedBodyToARealEndpointIsA400() {
        Response response = given().contentType(ContentType.JSON).body("{\"messages\": [").post("/v1/chat/completions");
        assertOpenAiError(response, 400, "invalid_request_error", "invalid_json", null);
        assertNothingInternal(response);
    }

    @Test
    void aBodyTheEntityReaderCannotReadIsA400() {
        given().contentType(ContentType.JSON).body("{\"name\":\"Ada\"}").post("/test-failures/greeting")
                .then().statusCode(200).body("name", equalTo("Ada"));
        for (String body : List.of("{\"name\": ", "{\"name\": {\"nested\": true}}", "[1, 2")) {
            Response response = given().contentType(ContentType.JSON).body(body).post("/test-failures/greeting");
            assertOpenAiError(response, 400, "invalid_request_error", "invalid_json", null);
            assertNothingInternal(response);
        }
    }

    @Test
    void aResponseThatCannotBeSerialisedIsA500() {
        assertInternalError(given().get("/test-failures/unserialisable"));
    }

    @Test
    void aJacksonFailureOfTheServiceItselfIsA500() {
        assertInternalError(given().get("/test-failures/jackson-mapping"));
        assertInternalError(given().get("/test-failures/jackson-mismatched-input"));
    }

    @Test
    void aStorageFailureIsA503() {
        Response response = given().get("/test-failures/storage");
        assertOpenAiError(response, 503, "server_error", "persistence_unavailable", null);
        assertNothingInternal(response);
    }

    @Test
    void anyOtherIoFailureIsA500() {
        assertInternalError(given().get("/test-failures/io-unchecked"));
        assertInternalError(given().get("/test-failures/io-checked"));
    }

    private void assertInternalError(Response response) {
        assertOpenAiError(response, 500, "server_error", "internal_error", null);
        assertNothingInternal(response);
    }

    /** Neither the answer nor any line logged while it was made holds a message or a stack trace. */
    private void assertNothingInternal(Response response) {
        response.then().body(not(containsString(FailingResource.SECRET))).body(not(containsString("Exception")));
        for (LogRecord record : logged) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            assertFalse(message != null && message.contains(FailingResource.SECRET), "logged: " + message);
            boolean tracesOurFailure = Causes.chain(record.getThrown()).stream()
                    .anyMatch(t -> t.getMessage() != null && t.getMessage().contains(FailingResource.SECRET));
            assertFalse(tracesOurFailure, "a stack trace was logged with: " + message);
        }
    }
}
