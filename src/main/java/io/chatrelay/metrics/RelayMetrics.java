package io.chatrelay.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The service's own meters, exported at /q/metrics (names as Prometheus shows them are
 * listed in the README). One place, so that names and tags stay consistent.
 */
@ApplicationScoped
public class RelayMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final AtomicInteger pendingWrites = new AtomicInteger();
    private final Timer firstByte;
    private final Map<String, Timer> writeTimers = new ConcurrentHashMap<>();

    RelayMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("chatrelay.streams.active", activeStreams);
        registry.gauge("chatrelay.persistence.pending", pendingWrites);
        // Registered up front so that dashboards and alerts see 0 rather than no series.
        replayedCounter();
        droppedCounter();
        this.firstByte = Timer.builder("chatrelay.upstream.first.byte")
                .description("Time from sending a request upstream to receiving its response head")
                .publishPercentileHistogram()
                .register(registry);
    }

    /** A message row was committed: role user/assistant, status final/error/aborted/streaming. */
    public void messagePersisted(String role, String status) {
        registry.counter("chatrelay.messages.persisted", "role", role, "status", status).increment();
    }

    /** A statement that inserted (insert) or updated (update) a message row was committed. */
    public void messageRowWritten(String operation) {
        registry.counter("chatrelay.message.rows", "operation", operation).increment();
    }

    /** How long a committed write took, from the end of its exchange to the commit. */
    public void writeCommitted(String operation, Duration elapsed) {
        // Built once per operation: this runs for every stored message.
        writeTimers.computeIfAbsent(operation, op -> Timer.builder("chatrelay.persistence.write")
                .description("Latency of transcript writes at the end of an exchange, by operation")
                .tag("operation", op)
                .publishPercentileHistogram()
                .register(registry))
                .record(elapsed);
    }

    public void persistenceFailed(String operation) {
        registry.counter("chatrelay.persistence.failures", "operation", operation).increment();
    }

    /** The orphan sweep marked {@code drafts} streaming drafts whose instance died as interrupted. */
    public void draftsInterrupted(int drafts) {
        registry.counter("chatrelay.drafts.interrupted").increment(drafts);
    }

    /** How many final writes wait for the database to come back (the retry queue). */
    public void pendingWrites(int count) {
        pendingWrites.set(count);
    }

    /** A final write that had failed, or was spooled at shutdown, was stored later. */
    public void writeReplayed() {
        replayedCounter().increment();
    }

    /** A final write was dropped because the retry queue was full. */
    public void writeDropped() {
        droppedCounter().increment();
    }

    private Counter replayedCounter() {
        return Counter.builder("chatrelay.persistence.replayed")
                .description("Final writes stored by a retry or a replay from the spool").register(registry);
    }

    private Counter droppedCounter() {
        return Counter.builder("chatrelay.persistence.dropped")
                .description("Final writes dropped because the retry queue was full").register(registry);
    }

    /** The retention sweep hard-deleted {@code conversations} conversations (with their messages). */
    public void retentionDeleted(int conversations) {
        registry.counter("chatrelay.retention.deleted").increment(conversations);
    }

    /**
     * How an upstream request went: ok, http_error (status >= 400), unreachable, timeout,
     * broken (failed mid-stream) or cancelled (the client left).
     */
    public void upstreamOutcome(String outcome) {
        registry.counter("chatrelay.upstream.requests", "outcome", outcome).increment();
    }

    public void firstByte(Duration elapsed) {
        firstByte.record(elapsed);
    }

    public void streamOpened() {
        activeStreams.incrementAndGet();
    }

    public void streamClosed() {
        activeStreams.decrementAndGet();
    }
}
