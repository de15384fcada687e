package io.chatrelay.session;

import java.util.Objects;

/**
 * Who a conversation belongs to: the authenticated subject (one anonymous subject while
 * AUTH_MODE is none), refined by the session id when the request sends one, so that one user
 * can keep several sessions apart. Every read and write of a conversation is scoped by both:
 * another owner's conversation is indistinguishable from a missing one.
 *
 * @param subject the authenticated subject, or {@link io.chatrelay.auth.Subjects#ANONYMOUS}
 * @param session the session id, or {@link #NO_SESSION} (only an authenticated subject may send none)
 */
public record Owner(String subject, String session) {

    /** The session of an authenticated request that sent none. Never a valid session id. */
    public static final String NO_SESSION = "";

    public Owner {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(session, "session");
    }

    /** The owner of a session while nobody authenticates (AUTH_MODE=none, and the tests of that mode). */
    public static Owner ofSession(String session) {
        return new Owner(io.chatrelay.auth.Subjects.ANONYMOUS, session);
    }

    public boolean hasSession() {
        return !session.isEmpty();
    }

    /**
     * One string per owner, the same on every instance and version: for the per-owner lock of
     * the conversation limit. While nobody authenticates it is the session id, as before.
     */
    public String key() {
        return subject.isEmpty() ? session : subject + '\n' + session;
    }
}
