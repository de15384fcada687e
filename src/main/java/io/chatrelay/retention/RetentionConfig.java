package io.chatrelay.retention;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How the retention sweep runs. How long conversations are kept is RETENTION_DAYS,
 * {@code relay.persistence.retention-days} of {@link io.chatrelay.conversation.PersistenceConfig}.
 */
@ConfigMapping(prefix = "relay.retention")
public interface RetentionConfig {

    /**
     * RETENTION_SWEEP_INTERVAL: time between two sweeps ({@code 1h}, {@code 15m}, {@code PT30M});
     * the first runs right after start-up. {@link RetentionSweeper}'s trigger reads the same
     * property; typing it here makes an invalid value fail start-up.
     */
    @WithDefault("1h")
    Duration sweepInterval();

    /** Conversations deleted per transaction: bounds how long one batch holds its locks. */
    @WithDefault("500")
    int batchSize();

    /**
     * Batches one sweep runs at most; a larger backlog is worked off over the following sweeps
     * instead of keeping the database busy in one go.
     */
    @WithDefault("100")
    int maxBatchesPerRun();
}
