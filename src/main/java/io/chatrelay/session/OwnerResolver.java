package io.chatrelay.session;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.chatrelay.auth.Subjects;
import io.chatrelay.error.ApiException;
import io.vertx.ext.web.RoutingContext;

/**
 * Finds who a request acts for: its authenticated subject (see {@link Subjects}) and its
 * session, if it sends one ({@link SessionResolver}). Without authentication the session alone
 * names the owner, as it always did; with it, a subject may also act without a session.
 */
@ApplicationScoped
public class OwnerResolver {

    private final SessionResolver sessions;

    OwnerResolver(SessionResolver sessions) {
        this.sessions = sessions;
    }

    /**
     * The owner, if the request has one: a session, or an authenticated subject. A malformed
     * session id is a 400.
     */
    public Optional<Owner> resolve(RoutingContext context) {
        String subject = Subjects.of(context);
        Optional<String> session = sessions.resolve(context.request());
        if (session.isPresent()) {
            return Optional.of(new Owner(subject, session.get()));
        }
        return subject.equals(Subjects.ANONYMOUS) ? Optional.empty() : Optional.of(new Owner(subject, Owner.NO_SESSION));
    }

    /** The owner, which this request must have: 400 {@code missing_session} when it has none. */
    public Owner require(RoutingContext context) {
        return resolve(context).orElseThrow(() -> ApiException.invalidRequest("missing_session", null,
                "This request needs a session: send the X-Session-Id header or the cf_session_id cookie"));
    }
}
