package io.chatrelay.auth;

import java.nio.file.Path;
import java.util.Optional;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Turns a client's bearer credential into its subject, as AUTH_MODE says: a JWT verified by
 * SmallRye JWT (key, issuer and the rest from its standard {@code mp.jwt.verify.*} settings),
 * or an API key looked up by its hash. Checked at start-up, so that a service configured to
 * authenticate never starts without the means to.
 */
@Startup
@Singleton
public class Authenticator {

    private static final Logger LOG = Logger.getLogger(Authenticator.class);

    private final AuthMode mode;
    private final ApiKeys apiKeys;
    private final Instance<JWTParser> jwtParser;

    Authenticator(AuthConfig config, Instance<JWTParser> jwtParser, Config mpConfig) {
        this.mode = config.mode();
        this.jwtParser = jwtParser;
        this.apiKeys = mode == AuthMode.API_KEY ? ApiKeys.load(Path.of(config.apiKeysFile()
                .orElseThrow(() -> new IllegalStateException("AUTH_MODE=api-key needs AUTH_API_KEYS_FILE"))))
                : null;
        if (mode == AuthMode.JWT && mpConfig.getOptionalValue("mp.jwt.verify.publickey.location", String.class).isEmpty()
                && mpConfig.getOptionalValue("mp.jwt.verify.publickey", String.class).isEmpty()) {
            throw new IllegalStateException("AUTH_MODE=jwt needs MP_JWT_VERIFY_PUBLICKEY_LOCATION (a PEM or JWKS"
                    + " file or URL) or MP_JWT_VERIFY_PUBLICKEY");
        }
        switch (mode) {
            case NONE -> LOG.info("Client authentication is off (AUTH_MODE=none): every client is one tenant");
            case API_KEY -> LOG.infof("Clients authenticate with one of %d API key(s) (AUTH_MODE=api-key)",
                    apiKeys.size());
            case JWT -> LOG.info("Clients authenticate with JWT bearer tokens (AUTH_MODE=jwt)");
        }
    }

    /** Whether clients must present a credential. */
    public boolean enabled() {
        return mode != AuthMode.NONE;
    }

    /**
     * Whether {@link #subjectOf} may block: verifying a JWT may fetch the issuer's keys (a
     * JWKS URL) the first time and whenever they rotate.
     */
    public boolean mayBlock() {
        return mode == AuthMode.JWT;
    }

    /**
     * The subject the credential proves, or empty when it proves nothing (unknown key, bad
     * signature, expired, wrong issuer, no usable subject). Never logs the credential.
     */
    public Optional<String> subjectOf(String credential) {
        Optional<String> subject = switch (mode) {
            case NONE -> Optional.of(Subjects.ANONYMOUS);
            case API_KEY -> apiKeys.subjectOf(credential);
            case JWT -> verifiedSubject(credential);
        };
        return subject.filter(s -> mode == AuthMode.NONE || Subjects.isValid(s));
    }

    private Optional<String> verifiedSubject(String token) {
        try {
            JsonWebToken jwt = jwtParser.get().parse(token);
            return Optional.ofNullable(jwt.getSubject());
        } catch (ParseException e) {
            LOG.debugf("A bearer token was refused (%s)", e.getClass().getSimpleName());
            return Optional.empty();
        }
    }
}
