package io.chatrelay.conversation;

/** Where transcripts go, derived from PERSIST_TRANSCRIPTS and DB_URL. */
public enum PersistenceBackend {

    POSTGRESQL("postgresql"),
    FILEJSON("filejson"),
    /** PERSIST_TRANSCRIPTS=false: nothing is written, conversation endpoints answer 501. */
    NONE("none"),
    /** DB_URL is neither a PostgreSQL JDBC URL nor filejson: readiness fails until it is fixed. */
    MISCONFIGURED("none");

    public static final String FILEJSON_PREFIX = "filejson:";
    public static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

    private final String label;

    PersistenceBackend(String label) {
        this.label = label;
    }

    /** The name /healthz reports. */
    public String label() {
        return label;
    }

    public static PersistenceBackend of(boolean enabled, String dbUrl) {
        if (!enabled) {
            return NONE;
        }
        if (dbUrl == null) {
            return MISCONFIGURED;
        }
        if (dbUrl.startsWith(FILEJSON_PREFIX) && dbUrl.length() > FILEJSON_PREFIX.length()) {
            return FILEJSON;
        }
        if (dbUrl.startsWith(POSTGRESQL_PREFIX)) {
            return POSTGRESQL;
        }
        return MISCONFIGURED;
    }
}
