package io.chatrelay.lifecycle;

import java.time.Duration;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.chatrelay.conversation.FinalWrites;
import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.turn.LiveTurns;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;

/**
 * Graceful shutdown for rolling deploys. On SIGTERM the instance turns not-ready and
 * refuses new /v1 requests (the HTTP filter {@code DrainFilter}), lets the turns under way finish for up
 * to SHUTDOWN_DRAIN_TIMEOUT, then stores every turn still open with what it produced so
 * far (status aborted) and ends its stream, before the database pool closes. No turn that
 * had started is lost: final writes that the database has not taken get a last try within
 * DB_TIMEOUT and are then spooled to SPOOL_DIR for the next start ({@link FinalWrites}).
 *
 * <p>The drain runs in a JVM shutdown hook of its own because Quarkus' graceful shutdown
 * keeps serving new requests while it waits and closes the provider connections at its
 * deadline, which would turn open turns into errors instead of aborts.
 */
@Startup
@ApplicationScoped
public class Drain {

    private static final Logger LOG = Logger.getLogger(Drain.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final LiveTurns live;
    private final FinalWrites finalWrites;
    private final DrainConfig config;
    private final PersistenceConfig persistence;
    private final Duration quarkusTimeout;
    private volatile boolean draining;
    private Thread hook;

    Drain(LiveTurns live, FinalWrites finalWrites, DrainConfig config, PersistenceConfig persistence,
            @ConfigProperty(name = "quarkus.shutdown.timeout") Duration quarkusTimeout) {
        this.live = live;
        this.finalWrites = finalWrites;
        this.config = config;
        this.persistence = persistence;
        this.quarkusTimeout = quarkusTimeout;
    }

    @PostConstruct
    void install() {
        Duration needed = config.drainTimeout().plus(persistence.finalWriteTimeout()).plus(persistence.dbTimeout());
        if (quarkusTimeout.compareTo(needed) <= 0) {
            LOG.warnf("quarkus.shutdown.timeout (%s) should exceed SHUTDOWN_DRAIN_TIMEOUT (%s) plus the final-write"
                    + " timeout (%s) plus DB_TIMEOUT (%s), or open turns may be cut before they are stored or spooled",
                    quarkusTimeout, config.drainTimeout(), persistence.finalWriteTimeout(), persistence.dbTimeout());
        }
        hook = new Thread(this::drain, "chat-relay-drain");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @PreDestroy
    void uninstall() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running or has run
        }
    }

    /** True from SIGTERM on: readiness is DOWN and new /v1 requests are refused. */
    public boolean draining() {
        return draining;
    }

    void drain() {
        draining = true;
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        int open = live.count();
        if (open > 0) {
            LOG.infof("Draining: waiting up to %s for %d open turn(s)", config.drainTimeout(), open);
        }
        while (live.count() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        abortOpenTurns();
        spoolPendingWrites();
    }

    /** Safety net for a shutdown that did not come through the JVM hook (e.g. Quarkus.asyncExit). */
    void onShutdown(@Observes ShutdownEvent event) {
        draining = true;
        abortOpenTurns();
        spoolPendingWrites();
    }

    private void spoolPendingWrites() {
        try {
            finalWrites.shutdown(persistence.dbTimeout());
        } catch (RuntimeException e) {
            LOG.errorf("Could not spool the final writes still waiting for the database (%s)",
                    e.getClass().getSimpleName());
        }
    }

    private void abortOpenTurns() {
        int open = live.count();
        if (open == 0) {
            return;
        }
        LOG.infof("Storing %d turn(s) still open at shutdown as aborted", open);
        try {
            live.abortAll(persistence.finalWriteTimeout().plusSeconds(1));
        } catch (RuntimeException e) {
            LOG.errorf("Not every open turn could be stored before shutdown (%s)", e.getClass().getSimpleName());
        }
    }
}
