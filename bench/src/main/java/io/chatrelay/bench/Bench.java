package io.chatrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Entry point of the benchmark harness (issue 5). Modes:
 * <ul>
 * <li>default: the full comparison. The mock streams 20 chunks 10 ms apart; for each relay variant
 * (persistence off, PostgreSQL, PostgreSQL + streaming deltas) the scenarios stream c=1, c=50,
 * c=500 and JSON c=50 run interleaved with the same scenarios direct to the mock, 3 rounds each;
 * then the targets, the per-scenario table, the process table and the raw numbers are printed.</li>
 * <li>{@code --smoke}: seconds long, for CI: mock with 5 chunks 5 ms apart, direct and the
 * PostgreSQL relay only, c=2, one tiny round each; asserts only the write budget (messages
 * inserts == 2 x completed turns, no updates). No timing is asserted.</li>
 * <li>{@code --soak}: 500 concurrent streamed turns for 60 s through the PostgreSQL relay, then
 * checks that every completed turn has exactly its two rows.</li>
 * </ul>
 * Options: {@code --repo <dir>} (default: the working directory), {@code --rounds <n>},
 * {@code --warmup <seconds>} (per scenario through the relay before it is measured, default 15),
 * {@code --variants off,pg,deltas}. Exit status 0 on success, 1 on a failed assertion, 2 on error.
 * Child processes are always stopped (see {@link ProcessSupervisor}).
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] argv) {
        int status;
        try {
            status = run(Args.parse(argv));
        } catch (Exception e) {
            System.err.println("bench failed: " + e.getMessage());
            e.printStackTrace();
            status = 2;
        }
        System.out.flush();
        System.exit(status); // the shutdown hook stops whatever child is still running
    }

    private static int run(Args args) throws Exception {
        Path repo = Path.of(args.value("repo", ".")).toAbsolutePath().normalize();
        String mode = args.flag("smoke") ? "smoke" : args.flag("soak") ? "soak" : "full";
        Path outDir = repo.resolve("bench/target/" + mode);
        Path logDir = outDir.resolve("logs");
        Files.createDirectories(logDir);
        BenchDatabase database = new BenchDatabase();
        database.ensureExists();

        Report report = new Report();
        header(report, mode, repo);
        int status = switch (mode) {
            case "smoke" -> smoke(repo, logDir, database, report);
            case "soak" -> new SoakTest(repo, logDir, database).run(500, Duration.ofSeconds(60), 20, 10, report) ? 0 : 1;
            default -> full(repo, logDir, database, report, args.intValue("rounds", 3),
                    Duration.ofMillis((long) (1000 * Double.parseDouble(args.value("warmup", "15")))),
                    variants(args.value("variants", "off,pg,deltas")));
        };
        Path reportFile = outDir.resolve("report.md");
        Files.writeString(reportFile, report.text());
        System.out.println();
        System.out.println(report.text());
        System.out.println("(report also written to " + repo.relativize(reportFile) + ")");
        return status;
    }

    private static int full(Path repo, Path logDir, BenchDatabase database, Report report, int rounds,
            Duration warmup, List<Variant> variants) throws Exception {
        List<Scenario> scenarios = List.of(
                Scenario.stream(1, Duration.ofSeconds(3)),
                Scenario.stream(50, Duration.ofSeconds(3)),
                Scenario.stream(500, Duration.ofSeconds(4)),
                Scenario.json(50, Duration.ofSeconds(2)));
        List<VariantResult> results = new ArrayList<>();
        try (MockProcess mock = MockProcess.start(logDir, 20, 10); LoadGenerator load = new LoadGenerator(2, 1024)) {
            Comparison comparison = new Comparison(repo, logDir, mock, database, load);
            for (Variant variant : variants) {
                results.add(comparison.measure(variant, scenarios, rounds, warmup));
            }
        }
        report.line("Mock: 20 chunks 10 ms apart (+ stop chunk + [DONE], each its own write); %d interleaved rounds"
                + " per side and scenario (stream c=1 and c=50: 3 s, c=500: 4 s, JSON c=50: 2 s), after a warm-up"
                + " of each (%s through the relay, up to 3 s direct).", rounds, Comparison.seconds(warmup)).line("");
        report.line("### Targets (issue 5)").line("");
        report.targets(results);
        report.line("").line("### Scenarios (direct = load generator -> mock; relay = load generator -> chat-relay -> mock)")
                .line("");
        report.scenarios(results);
        report.line("").line("### Processes").line("");
        report.processes(results);
        report.line("").line("### Raw numbers").line("");
        report.raw(results);
        return 0;
    }

    private static int smoke(Path repo, Path logDir, BenchDatabase database, Report report) throws Exception {
        List<Scenario> scenarios = List.of(
                Scenario.stream(2, Duration.ofSeconds(10)).limitedTo(10),
                Scenario.json(2, Duration.ofSeconds(10)).limitedTo(10));
        VariantResult result;
        try (MockProcess mock = MockProcess.start(logDir, 5, 5); LoadGenerator load = new LoadGenerator(1, 16)) {
            result = new Comparison(repo, logDir, mock, database, load)
                    .measure(Variant.POSTGRES, scenarios, 1, Duration.ZERO);
        }
        List<VariantResult> results = List.of(result);
        report.line("Mock: 5 chunks 5 ms apart; one round of 10 requests per side and scenario. Smoke only:"
                + " timings here mean nothing.").line("");
        report.scenarios(results);
        report.line("");
        report.processes(results);
        report.line("");
        report.raw(results);

        long turns = result.relayTurnsCompleted;
        long inserts = result.writes.inserts();
        long updates = result.writes.updates();
        boolean pass = turns > 0 && result.relayErrors == 0 && inserts == 2 * turns && updates == 0;
        report.line("").line("Write budget: %d turns completed through the relay, messages inserts %d (expected %d),"
                + " updates %d (expected 0), relay errors %d: %s", turns, inserts, 2 * turns, updates,
                result.relayErrors, pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }

    private static List<Variant> variants(String list) {
        List<Variant> chosen = new ArrayList<>();
        for (String key : list.split(",")) {
            chosen.add(Arrays.stream(Variant.values()).filter(v -> v.key.equals(key.trim())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown variant " + key + " (off, pg, deltas)")));
        }
        return chosen;
    }

    private static void header(Report report, String mode, Path repo) {
        report.line("## chat-relay bench, %s mode, %s", mode,
                ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT))).line("");
        report.line("Machine: %d CPUs, %s RAM, %s; Java %s (%s); load average at start %s; everything on 127.0.0.1.",
                Runtime.getRuntime().availableProcessors(), memTotal(), kernel(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), loadAverage()).line("");
        String extra = System.getenv("RELAY_JAVA_OPTS");
        report.line("Relay JVM: the options of `%s`%s%s.", RelayProcess.JVM_OPTIONS,
                Files.isRegularFile(repo.resolve(RelayProcess.AOT_CACHE)) ? ", the AOT cache trained by bench/run.sh"
                        : ", no AOT cache",
                extra == null || extra.isBlank() ? "" : ", then RELAY_JAVA_OPTS `" + extra.trim() + "`").line("");
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }

    private static String kernel() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
