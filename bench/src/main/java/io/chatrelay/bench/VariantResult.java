package io.chatrelay.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Everything measured for one relay variant: per-scenario stats of both sides, and the process figures. */
final class VariantResult {

    /** The merged rounds of one scenario, direct (to the mock) and through the relay. */
    record Pair(RoundStats direct, RoundStats relay) {
    }

    final Variant variant;
    final Map<Scenario, Pair> scenarios = new LinkedHashMap<>();
    long startupMillis;
    double quarkusStartedSeconds = Double.NaN;
    long rssIdleKb = -1;
    long rssHwmKb = -1;
    /** Turns the client completed through the relay, warm-up included (all of them wrote to the DB). */
    long relayTurnsCompleted;
    long relayErrors;
    /** Changes of PostgreSQL's counters for {@code messages} over this variant's life; null without persistence. */
    BenchDatabase.Counters writes;
    BenchDatabase.Rows rows;

    VariantResult(Variant variant) {
        this.variant = variant;
    }

    /** CPU seconds of the relay per 1,000 turns over all its streaming rounds; NaN if unknown. */
    double cpuSecondsPerThousandStreams() {
        long ticks = 0;
        long turns = 0;
        for (Map.Entry<Scenario, Pair> e : scenarios.entrySet()) {
            if (e.getKey().stream() && e.getValue().relay().cpuTicks >= 0) {
                ticks += e.getValue().relay().cpuTicks;
                turns += e.getValue().relay().completed.sum();
            }
        }
        return turns == 0 ? Double.NaN : 1000.0 * ticks / ProcStats.clockTicksPerSecond() / turns;
    }

    /**
     * Database writes per assistant message: all inserts and updates of {@code messages}, minus the
     * one insert of each user message, divided by the assistant messages stored. Final-only writes
     * make this exactly 1.
     */
    double writesPerAssistantMessage() {
        if (writes == null || rows == null || rows.assistant() == 0) {
            return Double.NaN;
        }
        return (double) (writes.inserts() - rows.user() + writes.updates()) / rows.assistant();
    }

    Pair scenario(String key) {
        return scenarios.entrySet().stream().filter(e -> e.getKey().key().equals(key)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }
}
