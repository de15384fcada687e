package io.chatrelay.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.HdrHistogram.Histogram;

/**
 * Renders results as Markdown (tables ready to paste into docs/BENCHMARKS.md) followed by the raw
 * numbers of every scenario and side. Ratios are relay / direct of the merged rounds; "added"
 * times are relay minus direct at the same percentile.
 */
final class Report {

    private final StringBuilder out = new StringBuilder();

    String text() {
        return out.toString();
    }

    Report line(String text) {
        out.append(text).append('\n');
        return this;
    }

    Report line(String format, Object... args) {
        return line(String.format(Locale.ROOT, format, args));
    }

    /** The targets, each evaluated for every variant that ran. */
    void targets(List<VariantResult> results) {
        VariantResult off = find(results, Variant.OFF);
        line("| measure | target | persistence off | PostgreSQL | PostgreSQL + deltas"
                + " | met (off / PostgreSQL / deltas) |");
        line("|---|---|---|---|---|---|");

        row(results, "time to first chunk added, c=50 (p50 / p99)", "<= 1 ms / <= 5 ms",
                r -> ttfcAdded(r, "stream-c50", 50) + " / " + ttfcAdded(r, "stream-c50", 99) + " ms",
                r -> addedMs(r, "stream-c50", 50) <= 1 && addedMs(r, "stream-c50", 99) <= 5);
        row(results, "streams/s at c=500, relay / direct", ">= 0.9",
                r -> ratio(r, "stream-c500"), r -> rateRatio(r, "stream-c500") >= 0.9);
        row(results, "glued chunks at c=500 (direct -> relay)", "<= direct + 2 points",
                r -> glued(r, "stream-c500"), r -> gluedDelta(r, "stream-c500") <= 2);
        row(results, "JSON requests/s at c=50, relay / direct", ">= 0.5",
                r -> ratio(r, "json-c50"), r -> rateRatio(r, "json-c50") >= 0.5);
        row(results, "streams/s at c=50, this variant / persistence off", ">= 0.9",
                r -> off == null || r.variant == Variant.OFF ? "-" : fmt(variantRatio(r, off, "stream-c50"), 2) + "x",
                r -> off == null || r.variant == Variant.OFF ? null : variantRatio(r, off, "stream-c50") >= 0.9);
        row(results, "DB writes per assistant message", "exactly 1",
                r -> r.variant.persists ? fmt(r.writesPerAssistantMessage(), 3) : "-",
                r -> r.variant.persists ? Math.abs(r.writesPerAssistantMessage() - 1) < 1e-9 : null);
        row(results, "RSS at c=500 (highest sampled VmRSS)", "<= 300 MB",
                r -> mb(rssAt(r, "stream-c500")), r -> rssAt(r, "stream-c500") <= 300 * 1024);
        row(results, "start-up to ready, JVM", "<= 2 s",
                r -> fmt(r.startupMillis / 1000.0, 2) + " s", r -> r.startupMillis <= 2000);
    }

    /** Both sides of every scenario of every variant. */
    void scenarios(List<VariantResult> results) {
        line("| variant | scenario | side | rate /s | relay / direct | TTFC p50 | TTFC p99 | total p50 | total p99 "
                + "| gap p99 | glued | errors | relay CPU s / 1k |");
        line("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (VariantResult r : results) {
            for (Map.Entry<Scenario, VariantResult.Pair> e : r.scenarios.entrySet()) {
                Scenario s = e.getKey();
                RoundStats d = e.getValue().direct();
                RoundStats x = e.getValue().relay();
                scenarioRow(r.variant.key, s, "direct", d, "", "");
                scenarioRow(r.variant.key, s, "relay", x, fmt(x.rate() / d.rate(), 2) + "x",
                        x.cpuTicks < 0 || x.completed.sum() == 0 ? "n/a"
                                : fmt(1000.0 * x.cpuTicks / ProcStats.clockTicksPerSecond() / x.completed.sum(), 2));
            }
        }
    }

