package io.chatrelay.chat;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.chatrelay.conversation.PersistenceConfig;
import io.quarkus.runtime.ShutdownEvent;

/**
 * The last step of a graceful shutdown. Quarkus first turns readiness DOWN, refuses new
 * requests and lets running ones finish for up to {@code quarkus.shutdown.timeout}
 * (SHUTDOWN_DRAIN_TIMEOUT); any turn still open after that is stored here with what it
 * produced so far (status aborted), before the database pool closes, so that no turn
 * that had started is lost.
 */
@ApplicationScoped
public class ShutdownDrain {

    private static final Logger LOG = Logger.getLogger(ShutdownDrain.class);

    private final LiveTurns live;
    private final PersistenceConfig config;

    ShutdownDrain(LiveTurns live, PersistenceConfig config) {
        this.live = live;
        this.config = config;
    }

    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        int open = live.count();
        if (open == 0) {
            return;
        }
        LOG.infof("Shutting down with %d turn(s) still open: storing them as aborted", open);
        try {
            live.abortAll(config.finalWriteTimeout().plusSeconds(1));
        } catch (RuntimeException e) {
            LOG.errorf("Not every open turn could be stored before shutdown (%s)", e.getClass().getSimpleName());
        }
    }
}
