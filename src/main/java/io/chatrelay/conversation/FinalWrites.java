package io.chatrelay.conversation;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.chatrelay.error.ApiException;
import io.chatrelay.error.Causes;
import io.chatrelay.metrics.RelayMetrics;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The final writes of turns, kept until the database has them. The end of a stream waits a
 * bounded time for its write; a write that fails or does not finish in that time goes to a
 * bounded retry queue, which one thread of its own works through in order with backoff (each
 * write is idempotent: it carries its message's id). A write of a conversation that already
 * has one waiting goes behind it, so a conversation's messages keep their order. At shutdown
 * the queue gets a last try, and what the database still has not taken is spooled to
 * SPOOL_DIR ({@link WriteSpool}) and replayed at the next start. Nothing is dropped unless the
 * queue is full; a write the database refuses for good (bad data, not an outage) is logged
 * and counted as a failure, as before, instead of blocking the queue.
 */
@ApplicationScoped
public class FinalWrites {

    private static final Logger LOG = Logger.getLogger(FinalWrites.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final Transcripts transcripts;
    private final BlockingWrites writes;
    private final PersistenceConfig config;
    private final RelayMetrics metrics;
    private final WriteSpool spool;
    private final Deque<PendingWrite> queue = new ArrayDeque<>();
    /** Held for one attempt at the head of the queue: the retry thread and the shutdown never run one write twice at once. */
    private final ReentrantLock attempt = new ReentrantLock();
    private final ScheduledExecutorService retrier = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "chat-relay-write-retry");
        thread.setDaemon(true);
        return thread;
    });
    private Duration backoff = FIRST_BACKOFF;
    private boolean retryScheduled;
    private boolean closed;

    FinalWrites(Transcripts transcripts, BlockingWrites writes, PersistenceConfig config, RelayMetrics metrics,
            WriteSpool spool) {
        this.transcripts = transcripts;
        this.writes = writes;
        this.config = config;
        this.metrics = metrics;
        this.spool = spool;
    }

    /**
     * Stores the write, waiting for it at most the final-write timeout. Completes when it is
     * committed or handed to the retry queue; never fails.
     */
    public Uni<Void> store(PendingWrite write) {
        if (joinedItsConversation(write)) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            return writes.await(() -> write.applyTo(transcripts.store()))
                    .ifNoItem().after(config.finalWriteTimeout()).fail()
                    .invoke(() -> metrics.writeCommitted(write.kind().operation(),
                            Duration.ofNanos(System.nanoTime() - started)))
                    .onFailure().recoverWithItem(failure -> {
                        metrics.persistenceFailed(write.kind().operation());
                        if (refusedForGood(failure)) {
                            LOG.errorf("Could not persist %s of conversation %s (%s); the database refuses it",
                                    write.kind().operation(), write.conversationId(), Causes.describe(failure));
                            releaseReservation(write);
                        } else {
                            LOG.warnf("Could not persist %s of conversation %s yet (%s); it will be retried",
                                    write.kind().operation(), write.conversationId(), describe(failure));
                            enqueue(write);
                        }
                        return null;
                    });
        });
    }

    /** How many writes wait in the retry queue. */
    public synchronized int pending() {
        return queue.size();
    }

    /**
     * Start: queues the writes spooled by the last run, oldest first. They are stored as soon
     * as the database answers, before or right after readiness goes UP. Blocking (file I/O).
     *
     * @return how many there were
     */
    public int replaySpool() {
        List<PendingWrite> spooled = spool.load();
        if (spooled.isEmpty()) {
            return 0;
        }
        LOG.infof("Replaying %d final write(s) spooled by the last run", spooled.size());
        synchronized (this) {
            queue.addAll(spooled);
            metrics.pendingWrites(queue.size());
            scheduleRetry(Duration.ZERO);
        }
        return spooled.size();
    }

    /**
     * Shutdown: gives the queued writes a last try within {@code bound}, then spools those the
     * database has still not taken to SPOOL_DIR; a write that fails after this goes straight to
     * the spool. Blocking: for the shutdown thread only.
     *
     * @return how many writes were spooled
     */
    public int shutdown(Duration bound) {
        synchronized (this) {
            closed = true;
        }
        long deadline = System.nanoTime() + bound.toNanos();
        attempt.lock();
        try {
            while (System.nanoTime() < deadline) {
                PendingWrite head = head();
                if (head == null
                        || attemptHead(head, Duration.ofNanos(deadline - System.nanoTime())) == Outcome.FAILED) {
                    break; // done, or the database is still away
                }
            }
            List<PendingWrite> left;
            synchronized (this) {
                left = new ArrayList<>(queue);
                queue.clear();
                metrics.pendingWrites(0);
            }
            int spooled = 0;
            for (PendingWrite write : left) {
                spooled += spoolOrLose(write) ? 1 : 0;
            }
            if (spooled > 0) {
                LOG.warnf("The database did not take %d final write(s) before shutdown: spooled to %s for the next"
                        + " start", spooled, config.spoolDir());
            }
            return spooled;
        } finally {
            attempt.unlock();
        }
    }

    void onStart(@Observes StartupEvent event) {
        PersistenceBackend backend = transcripts.backend();
        if (backend == PersistenceBackend.POSTGRESQL || backend == PersistenceBackend.FILEJSON) {
            replaySpool();
        }
    }

    @PreDestroy
    void stopRetrying() {
        retrier.shutdownNow();
    }

    private synchronized boolean joinedItsConversation(PendingWrite write) {
        if (closed || queue.stream().noneMatch(queued -> queued.conversationId().equals(write.conversationId()))) {
            return false;
        }
        enqueue(write);
        return true;
    }

    private void enqueue(PendingWrite write) {
        synchronized (this) {
            if (!closed) {
                if (queue.size() >= config.maxPendingWrites()) {
                    LOG.errorf("Dropped the %s of conversation %s: %d writes wait for the database already",
                            write.kind().operation(), write.conversationId(), queue.size());
                    metrics.writeDropped();
                    releaseReservation(write);
                    return;
                }
                queue.addLast(write);
                metrics.pendingWrites(queue.size());
                scheduleRetry(backoff);
                return;
            }
        }
        // Past the shutdown's last try: straight to the spool, off the event loop.
        try {
            Infrastructure.getDefaultWorkerPool().execute(() -> spoolOrLose(write));
        } catch (RejectedExecutionException e) {
            spoolOrLose(write);
        }
    }

    private synchronized PendingWrite head() {
        return queue.peekFirst();
    }

    /** Caller holds the monitor. */
    private void scheduleRetry(Duration delay) {
        if (retryScheduled || closed) {
            return;
        }
        retryScheduled = true;
        try {
            retrier.schedule(this::retry, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            retryScheduled = false; // stopping: the shutdown spools what is left
        }
    }

    /** On the retry thread: works through the queue until it is empty or the database fails again. */
    private void retry() {
        synchronized (this) {
            retryScheduled = false;
        }
        while (true) {
            PendingWrite head = head();
            if (head == null) {
                return;
            }
            Outcome outcome;
            if (!attempt.tryLock()) {
                return; // the shutdown has taken over
            }
            try {
                if (head() != head) {
                    continue;
                }
                outcome = attemptHead(head, config.dbTimeout());
            } finally {
                attempt.unlock();
            }
            if (outcome == Outcome.FAILED) {
                synchronized (this) {
                    Duration wait = backoff;
                    backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
                    scheduleRetry(wait);
                }
                return;
            }
            synchronized (this) {
                backoff = FIRST_BACKOFF;
            }
        }
    }

    private enum Outcome {
        STORED, REFUSED, FAILED
    }

    /** One attempt at the head of the queue; caller holds {@link #attempt}. Removes it unless it FAILED. */
    private Outcome attemptHead(PendingWrite head, Duration bound) {
        Outcome outcome;
        try {
            head.applyTo(transcripts.store()).toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
            outcome = Outcome.STORED;
        } catch (ExecutionException e) {
            outcome = refusedForGood(e.getCause()) ? Outcome.REFUSED : Outcome.FAILED;
        } catch (TimeoutException | RuntimeException e) {
            outcome = Outcome.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.FAILED;
        }
        if (outcome == Outcome.FAILED) {
            return outcome;
        }
        synchronized (this) {
            queue.remove(head);
            metrics.pendingWrites(queue.size());
        }
        spool.remove(head);
        if (outcome == Outcome.STORED) {
            metrics.writeReplayed();
            LOG.infof("Stored the %s of conversation %s on a retry", head.kind().operation(), head.conversationId());
        } else {
            LOG.errorf("Gave up the %s of conversation %s: the database refuses it", head.kind().operation(),
                    head.conversationId());
            releaseReservation(head);
        }
        return outcome;
    }

    /**
     * The turn's answer will never be stored: its conversation gets back the room the turn
     * reserved for it under the message limit. Best effort: while the database is away this
     * fails as well (logged), and the room stays reserved.
     */
    private void releaseReservation(PendingWrite write) {
        if (write.kind() != PendingWrite.Kind.FINAL_MESSAGE) {
            return; // a draft took its turn's room when it was inserted
        }
        writes.bestEffort("answer_reservation_release", write.conversationId(),
                () -> transcripts.store().releaseAnswerReservation(write.conversationId()))
                .subscribe().with(ignored -> {
                });
    }

    private boolean spoolOrLose(PendingWrite write) {
        try {
            spool.spool(write);
            return true;
        } catch (RuntimeException e) {
            LOG.errorf("Lost the %s of conversation %s: it could not be spooled (%s)", write.kind().operation(),
                    write.conversationId(), e.getClass().getSimpleName());
            metrics.writeDropped();
            return false;
        }
    }

    /**
     * A failure that a retry cannot mend: the database answered and refused the row (a data
     * exception or integrity violation, SQL state class 22 or 23), or the request itself was
     * refused (a 4xx). An outage (no connection, a timeout, a full queue) is worth retrying.
     */
    static boolean refusedForGood(Throwable failure) {
        Throwable cause = failure;
        while (cause != null) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("22") || state.startsWith("23");
            }
            if (cause instanceof ApiException api) {
                return api.status() < 500;
            }
            cause = cause.getCause() == cause ? null : cause.getCause();
        }
        return false;
    }

    private static String describe(Throwable failure) {
        if (failure instanceof io.smallrye.mutiny.TimeoutException) {
            return "no commit within the final-write timeout";
        }
        return Causes.describe(failure);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
