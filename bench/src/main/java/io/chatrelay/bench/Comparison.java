package io.chatrelay.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures one relay variant against the mock, side by side and interleaved: for every scenario,
 * {@code rounds} short rounds on each side, alternating, and the side that goes first alternating
 * from round to round, so that drift of the machine (other load, JIT, the page cache) falls on
 * both sides alike. Rounds of one side are then merged.
 *
 * <p>The relay is started fresh for the variant (start-up timed), idles a second (idle RSS), gets
 * an unrecorded warm-up of every scenario (connection pools, and above all the JIT: a fresh relay
 * spends more CPU compiling than relaying for its first minute or so under load, see
 * docs/BENCHMARKS.md), is measured, and is stopped; with persistence its database counters are
 * read once PostgreSQL's statistics have settled.
 */
final class Comparison {

    private static final Duration DRAIN = Duration.ofSeconds(40);
    /** The mock and the load generator are small programs: their code is hot within seconds. */
    private static final Duration DIRECT_WARMUP = Duration.ofSeconds(3);
    private static final Duration STATS_STABLE = Duration.ofSeconds(11);
    private static final Duration STATS_MAX_WAIT = Duration.ofSeconds(90);

    private final Path repo;
    private final Path logDir;
    private final MockProcess mock;
    private final BenchDatabase database;
    private final LoadGenerator load;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rss-sampler");
        t.setDaemon(true);
        return t;
    });

    Comparison(Path repo, Path logDir, MockProcess mock, BenchDatabase database, LoadGenerator load) {
        this.repo = repo;
        this.logDir = logDir;
        this.mock = mock;
        this.database = database;
        this.load = load;
    }

    VariantResult measure(Variant variant, List<Scenario> scenarios, int rounds, Duration warmup) throws Exception {
        VariantResult result = new VariantResult(variant);
        if (variant.persists) {
            database.resetSchema();
        }
        System.out.printf("%n== %s: starting the relay%n", variant.label);
        BenchDatabase.Counters before = null;
        try (RelayProcess relay = RelayProcess.start(repo, logDir, variant, mock.baseUrl(), database)) {
            result.startupMillis = relay.startupMillis();
            result.quarkusStartedSeconds = relay.quarkusStartedSeconds();
            System.out.printf("   ready after %d ms (pid %d, log %s)%n", relay.startupMillis(), relay.pid(),
                    repo.relativize(relay.log()));
            if (variant.persists) {
                before = database.messageCounters();
            }
            HttpProbe.pause(1000);
            result.rssIdleKb = ProcStats.rssKb(relay.pid());

            if (!warmup.isZero()) {
                Duration directWarmup = warmup.compareTo(DIRECT_WARMUP) < 0 ? warmup : DIRECT_WARMUP;
                for (Scenario scenario : scenarios) {
                    run(scenario.lasting(directWarmup), "direct", mock.port(), null, -1);
                    RoundStats warm = run(scenario.lasting(warmup), "relay", relay.port(),
                            "bench-" + variant.key + "-warmup", -1);
                    result.relayTurnsCompleted += warm.completed.sum();
                    result.relayErrors += warm.errorCount();
                }
                System.out.printf("   warm-up done (%s per scenario through the relay, %s direct)%n", seconds(warmup),
                        seconds(directWarmup));
            }

            for (Scenario scenario : scenarios) {
                RoundStats direct = null;
                RoundStats relayed = null;
                for (int round = 1; round <= rounds; round++) {
                    boolean directFirst = round % 2 == 1;
                    for (int side = 0; side < 2; side++) {
                        boolean isDirect = (side == 0) == directFirst;
                        RoundStats stats = isDirect
                                ? run(scenario, "direct", mock.port(), null, -1)
                                : run(scenario, "relay", relay.port(), "bench-" + variant.key, relay.pid());
                        printRound(variant, scenario, round, rounds, isDirect ? "direct" : "relay ", stats);
                        if (isDirect) {
                            direct = direct == null ? stats : direct.plus(stats);
                        } else {
                            result.relayTurnsCompleted += stats.completed.sum();
                            result.relayErrors += stats.errorCount();
                            relayed = relayed == null ? stats : relayed.plus(stats);
                        }
                    }
                    if (!relay.alive()) {
                        throw new IllegalStateException("the relay exited (status " + relay.exitStatus()
                                + (relay.exitStatus() == 143 ? ", SIGTERM from outside the bench" : "")
                                + ") during the run; see " + repo.relativize(relay.log()));
                    }
                }
                result.scenarios.put(scenario, new VariantResult.Pair(direct, relayed));
            }
            result.rssHwmKb = ProcStats.sample(relay.pid()).hwmKb();
            System.out.printf("   stopping the relay%n");
        }
        if (variant.persists) {
            System.out.printf("   waiting until PostgreSQL's statistics for messages are stable for %d s%n",
                    STATS_STABLE.toSeconds());
            result.writes = database.stableMessageCounters(STATS_STABLE, STATS_MAX_WAIT).minus(before);
            result.rows = database.messageRows();
            System.out.printf("   messages: %d inserts, %d updates; rows: %d user, %d assistant%n",
                    result.writes.inserts(), result.writes.updates(), result.rows.user(), result.rows.assistant());
        }
        return result;
    }

    /** One round on one side; for the relay ({@code pid} >= 0) also its CPU time and highest RSS. */
    RoundStats run(Scenario scenario, String side, int port, String sessionPrefix, long pid) throws Exception {
        LoadGenerator.Round round = new LoadGenerator.Round(side, port, scenario.stream(), scenario.concurrency(),
                scenario.roundDuration(), scenario.maxRequests(), sessionPrefix, false, DRAIN);
        return runRound(round, pid);
    }

    RoundStats runRound(LoadGenerator.Round round, long pid) throws Exception {
        long cpuBefore = pid >= 0 ? ProcStats.sample(pid).cpuTicks() : -1;
        AtomicLong rssMax = new AtomicLong(-1);
        ScheduledFuture<?> sampling = pid < 0 ? null : sampler.scheduleAtFixedRate(
                () -> rssMax.accumulateAndGet(ProcStats.rssKb(pid), Math::max), 0, 100, TimeUnit.MILLISECONDS);
        RoundStats stats;
        try {
            stats = load.run(round).get(round.duration().plus(round.drainTimeout()).toSeconds() + 30, TimeUnit.SECONDS);
        } finally {
            if (sampling != null) {
                sampling.cancel(false);
            }
        }
        if (pid >= 0) {
            long cpuAfter = ProcStats.sample(pid).cpuTicks();
            stats.cpuTicks = cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore;
            stats.rssMaxKb = Math.max(rssMax.get(), ProcStats.rssKb(pid));
        }
        return stats;
    }

    private static void printRound(Variant variant, Scenario scenario, int round, int rounds, String side,
            RoundStats s) {
        List<String> parts = new ArrayList<>();
        parts.add(String.format(Locale.ROOT, "%8.1f/s", s.rate()));
        if (scenario.stream()) {
            parts.add(String.format(Locale.ROOT, "ttfc p50 %.2f p99 %.2f ms", RoundStats.ms(s.ttfcMicros, 50),
                    RoundStats.ms(s.ttfcMicros, 99)));
            parts.add(String.format(Locale.ROOT, "glued %.2f%%", s.gluedPercent()));
        }
        parts.add(String.format(Locale.ROOT, "total p50 %.2f p99 %.2f ms", RoundStats.ms(s.totalMicros, 50),
                RoundStats.ms(s.totalMicros, 99)));
        parts.add("done " + s.completed.sum());
        parts.add("errors " + s.errorCount() + (s.errorCount() > 0 ? " " + s.errorsByKind() : ""));
        if (s.cpuTicks >= 0) {
            parts.add("cpu " + s.cpuTicks + " ticks");
        }
        System.out.printf("   [%s] %-12s round %d/%d %s %s%n", variant.key, scenario.label(), round, rounds, side,
                String.join(", ", parts));
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
