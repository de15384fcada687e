package io.chatrelay.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/** What the filters ask of a request before they act on it. */
final class Requests {

    private Requests() {
    }

    /**
     * Whether the request goes to the OpenAI-compatible API, {@code /v1} or below, judged as the
     * router will route it: on the normalized path (percent-encoded letters decoded, dot segments
     * resolved), and with the first segment's matrix parameters removed, since RESTEasy ignores
     * them ({@code /v1;x/models} reaches {@code /v1/models}).
     */
    static boolean isApiPath(RoutingContext context) {
        String path = context.normalizedPath();
        if (path == null || !path.startsWith("/")) {
            return false;
        }
        int end = path.indexOf('/', 1);
        String first = end < 0 ? path.substring(1) : path.substring(1, end);
        int matrix = first.indexOf(';');
        return (matrix < 0 ? first : first.substring(0, matrix)).equals("v1");
    }

    /**
     * A CORS preflight is the browser asking, not the client calling: it carries no credential
     * by design, costs no rate-limit token, and Quarkus's CORS filter answers it.
     */
    static boolean isPreflight(HttpServerRequest request) {
        return request.method() == HttpMethod.OPTIONS && request.getHeader("Origin") != null
                && request.getHeader("Access-Control-Request-Method") != null;
    }
}
