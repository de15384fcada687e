package io.chatrelay.auth;

import io.vertx.ext.web.RoutingContext;

/**
 * The authenticated subject of a request, as the authentication filter leaves it on the
 * request's routing context for what runs after it (the rate limit, the endpoints).
 */
public final class Subjects {

    /** The subject of every request while AUTH_MODE is none: all clients are one tenant, as before. */
    public static final String ANONYMOUS = "";

    private static final String KEY = "chatrelay.subject";

    private Subjects() {
    }

    /** Records the request's subject; called once, by the authentication filter. */
    public static void set(RoutingContext context, String subject) {
        context.put(KEY, subject);
    }

    /** The request's subject: {@link #ANONYMOUS} when nobody authenticated it (auth off, or a path it does not cover). */
    public static String of(RoutingContext context) {
        String subject = context.get(KEY);
        return subject == null ? ANONYMOUS : subject;
    }

    /**
     * Whether a subject may be used: 1 to {@value ApiKeys#MAX_SUBJECT_LENGTH} characters, none
     * of them a control character. It is stored with every conversation and may appear in logs.
     */
    public static boolean isValid(String subject) {
        if (subject == null || subject.isEmpty() || subject.length() > ApiKeys.MAX_SUBJECT_LENGTH) {
            return false;
        }
        return subject.chars().noneMatch(Character::isISOControl);
    }
}
