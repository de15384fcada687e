package io.chatrelay.conversation;

import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.chatrelay.conversation.filejson.FileJsonTranscriptStore;
import io.chatrelay.conversation.postgres.PostgresTranscriptStore;
import io.chatrelay.error.ApiException;
import io.chatrelay.metrics.RelayMetrics;
import io.quarkus.runtime.Startup;

/**
 * Chooses the persistence backend once, from PERSIST_TRANSCRIPTS and DB_URL, and hands
 * callers the one {@link TranscriptStore} in use.
 */
@Startup
@ApplicationScoped
public class Transcripts {

    private static final Logger LOG = Logger.getLogger(Transcripts.class);

    private final PersistenceBackend backend;
    private final TranscriptStore store;
    private final PersistenceConfig config;

    Transcripts(PersistenceConfig config, Instance<PostgresTranscriptStore> postgres, ObjectMapper mapper,
            RelayMetrics metrics) {
        this.config = config;
        this.backend = PersistenceBackend.of(config.enabled(), config.dbUrl());
        TranscriptStore selected = switch (backend) {
            case POSTGRESQL -> postgres.get();
            case FILEJSON -> new FileJsonTranscriptStore(
                    Path.of(config.dbUrl().substring(PersistenceBackend.FILEJSON_PREFIX.length())), config, mapper);
            case NONE, MISCONFIGURED -> null;
        };
        this.store = selected == null ? null : new MeteredTranscriptStore(selected, metrics);
        switch (backend) {
            case MISCONFIGURED -> LOG.error("DB_URL must be jdbc:postgresql://host:port/database or filejson:<dir>;"
                    + " transcripts cannot be stored and readiness is DOWN");
            case NONE -> LOG.info("Transcript persistence is off (PERSIST_TRANSCRIPTS=false)");
            case FILEJSON -> LOG.infof("Transcripts are stored as JSON files in %s (single instance, local use)",
                    config.dbUrl().substring(PersistenceBackend.FILEJSON_PREFIX.length()));
            case POSTGRESQL -> store.checkAvailable();
        }
    }

    public PersistenceBackend backend() {
        return backend;
    }

    /** Whether turns with a session are persisted (the backend may still be unavailable). */
    public boolean enabled() {
        return backend != PersistenceBackend.NONE;
    }

    public boolean streamingDeltas() {
        return config.streamingDeltas();
    }

    /** The store; 501 when persistence is off, 503 when DB_URL is unusable. */
    public TranscriptStore store() {
        if (backend == PersistenceBackend.NONE) {
            throw ApiException.persistenceDisabled();
        }
        if (store == null) {
            throw ApiException.persistenceUnavailable();
        }
        return store;
    }

    /** Readiness: true when nothing needs storing or the backend answers. Blocking. */
    public boolean ready() {
        return switch (backend) {
            case NONE -> true;
            case MISCONFIGURED -> false;
            default -> store.checkAvailable();
        };
    }
}
