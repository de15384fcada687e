package io.chatrelay.auth;

/** How clients prove who they are. */
public enum AuthMode {
    /** Nobody is asked: every client is the same anonymous subject, as on a laptop. */
    NONE,
    /** A JWT bearer token, verified with the SmallRye JWT settings; the subject is its {@code sub}. */
    JWT,
    /** A static API key, compared by its SHA-256 with AUTH_API_KEYS_FILE; the subject is the key's line. */
    API_KEY
}
