package io.chatrelay.http;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.chatrelay.error.OpenAiError;
import io.chatrelay.lifecycle.Drain;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.json.Json;

/** Refuses new /v1 requests with 503 while the instance drains; health endpoints keep answering. */
@Singleton
public class DrainFilter {

    /** After CORS (300), so that browsers can read the 503; before the rate limit, which it must not charge. */
    private static final int PRIORITY = 295;

    private final Drain drain;

    DrainFilter(Drain drain) {
        this.drain = drain;
    }

    void register(@Observes Filters filters) {
        filters.register(context -> {
            if (drain.draining() && context.request().path().startsWith("/v1/")) {
                String body = Json.encode(OpenAiError.of("The server is shutting down; retry the request",
                        "server_error", null, "shutting_down"));
                context.response().setStatusCode(503).putHeader("Content-Type", "application/json")
                        .putHeader("Retry-After", "1").putHeader("Connection", "close").end(body);
                return;
            }
            context.next();
        }, PRIORITY);
    }
}
