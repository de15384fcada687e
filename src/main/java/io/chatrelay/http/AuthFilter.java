package io.chatrelay.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.chatrelay.auth.AuthConfig;
import io.chatrelay.auth.Authenticator;
import io.chatrelay.auth.Subjects;
import io.chatrelay.error.ApiException;
import io.chatrelay.error.ErrorResponses;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;

/**
 * Asks every request but the health endpoints and the other {@code /q/} endpoints (unless
 * AUTH_PROTECTED_PATHS names them) for a credential while AUTH_MODE is not none: {@code Authorization: Bearer <key or token>}, as OpenAI's SDKs
 * send their {@code apiKey}. Without a valid one the request ends here with 401
 * {@code invalid_api_key} and {@code WWW-Authenticate: Bearer}; with one, its subject is left
 * on the request ({@link Subjects}) for the rate limit and the endpoints. Runs after Quarkus's
 * CORS filter, so that a browser can read the 401, and before the rate limit, which counts per
 * subject. The health endpoints are never covered: the kubelet has no credential.
 */
@Singleton
public class AuthFilter {

    /** After CORS (300), before the rate limit (290). */
    private static final int PRIORITY = 295;
    private static final String BEARER = "bearer ";

    private final Authenticator authenticator;
    private final List<String> protectedPaths;

    AuthFilter(Authenticator authenticator, AuthConfig config) {
        this.authenticator = authenticator;
        this.protectedPaths = config.protectedPaths().orElse(List.of());
        for (String path : protectedPaths) {
            if (!path.startsWith("/") || path.startsWith("/q/health") || path.equals("/healthz")) {
                throw new IllegalStateException("AUTH_PROTECTED_PATHS takes absolute paths other than the health"
                        + " endpoints, which must stay open");
            }
        }
    }

    void register(@Observes Filters filters) {
        if (authenticator.enabled()) {
            filters.register(this::authenticate, PRIORITY);
        }
    }

    private void authenticate(RoutingContext context) {
        if (!covers(context.normalizedPath()) || Requests.isPreflight(context.request())) {
            context.next();
            return;
        }
        String credential = bearerCredential(context.request().getHeader("Authorization"));
        if (credential == null) {
            refuse(context, "Missing credential: send Authorization: Bearer <API key or token>");
            return;
        }
        if (!authenticator.mayBlock()) {
            admit(context, authenticator.subjectOf(credential));
            return;
        }
        // Quarkus holds the request's body back until an endpoint reads it, so nothing is lost
        // while the worker verifies the token.
        context.vertx().executeBlocking(() -> authenticator.subjectOf(credential), false)
                .onComplete(verified -> admit(context, verified.succeeded() ? verified.result() : Optional.empty()));
    }

    private static void admit(RoutingContext context, Optional<String> subject) {
        if (subject.isEmpty()) {
            refuse(context, "Invalid credential: the API key or token is unknown, expired or not valid here");
            return;
        }
        Subjects.set(context, subject.get());
        context.next();
    }

    private static void refuse(RoutingContext context, String message) {
        ErrorResponses.refuse(context.response(),
                new ApiException(401, "invalid_request_error", "invalid_api_key", null, message),
                Map.of("WWW-Authenticate", "Bearer"));
    }

    /** The credential of an {@code Authorization: Bearer} header, or null when there is none. */
    private static String bearerCredential(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String credential = authorization.substring(BEARER.length()).strip();
        return credential.isEmpty() ? null : credential;
    }

    /**
     * Everything needs a credential but what must stay open: the health endpoints, and the
     * other {@code /q/} endpoints unless AUTH_PROTECTED_PATHS names them. Denying by default
     * means that no other spelling of an API path ({@code /v1;x/...}, a doubled slash) can
     * slip past; an open path must be spelled exactly, or it needs a credential too.
     */
    private boolean covers(String path) {
        if (path == null) {
            return true;
        }
        if (path.equals("/healthz") || path.equals("/q/health") || path.startsWith("/q/health/")) {
            return false;
        }
        if (path.startsWith("/q/")) {
            return protectedPaths.stream().anyMatch(pattern -> matches(pattern, path));
        }
        return true;
    }

    /** {@code /a} covers {@code /a} only; {@code /a/*} covers {@code /a} and all below it. */
    private static boolean matches(String pattern, String path) {
        if (!pattern.endsWith("/*")) {
            return path.equals(pattern);
        }
        String base = pattern.substring(0, pattern.length() - 2);
        return path.equals(base) || path.startsWith(base + "/");
    }
}
