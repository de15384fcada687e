package io.chatrelay.bench;

import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one round (or several merged rounds) of one target measured. Written concurrently by
 * the load generator's event loops (hence adders and {@link ConcurrentHistogram}s), read by the
 * bench once the round is over. All histograms are in microseconds.
 */
final class RoundStats {

    /** 10 minutes in µs: far above any bounded round, so no value is ever out of range. */
    private static final long HIGHEST_MICROS = 600_000_000L;

    final ConcurrentHistogram ttfcMicros = histogram();
    /** Streams: request start to end of response. JSON: request latency. */
    final ConcurrentHistogram totalMicros = histogram();
    final ConcurrentHistogram gapMicros = histogram();
    final LongAdder issued = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder completedInWindow = new LongAdder();
    final LongAdder events = new LongAdder();
    final LongAdder reads = new LongAdder();
    final LongAdder gluedEvents = new LongAdder();
    final LongAdder missingConversationId = new LongAdder();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    /** Conversation ids of completed turns, kept only when a round asks for them (soak). */
    final Queue<String> conversationIds = new ConcurrentLinkedQueue<>();

    /** Length of the measuring window: the round's duration, or less when it ran out of requests. */
    double windowSeconds;
    /** CPU clock ticks the measured process (the relay) used during the round; -1 when not measured. */
    long cpuTicks = -1;
    /** Highest VmRSS of the measured process sampled during the round, in KiB; -1 when not measured. */
    long rssMaxKb = -1;
    int rounds = 1;

    private static ConcurrentHistogram histogram() {
        return new ConcurrentHistogram(1, HIGHEST_MICROS, 3);
    }

    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Completed requests per second within the window. */
    double rate() {
        return windowSeconds <= 0 ? 0 : completedInWindow.sum() / windowSeconds;
    }

    /** Events that arrived in the same network read as an earlier event, in percent of all events. */
    double gluedPercent() {
        long all = events.sum();
        return all == 0 ? 0 : 100.0 * gluedEvents.sum() / all;
    }

    Map<String, Long> errorsByKind() {
        Map<String, Long> sorted = new TreeMap<>();
        errors.forEach((k, v) -> sorted.put(k, v.sum()));
        return sorted;
    }

    /** A new object holding the sums of both (histograms added, windows and CPU summed, RSS max). */
    RoundStats plus(RoundStats other) {
        RoundStats sum = new RoundStats();
        for (RoundStats part : new RoundStats[] {this, other}) {
            sum.ttfcMicros.add(part.ttfcMicros);
            sum.totalMicros.add(part.totalMicros);
            sum.gapMicros.add(part.gapMicros);
            sum.issued.add(part.issued.sum());
            sum.completed.add(part.completed.sum());
            sum.completedInWindow.add(part.completedInWindow.sum());
            sum.events.add(part.events.sum());
            sum.reads.add(part.reads.sum());
            sum.gluedEvents.add(part.gluedEvents.sum());
            sum.missingConversationId.add(part.missingConversationId.sum());
            part.errors.forEach((k, v) -> sum.errors.computeIfAbsent(k, x -> new LongAdder()).add(v.sum()));
            sum.conversationIds.addAll(part.conversationIds);
            sum.windowSeconds += part.windowSeconds;
        }
        sum.cpuTicks = cpuTicks < 0 || other.cpuTicks < 0 ? Math.max(cpuTicks, other.cpuTicks) : cpuTicks + other.cpuTicks;
        sum.rssMaxKb = Math.max(rssMaxKb, other.rssMaxKb);
        sum.rounds = rounds + other.rounds;
        return sum;
    }

    /** Percentile in milliseconds, NaN when the histogram is empty. */
    static double ms(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? Double.NaN
                : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    static double maxMs(Histogram histogram) {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getMaxValue() / 1000.0;
    }
}
