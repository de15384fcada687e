package io.chatrelay.http;

import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.chatrelay.error.ApiException;
import io.chatrelay.error.ErrorResponses;
import io.chatrelay.lifecycle.Drain;
import io.quarkus.vertx.http.runtime.filters.Filters;

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
            if (drain.draining() && Requests.isApiPath(context)) {
                ErrorResponses.refuse(context.response(), shuttingDown(), Map.of("Retry-After", "1"));
                return;
            }
            context.next();
        }, PRIORITY);
    }

    private static ApiException shuttingDown() {
        return new ApiException(503, "server_error", "shutting_down", null,
                "The server is shutting down; retry the request");
    }
}
