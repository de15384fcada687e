package io.chatrelay.conversation;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Transcript persistence switches and limits (see the configuration table of API.md). */
@ConfigMapping(prefix = "relay.persistence")
public interface PersistenceConfig {

    /** Master switch (PERSIST_TRANSCRIPTS); off means no database writes at all. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Escape hatch (PERSIST_STREAMING_DELTAS): a draft row with {@code status=streaming}
     * is created when a stream starts and appended to while it flows.
     */
    @WithDefault("false")
    boolean streamingDeltas();

    /** Append interval of the escape hatch (HISTORY_BATCH_FLUSH_MS). */
    @WithDefault("250")
    long historyBatchFlushMs();

    /**
     * STREAMING_LEASE: how long a draft of the escape hatch stays {@code streaming} without
     * a write from its instance. Every append renews it (a draft with no new text gets a
     * renewal of its own once half of it has passed); a draft whose lease ran out was left by
     * an instance that died, and the orphan sweep, which runs every STREAMING_LEASE, marks it
     * {@code interrupted}. At least 1s and 4 times HISTORY_BATCH_FLUSH_MS.
     */
    @WithDefault("30s")
    Duration streamingLease();

    /** {@code jdbc:postgresql://...} or {@code filejson:<dir>} (DB_URL). */
    @WithDefault("jdbc:postgresql://localhost:5432/chat")
    String dbUrl();

    /**
     * DB_TIMEOUT: the bound of one database wait (connection acquisition, connect, socket read,
     * a turn's queued insert). A turn that cannot be opened within it is refused with 503.
     */
    @WithDefault("5s")
    Duration dbTimeout();

    /**
     * SPOOL_DIR: where final writes that the database did not take before shutdown wait, one
     * JSON file per message, for the next start to replay them.
     */
    @WithDefault("./spool")
    String spoolDir();

    /**
     * How many final writes may wait for the database to come back; past it a write is dropped,
     * logged with its conversation id and counted.
     */
    @WithDefault("10000")
    int maxPendingWrites();

    /**
     * How long the end of a stream waits for the final write before it gives up on it,
     * logs and counts the failure and lets the client's stream finish. Also the bound of the
     * stored-history read ({@code X-History: stored}), which then answers 503. A write that did
     * not make it within this wait is retried later ({@link FinalWrites}). Defaults to DB_TIMEOUT.
     */
    Duration finalWriteTimeout();

    /**
     * How many batches of turn inserts (PostgreSQL) are written at once; the inserts that
     * arrive meanwhile wait and are committed together in the next batch.
     */
    @WithDefault("2")
    int concurrentWriteBatches();

    /** MAX_CONVERSATIONS_PER_SESSION. */
    @WithDefault("100")
    int maxConversationsPerSession();

    /** MAX_MESSAGES_PER_CONVERSATION. */
    @WithDefault("1000")
    int maxMessagesPerConversation();

    /**
     * HISTORY_MAX_MESSAGES: with {@code X-History: stored}, at most this many of the
     * conversation's most recent messages (as sent to the provider, tool results included)
     * go before the request's own; at least 1.
     */
    @WithDefault("100")
    int historyMaxMessages();

    /** RETENTION_DAYS; reported by /healthz, applied by the retention sweep. */
    @WithDefault("30")
    int retentionDays();
}