    private void scenarioRow(String variant, Scenario s, String side, RoundStats st, String ratio, String cpu) {
        boolean stream = s.stream();
        line("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |", variant, s.label(), side,
                fmt(st.rate(), 1), ratio,
                stream ? ms(st.ttfcMicros, 50) : "-", stream ? ms(st.ttfcMicros, 99) : "-",
                ms(st.totalMicros, 50), ms(st.totalMicros, 99),
                stream ? ms(st.gapMicros, 99) : "-", stream ? fmt(st.gluedPercent(), 2) + " %" : "-",
                st.errorCount(), cpu);
    }

    /** Start-up, memory, CPU and database writes per variant. */
    void processes(List<VariantResult> results) {
        line("| variant | start-up to ready | Quarkus \"started in\" | RSS idle | RSS peak (VmHWM) | RSS max at c=500 "
                + "| CPU s / 1,000 streamed turns | messages inserts | messages updates | user / assistant rows "
                + "| DB writes / assistant message |");
        line("|---|---|---|---|---|---|---|---|---|---|---|");
        for (VariantResult r : results) {
            line("| %s | %d ms | %s s | %s | %s | %s | %s | %s | %s | %s | %s |", r.variant.label, r.startupMillis,
                    fmt(r.quarkusStartedSeconds, 3), mb(r.rssIdleKb), mb(r.rssHwmKb), mb(rssAt(r, "stream-c500")),
                    fmt(r.cpuSecondsPerThousandStreams(), 2),
                    r.writes == null ? "-" : String.valueOf(r.writes.inserts()),
                    r.writes == null ? "-" : String.valueOf(r.writes.updates()),
                    r.rows == null ? "-" : r.rows.user() + " / " + r.rows.assistant(),
                    r.variant.persists ? fmt(r.writesPerAssistantMessage(), 3) : "-");
        }
    }

    /** Every number behind the tables, one block per variant, scenario and side. */
    void raw(List<VariantResult> results) {
        line("```");
        for (VariantResult r : results) {
            line("variant=%s startup_ms=%d quarkus_started_s=%s rss_idle_kb=%d rss_hwm_kb=%d relay_turns_completed=%d"
                    + " relay_errors=%d cpu_s_per_1k_streams=%s writes=%s rows=%s writes_per_assistant=%s",
                    r.variant.key, r.startupMillis, fmt(r.quarkusStartedSeconds, 3), r.rssIdleKb, r.rssHwmKb,
                    r.relayTurnsCompleted, r.relayErrors, fmt(r.cpuSecondsPerThousandStreams(), 3), r.writes, r.rows,
                    fmt(r.writesPerAssistantMessage(), 4));
            for (Map.Entry<Scenario, VariantResult.Pair> e : r.scenarios.entrySet()) {
                rawSide(r.variant.key, e.getKey(), "direct", e.getValue().direct());
                rawSide(r.variant.key, e.getKey(), "relay", e.getValue().relay());
            }
        }
        line("```");
    }

    void rawSide(String variant, Scenario s, String side, RoundStats st) {
        line("%s %s %s: rounds=%d window_s=%.2f issued=%d completed=%d completed_in_window=%d rate=%.2f/s errors=%s",
                variant, s.key(), side, st.rounds, st.windowSeconds, st.issued.sum(), st.completed.sum(),
                st.completedInWindow.sum(), st.rate(), st.errorsByKind());
        if (s.stream()) {
            line("  ttfc_ms  %s", percentiles(st.ttfcMicros));
            line("  gap_ms   %s", percentiles(st.gapMicros));
            line("  events=%d reads=%d glued=%d (%.3f%%)", st.events.sum(), st.reads.sum(), st.gluedEvents.sum(),
                    st.gluedPercent());
        }
        line("  total_ms %s", percentiles(st.totalMicros));
        if (st.cpuTicks >= 0) {
            line("  relay_cpu_ticks=%d (CLK_TCK=%d) rss_max_kb=%d", st.cpuTicks, ProcStats.clockTicksPerSecond(),
                    st.rssMaxKb);
        }
    }

