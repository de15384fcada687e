package io.chatrelay.http;

import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.chatrelay.auth.Subjects;
import io.chatrelay.error.ApiException;
import io.chatrelay.error.ErrorResponses;
import io.chatrelay.ratelimit.ClientRateLimiter;
import io.chatrelay.ratelimit.RateLimitConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Applies RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_SEC per client to {@code /v1/*}: per
 * authenticated subject while AUTH_MODE is on (it runs after {@link AuthFilter}), else per
 * client address: every such response carries {@code X-RateLimit-Limit} and
 * {@code X-RateLimit-Remaining}; a refused request gets 429 {@code rate_limit_exceeded}
 * with {@code Retry-After} and never reaches a resource. As a Vert.x route filter it runs
 * before RESTEasy, on the event loop, without blocking.
 *
 * <p>The client address is the connection's peer, as Vert.x reports it. Quarkus replaces
 * it with the {@code X-Forwarded-For}/{@code Forwarded} address only when
 * {@code quarkus.http.proxy.proxy-address-forwarding} is on; otherwise those headers are
 * ignored, so a client cannot choose its own bucket.
 */
@Singleton
public class RateLimitFilter {

    /** After Quarkus's CORS filter (300), so that a 429 still carries the CORS headers a browser needs to read it. */
    private static final int PRIORITY = 290;

    private final RateLimitConfig config;

    RateLimitFilter(RateLimitConfig config) {
        this.config = config;
    }

    void register(@Observes Filters filters) {
        if (config.max() < 0) {
            throw new IllegalStateException("RATE_LIMIT_MAX must be 0 (off) or a positive number of requests");
        }
        if (config.max() == 0) {
            return;
        }
        if (config.window().toSeconds() < 1) {
            throw new IllegalStateException("RATE_LIMIT_WINDOW_SEC must be at least 1 second");
        }
        if (config.maxClients() < 1) {
            throw new IllegalStateException("relay.rate-limit.max-clients must be at least 1");
        }
        ClientRateLimiter limiter = new ClientRateLimiter(config.max(), config.window(), config.maxClients());
        filters.register(context -> limit(context, limiter), PRIORITY);
    }

    private static void limit(RoutingContext context, ClientRateLimiter limiter) {
        if (!Requests.isApiPath(context) || Requests.isPreflight(context.request())) {
            context.next();
            return;
        }
        String subject = Subjects.of(context);
        boolean bySubject = !subject.equals(Subjects.ANONYMOUS);
        // Per subject when one authenticated: many clients may share an address, and one subject
        // may use many. The prefixes keep the two kinds of bucket apart.
        ClientRateLimiter.Decision decision = limiter.tryAcquire(bySubject ? "subject:" + subject
                : "address:" + clientAddress(context.request()));
        context.response().putHeader("X-RateLimit-Limit", Integer.toString(decision.limit()))
                .putHeader("X-RateLimit-Remaining", Long.toString(decision.remaining()));
        if (decision.allowed()) {
            context.next();
            return;
        }
        ErrorResponses.refuse(context.response(),
                rateLimitExceeded(decision, bySubject ? "for one client" : "from one address"),
                Map.of("Retry-After", Long.toString(decision.retryAfterSeconds())));
    }

    private static ApiException rateLimitExceeded(ClientRateLimiter.Decision decision, String perWhom) {
        return new ApiException(429, "rate_limit_exceeded", "rate_limit_exceeded", null, "Rate limit reached: at most "
                + decision.limit() + " requests per window " + perWhom + "; retry after "
                + decision.retryAfterSeconds() + " s");
    }

    private static String clientAddress(HttpServerRequest request) {
        SocketAddress address = request.remoteAddress();
        // Only a non-IP transport (a Unix socket) has no host; such callers share one bucket.
        return address == null || address.host() == null ? "unknown" : address.host();
    }
}
