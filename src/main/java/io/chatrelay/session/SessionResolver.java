package io.chatrelay.session;

import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import io.chatrelay.error.ApiException;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Finds a request's session: the {@code X-Session-Id} header, else the
 * {@code cf_session_id} cookie. Conversations belong to exactly one session.
 */
@ApplicationScoped
public class SessionResolver {

    public static final String HEADER = "X-Session-Id";
    public static final String COOKIE = "cf_session_id";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** The session, if the request names one; a malformed one is a 400. */
    public Optional<String> resolve(HttpServerRequest request) {
        String value = request.getHeader(HEADER);
        if (value == null) {
            Cookie cookie = request.getCookie(COOKIE);
            value = cookie == null ? droppedCookie(request) : cookie.getValue();
        }
        if (value == null) {
            return Optional.empty();
        }
        if (!VALID.matcher(value).matches()) {
            throw ApiException.invalidRequest("invalid_session", null,
                    "Session id must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'");
        }
        return Optional.of(value);
    }

    /**
     * The raw value of a {@code cf_session_id} cookie that the HTTP server's cookie parser
     * dropped as malformed (a tab, a space, a control character in it), or null: such a cookie
     * is refused like a malformed header, rather than the request silently running without
     * its session.
     */
    private static String droppedCookie(HttpServerRequest request) {
        for (String header : request.headers().getAll(HttpHeaders.COOKIE)) {
            for (String pair : header.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).strip().equals(COOKIE)) {
                    return pair.substring(equals + 1);
                }
            }
        }
        return null;
    }
}
