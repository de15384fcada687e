package io.chatrelay.retention;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

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
 * Hard-deletes unpinned conversations inactive for longer than RETENTION_DAYS, every
 * RETENTION_SWEEP_INTERVAL, in batches of {@code relay.retention.batch-size}, through the
 * persistence facade (which counts the deletions). With PostgreSQL and several replicas each
 * batch takes an advisory lock, so one replica sweeps and the others skip their round.
 *
 * <p>The trigger is switched off in the test profile ({@code quarkus.scheduler.enabled}): tests
 * call {@link #sweep()} themselves, so no background sweep races their assertions.
 */
@Startup
@ApplicationScoped
public class RetentionSweeper {

    private static final Logger LOG = Logger.getLogger(RetentionSweeper.class);

    private final Transcripts transcripts;
    private final PersistenceConfig persistence;
    private final RetentionConfig config;
    private final RelayMetrics metrics;

    RetentionSweeper(Transcripts transcripts, PersistenceConfig persistence, RetentionConfig config,
            RelayMetrics metrics) {
        this.transcripts = transcripts;
        this.persistence = persistence;
        this.config = config;
        this.metrics = metrics;
        // Fail start-up, naming the setting, rather than sweep with a nonsensical bound.
        if (persistence.retentionDays() < 0) {
            throw new IllegalArgumentException("RETENTION_DAYS must be 0 (keep forever) or a number of days, got "
                    + persistence.retentionDays());
        }
        if (config.batchSize() < 1 || config.maxBatchesPerRun() < 1) {
            throw new IllegalArgumentException(
                    "relay.retention.batch-size and relay.retention.max-batches-per-run must be at least 1");
        }
    }

    /** Blocking (JDBC or files): the scheduler runs it on a worker thread, never on the event loop. */
    @Scheduled(identity = "retention-sweep", every = "{relay.retention.sweep-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSweep() {
        sweep();
    }

    /**
     * Runs one sweep now. Never throws: a failure is logged (its type only) and counted, and the
     * next interval tries again.
     *
     * @return how many conversations this instance deleted
     */
    public int sweep() {
        Optional<Instant> cutoff = cutoff(persistence.retentionDays(), Instant.now());
        if (cutoff.isEmpty() || !transcripts.enabled()) {
            return 0;
        }
        // Batches commit one by one: those done before a failure still count and are logged.
        AtomicInteger deleted = new AtomicInteger();
        try {
            if (!transcripts.ready()) {
                // Readiness already reports the outage; the next interval tries again.
                LOG.debug("Retention sweep skipped: the persistence backend is unavailable");
                return 0;
            }
            deleteInBatches(transcripts.store(), cutoff.get(), config.batchSize(), config.maxBatchesPerRun(),
                    deleted::addAndGet);
        } catch (RuntimeException e) {
            // The exception text may quote SQL or file content: name its type only.
            LOG.errorf("Retention sweep failed (%s); it runs again in %s", Causes.describe(e),
                    config.sweepInterval());
            metrics.persistenceFailed("retention");
        }
        if (deleted.get() > 0) {
            LOG.infof("Retention sweep deleted %d conversations inactive for more than %d days", deleted.get(),
                    persistence.retentionDays());
        }
        return deleted.get();
    }

    /** Conversations last active before the returned instant expire; empty when retention is off (0 days). */
    static Optional<Instant> cutoff(int retentionDays, Instant now) {
        return retentionDays <= 0 ? Optional.empty() : Optional.of(now.minus(Duration.ofDays(retentionDays)));
    }

    /**
     * Deletes batch after batch until one comes back short (nothing more has expired), another
     * instance holds the sweep, or {@code maxBatches} ran. {@code committed} hears the count of
     * every batch as soon as it is committed.
     */
    static void deleteInBatches(TranscriptStore store, Instant cutoff, int batchSize, int maxBatches,
            IntConsumer committed) {
        for (int batch = 0; batch < maxBatches; batch++) {
            int deleted = store.deleteInactiveBefore(cutoff, batchSize);
            if (deleted == TranscriptStore.ANOTHER_SWEEP_RUNNING) {
                LOG.debug("Retention sweep skipped: another instance is sweeping");
                return;
            }
            committed.accept(deleted);
            if (deleted < batchSize) {
                return;
            }
        }
    }
}
