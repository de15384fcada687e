package io.chatrelay.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Soak: {@code concurrency} streamed turns at a time on persisted conversations (one new session,
 * hence one new conversation, per turn) through the PostgreSQL variant for {@code duration}; then
 * every turn the client completed ({@code data: [DONE]} seen) must have exactly its two rows, the
 * user message and the final assistant message with the whole streamed text. Lost or duplicated
 * rows fail the soak.
 */
final class SoakTest {

    private final Path repo;
    private final Path logDir;
    private final BenchDatabase database;

    SoakTest(Path repo, Path logDir, BenchDatabase database) {
        this.repo = repo;
        this.logDir = logDir;
        this.database = database;
    }

    /** Runs the soak, prints the report, and returns true on PASS. */
    boolean run(int concurrency, Duration duration, int chunks, int intervalMs, Report report) throws Exception {
        database.ensureExists();
        database.resetSchema();
        RoundStats stats;
        try (MockProcess mock = MockProcess.start(logDir, chunks, intervalMs);
                LoadGenerator load = new LoadGenerator(2, concurrency + 100);
                RelayProcess relay = RelayProcess.start(repo, logDir, Variant.POSTGRES, mock.baseUrl(), database)) {
            System.out.printf("relay ready after %d ms; soaking: %d concurrent streamed turns for %s%n",
                    relay.startupMillis(), concurrency, Comparison.seconds(duration));
            Comparison runner = new Comparison(repo, logDir, mock, database, load);
            stats = runner.runRound(new LoadGenerator.Round("relay", relay.port(), true, concurrency, duration,
                    Long.MAX_VALUE, "soak", true, Duration.ofSeconds(40)), relay.pid());
        }
        // Every completed turn was committed before its [DONE] was sent; the relay is stopped anyway.
        Map<String, BenchDatabase.ConversationRows> rows = database.rowsByConversation();
        String expectedText = "tok ".repeat(chunks);
        long completed = stats.completed.sum();
        long lost = 0;
        long duplicated = 0;
        long wrongText = 0;
        long repeatedIds = 0;
        Set<String> seen = new HashSet<>();
        for (String id : stats.conversationIds) {
            if (!seen.add(id)) {
                repeatedIds++;
                continue;
            }
            BenchDatabase.ConversationRows r = rows.get(id);
            if (r == null) {
                lost += 2;
                continue;
            }
            if (r.total() > 2 || r.user() > 1 || r.assistantFinal() > 1) {
                duplicated++;
            }
            if (r.user() < 1 || r.assistantFinal() < 1) {
                lost++;
            }
            if (r.assistantFinal() == 1 && !expectedText.equals(r.assistantText())) {
                wrongText++;
            }
        }
        long others = rows.keySet().stream().filter(id -> !seen.contains(id)).count();
        boolean pass = completed > 0 && lost == 0 && duplicated == 0 && wrongText == 0 && repeatedIds == 0
                && stats.missingConversationId.sum() == 0 && seen.size() == completed;

        report.line("## Soak: %d concurrent streamed turns for %s through %s", concurrency,
                Comparison.seconds(duration), Variant.POSTGRES.label).line("");
        report.line("| measure | value |").line("|---|---|");
        report.line("| turns completed (client saw [DONE]) | %d |", completed);
        report.line("| turns failed (client side) | %d %s |", stats.errorCount(),
                stats.errorCount() == 0 ? "" : stats.errorsByKind().toString());
        report.line("| streams/s | %s |", Report.fmt(stats.rate(), 1));
        report.line("| TTFC p50 / p99 | %s / %s ms |", Report.fmt(RoundStats.ms(stats.ttfcMicros, 50), 2),
                Report.fmt(RoundStats.ms(stats.ttfcMicros, 99), 2));
        report.line("| glued events | %s %% |", Report.fmt(stats.gluedPercent(), 2));
        report.line("| relay RSS max | %s |", Report.mb(stats.rssMaxKb));
        report.line("| conversations in the database | %d (%d of turns the client did not complete) |", rows.size(),
                others);
        report.line("| completed turns without a conversation id | %d |", stats.missingConversationId.sum());
        report.line("| completed turns with rows missing | %d |", lost);
        report.line("| completed turns with rows duplicated | %d |", duplicated);
        report.line("| completed turns whose stored text differs from the stream | %d |", wrongText);
        report.line("| result | %s |", pass ? "PASS" : "FAIL").line("");
        report.line("```");
        report.rawSide("pg", Scenario.stream(concurrency, duration), "relay", stats);
        report.line("```");
        return pass;
    }
}