    static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "n=0";
        }
        return String.format(Locale.ROOT, "n=%d p50=%.3f p90=%.3f p99=%.3f p99.9=%.3f max=%.3f mean=%.3f",
                h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0,
                h.getMean() / 1000.0);
    }

    /**
     * One target: each variant's value, then whether each met it ({@code meets} gives null where
     * the target does not apply to a variant).
     */
    private void row(List<VariantResult> results, String measure, String target,
            Function<VariantResult, String> value, Function<VariantResult, Boolean> meets) {
        StringBuilder b = new StringBuilder("| ").append(measure).append(" | ").append(target).append(" |");
        List<String> met = new ArrayList<>();
        for (Variant v : Variant.values()) {
            VariantResult r = find(results, v);
            b.append(' ').append(r == null ? "not run" : value.apply(r)).append(" |");
            Boolean verdict = r == null ? null : meets.apply(r);
            met.add(r == null ? "not run" : verdict == null ? "-" : yesNo(verdict));
        }
        b.append(' ').append(String.join(" / ", met)).append(" |");
        line(b.toString());
    }

    private static VariantResult find(List<VariantResult> results, Variant v) {
        return results.stream().filter(r -> r.variant == v).findFirst().orElse(null);
    }

    static double addedMs(VariantResult r, String scenario, double percentile) {
        VariantResult.Pair p = r.scenario(scenario);
        return p == null ? Double.NaN
                : RoundStats.ms(p.relay().ttfcMicros, percentile) - RoundStats.ms(p.direct().ttfcMicros, percentile);
    }

    private static String ttfcAdded(VariantResult r, String scenario, double percentile) {
        return fmt(addedMs(r, scenario, percentile), 2);
    }

    static double rateRatio(VariantResult r, String scenario) {
        VariantResult.Pair p = r.scenario(scenario);
        return p == null || p.direct().rate() == 0 ? Double.NaN : p.relay().rate() / p.direct().rate();
    }

    private static String ratio(VariantResult r, String scenario) {
        return fmt(rateRatio(r, scenario), 2) + "x";
    }

    static double gluedDelta(VariantResult r, String scenario) {
        VariantResult.Pair p = r.scenario(scenario);
        return p == null ? Double.NaN : p.relay().gluedPercent() - p.direct().gluedPercent();
    }

    private static String glued(VariantResult r, String scenario) {
        VariantResult.Pair p = r.scenario(scenario);
        return p == null ? "n/a" : fmt(p.direct().gluedPercent(), 2) + " % -> " + fmt(p.relay().gluedPercent(), 2)
                + " % (" + signed(gluedDelta(r, scenario)) + " pt)";
    }

    private static double variantRatio(VariantResult r, VariantResult base, String scenario) {
        VariantResult.Pair p = r.scenario(scenario);
        VariantResult.Pair b = base.scenario(scenario);
        return p == null || b == null || b.relay().rate() == 0 ? Double.NaN : p.relay().rate() / b.relay().rate();
    }

    private static long rssAt(VariantResult r, String scenario) {
        VariantResult.Pair p = r.scenario(scenario);
        return p == null ? -1 : p.relay().rssMaxKb;
    }

    private static String ms(Histogram h, double percentile) {
        return fmt(RoundStats.ms(h, percentile), 2) + " ms";
    }

    static String mb(long kb) {
        return kb < 0 ? "n/a" : fmt(kb / 1024.0, 0) + " MB";
    }

    static String fmt(double value, int decimals) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String signed(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%+.2f", value);
    }

    private static String yesNo(boolean met) {
        return met ? "yes" : "**no**";
    }
}
