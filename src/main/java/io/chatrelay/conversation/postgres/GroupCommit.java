package io.chatrelay.conversation.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.PersistenceException;

import io.agroal.api.AgroalDataSource;
import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.conversation.postgres.TurnInserts.Insert;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Group commit of the turns' inserts, which {@link ConversationRepository} submits: the
 * inserts that arrive while others are being written wait in a queue and are then run
 * together, in one transaction on one connection. Under load each turn thus pays a share of
 * one connection check-out (with its validation), one commit and one thread hand-off instead
 * of all of them; alone, an insert goes straight out in auto-commit mode.
 *
 * <p>At most {@link PersistenceConfig#concurrentWriteBatches()} batches are written at a time.
 * A batch takes its locks in one order: first the owner locks of the inserts that create a
 * conversation, by key, then the conversations' row locks, by id (see {@link #LOCK_ORDER}), so
 * two batches never wait on each other in a cycle. When a statement of a batch fails, the batch
 * is rolled back and its inserts are run again one by one, so that one bad insert cannot fail
 * the others; without a connection the whole batch fails, as each insert would alone.
 *
 * <p>The queue is bounded twice, so that a hung database cannot pile up work: an insert that
 * finds {@link #MAX_QUEUED} others waiting is refused at once, and one that waited longer than
 * DB_TIMEOUT for a writer is dropped unrun (its caller has given up on it by then and answered
 * 503; running it later would store a turn the client was told failed).
 */
@ApplicationScoped
class GroupCommit {

    /** Bounds one transaction, so that a burst is committed in several steps rather than one long one. */
    static final int MAX_BATCH = 64;
    /** Inserts that may wait for a writer: many batches' worth, far more than a healthy database leaves queued. */
    static final int MAX_QUEUED = 4096;

    /**
     * The order in which a batch runs its inserts: those that take an owner lock first, by its
     * key, then by conversation id. Every batch thus takes owner locks before row locks, and
     * each kind in the same order as any other batch.
     */
    private static final Comparator<Insert> LOCK_ORDER = Comparator
            .comparing((Insert insert) -> insert.ownerLock() == null)
            .thenComparing(Insert::ownerLock, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Insert::conversationId);

    private record Pending(Insert insert, CompletableFuture<OptionalInt> inserted, long deadline) {

        boolean expired(long now) {
            return now - deadline > 0;
        }
    }

    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger writing = new AtomicInteger();
    private final Instance<AgroalDataSource> dataSource;
    private final int maxBatchesAtOnce;
    private final long maxWaitNanos;
    private final Executor workers = Infrastructure.getDefaultWorkerPool();

    GroupCommit(Instance<AgroalDataSource> dataSource, PersistenceConfig config) {
        this.dataSource = dataSource;
        // Fewer than one writer would leave every insert queued until its caller gives up.
        this.maxBatchesAtOnce = Math.max(1, config.concurrentWriteBatches());
        this.maxWaitNanos = config.dbTimeout().toNanos();
    }

    /**
     * Queues the insert; the stage completes on a worker thread once it is committed, with
     * the seq the insert returned, empty when no row was inserted. It fails at once when the
     * queue is full, and unrun when no writer took it within DB_TIMEOUT.
     */
    CompletionStage<OptionalInt> submit(Insert insert) {
        CompletableFuture<OptionalInt> inserted = new CompletableFuture<>();
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            inserted.completeExceptionally(new QueueFull());
            return inserted;
        }
        queue.add(new Pending(insert, inserted, System.nanoTime() + maxWaitNanos));
        if (claimWriter()) {
            workers.execute(this::writeWhileQueued);
        }
        return inserted;
    }

    private boolean claimWriter() {
        int current;
        do {
            current = writing.get();
            if (current >= maxBatchesAtOnce) {
                return false;
            }
        } while (!writing.compareAndSet(current, current + 1));
        return true;
    }

    private void writeWhileQueued() {
        while (true) {
            List<Pending> batch = take();
            if (batch.isEmpty()) {
                writing.decrementAndGet();
                // An insert queued after take() may have found every writer busy: pick it up.
                if (queue.isEmpty() || !claimWriter()) {
                    return;
                }
                continue;
            }
            write(batch);
        }
    }

    private List<Pending> take() {
        List<Pending> batch = new ArrayList<>();
        long now = System.nanoTime();
        Pending next;
        while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
            queued.decrementAndGet();
            if (next.expired(now)) {
                next.inserted().completeExceptionally(new WaitedTooLong());
            } else {
                batch.add(next);
            }
        }
        batch.sort(Comparator.comparing(Pending::insert, LOCK_ORDER));
        return batch;
    }

    private void write(List<Pending> batch) {
        try (Connection connection = dataSource.get().getConnection()) {
            if (batch.size() == 1 || !writeTogether(batch, connection)) {
                runEach(batch, connection);
            }
        } catch (SQLException e) {
            failAll(batch, TurnInserts.failed(e));
        } catch (RuntimeException e) {
            failAll(batch, e);
        }
    }

    /**
     * Runs the batch in one transaction and tells every outcome after the commit. The inserts
     * go one after another: pgjdbc's executeBatch, tried for this, halved the throughput
     * (docs/BENCHMARKS.md).
     *
     * @return false when an insert failed and the batch was rolled back on a usable connection
     */
    private static boolean writeTogether(List<Pending> batch, Connection connection) throws SQLException {
        List<Runnable> outcomes = new ArrayList<>(batch.size());
        connection.setAutoCommit(false);
        try {
            for (Pending pending : batch) {
                OptionalInt inserted = pending.insert().runOn(connection);
                outcomes.add(() -> pending.inserted().complete(inserted));
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            connection.setAutoCommit(true);
            return false;
        }
        connection.setAutoCommit(true);
        outcomes.forEach(Runnable::run);
        return true;
    }

    /** Each insert in its own auto-commit transaction: a failure is that insert's alone. */
    private static void runEach(List<Pending> batch, Connection connection) throws SQLException {
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            try {
                pending.inserted().complete(pending.insert().runOn(connection));
            } catch (SQLException e) {
                if (connection.isClosed()) {
                    // The rest would fail the same way.
                    failAll(batch.subList(i, batch.size()), TurnInserts.failed(e));
                    return;
                }
                pending.inserted().completeExceptionally(TurnInserts.failed(e));
            }
        }
    }

    private static void failAll(List<Pending> batch, RuntimeException failure) {
        batch.forEach(pending -> pending.inserted().completeExceptionally(failure));
    }

    /** The queue holds {@link #MAX_QUEUED} inserts already: the database is not keeping up. */
    static final class QueueFull extends PersistenceException {
        QueueFull() {
            super("Too many inserts are waiting for the database");
        }
    }

    /** No writer took the insert within DB_TIMEOUT: it was not run. */
    static final class WaitedTooLong extends PersistenceException {
        WaitedTooLong() {
            super("The insert waited longer than DB_TIMEOUT for a connection");
        }
    }
}
