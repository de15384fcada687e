package io.chatrelay.error;

import java.util.Map;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;

/**
 * Writes an {@link ApiException} straight to the Vert.x response, for the route filters that
 * refuse a request before RESTEasy, and so {@link ErrorMappers}, ever sees it. The body is the
 * same envelope the mappers render ({@link ApiException#toBody()}).
 */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    /** As {@link #refuse(HttpServerResponse, ApiException, Map)}, with no header of its own. */
    public static void refuse(HttpServerResponse response, ApiException error) {
        refuse(response, error, Map.of());
    }

    /**
     * Ends the response with the error's status and envelope as JSON, the given headers (e.g.
     * {@code Retry-After}) and {@code Connection: close}: a refused request's body is left
     * unread, so its connection cannot carry another request.
     */
    public static void refuse(HttpServerResponse response, ApiException error, Map<String, String> headers) {
        response.setStatusCode(error.status()).putHeader("Content-Type", "application/json");
        headers.forEach(response::putHeader);
        response.putHeader("Connection", "close").end(Json.encode(error.toBody()));
    }
}
