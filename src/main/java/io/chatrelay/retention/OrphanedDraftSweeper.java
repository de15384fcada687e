package io.chatrelay.retention;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.conversation.TranscriptStore;
import io.chatrelay.conversation.Transcripts;
import io.chatrelay.error.Causes;
import io.chatrelay.metrics.RelayMetrics;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;

/**
 * Closes the drafts of the PERSIST_STREAMING_DELTAS escape hatch that an instance left
 * {@code streaming} when it died: every STREAMING_LEASE, drafts whose lease ran out are marked
 * {@code interrupted}, their text kept. A live instance renews its drafts' leases with the
 * appends it makes anyway. It runs whether the escape hatch is on or not, so that drafts left
 * before it was switched off are closed too (one indexed query when there are none). With
 * PostgreSQL each batch takes an advisory lock, so one replica sweeps and the others skip.
 *
 * <p>As with {@link RetentionSweeper}, the trigger is off in the test profile: tests call
 * {@link #sweep(Instant)} themselves.
 */
@Startup
@ApplicationScoped
public class OrphanedDraftSweeper {

    private static final Logger LOG = Logger.getLogger(OrphanedDraftSweeper.class);
    /** Below this a lease would lapse on an ordinary pause of the database or of the JVM. */
    static final Duration MIN_LEASE = Duration.ofSeconds(1);
    /** The lease must cover a few append intervals, so that one slow append does not lose it. */
    static final int MIN_FLUSHES_PER_LEASE = 4;

    private final Transcripts transcripts;
    private final RetentionConfig config;
    private final RelayMetrics metrics;

    OrphanedDraftSweeper(Transcripts transcripts, PersistenceConfig persistence, RetentionConfig config,
            RelayMetrics metrics) {
        this.transcripts = transcripts;
        this.config = config;
        this.metrics = metrics;
        // Fail start-up, naming the settings, rather than take live drafts for orphans.
        Duration lease = persistence.streamingLease();
        Duration floor = Duration.ofMillis(persistence.historyBatchFlushMs() * MIN_FLUSHES_PER_LEASE);
        if (lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(floor) < 0) {
            throw new IllegalArgumentException("STREAMING_LEASE must be at least " + MIN_LEASE.toSeconds()
                    + "s and " + MIN_FLUSHES_PER_LEASE + " times HISTORY_BATCH_FLUSH_MS (" + floor.toMillis()
                    + " ms), got " + lease.toMillis() + " ms");
        }
    }

    /** Blocking (JDBC or files): the scheduler runs it on a worker thread, never on the event loop. */
    @Scheduled(identity = "orphaned-draft-sweep", every = "{relay.persistence.streaming-lease}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSweep() {
        sweep(Instant.now());
    }

    /**
     * Marks the drafts whose lease ran out before {@code now} as interrupted. Never throws: a
     * failure is logged (its type only) and counted, and the next round tries again.
     *
     * @return how many drafts this instance marked
     */
    public int sweep(Instant now) {
        if (!transcripts.enabled()) {
            return 0;
        }
        int interrupted = 0;
        try {
            if (!transcripts.ready()) {
                LOG.debug("Orphaned-draft sweep skipped: the persistence backend is unavailable");
                return 0;
            }
            TranscriptStore store = transcripts.store();
            for (int batch = 0; batch < config.maxBatchesPerRun(); batch++) {
                int marked = store.interruptOrphanedDrafts(now, config.batchSize());
                if (marked == TranscriptStore.ANOTHER_SWEEP_RUNNING) {
                    LOG.debug("Orphaned-draft sweep skipped: another instance is sweeping");
                    break;
                }
                interrupted += marked;
                if (marked < config.batchSize()) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            // The exception text may quote SQL or file content: name its type only.
            LOG.errorf("Orphaned-draft sweep failed (%s); it runs again in one lease", Causes.describe(e));
            metrics.persistenceFailed("orphaned_draft_sweep");
        }
        if (interrupted > 0) {
            LOG.infof("Marked %d streaming drafts interrupted: their instance stopped renewing them", interrupted);
        }
        return interrupted;
    }
}
