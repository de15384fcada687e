package io.chatrelay.lifecycle;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Graceful shutdown. */
@ConfigMapping(prefix = "relay.shutdown")
public interface DrainConfig {

    /**
     * How long running turns may go on after SIGTERM (SHUTDOWN_DRAIN_TIMEOUT); turns still
     * open then are stored as aborted. Keep {@code quarkus.shutdown.timeout} longer than
     * this plus the final-write timeout, and the pod's termination grace period longer still.
     */
    @WithDefault("25s")
    Duration drainTimeout();
}
