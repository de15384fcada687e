package io.chatrelay.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The bench's own database, {@code chatrelay_bench}, on the local PostgreSQL: created if missing
 * (from the {@code postgres} maintenance database), emptied before each persisted relay start, and
 * read for PostgreSQL's own write statistics and for the soak's row check. No other database is
 * ever touched.
 *
 * <p>Defaults: 127.0.0.1:5432, user {@code postgres}, no password; override with
 * {@code BENCH_PG_HOST}, {@code BENCH_PG_PORT}, {@code BENCH_PG_USER}, {@code BENCH_PG_PASSWORD}.
 */
final class BenchDatabase {

    static final String NAME = "chatrelay_bench";

    /** Insert and update counters of the {@code messages} table. */
    record Counters(long inserts, long updates) {
        Counters minus(Counters before) {
            return new Counters(inserts - before.inserts, updates - before.updates);
        }
    }

    /** Rows of the {@code messages} table by role. */
    record Rows(long user, long assistant) {
    }

    /** Per conversation: user rows, assistant rows with status final, all rows, and the assistant text. */
    record ConversationRows(int user, int assistantFinal, int total, String assistantText) {
    }

    private final String server;
    private final String user;
    private final String password;

    BenchDatabase() {
        String host = env("BENCH_PG_HOST", "127.0.0.1");
        String port = env("BENCH_PG_PORT", "5432");
        this.server = "jdbc:postgresql://" + host + ":" + port + "/";
        this.user = env("BENCH_PG_USER", "postgres");
        this.password = env("BENCH_PG_PASSWORD", "");
    }

    String jdbcUrl() {
        return server + NAME;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    /** Creates {@code chatrelay_bench} unless it exists. */
    void ensureExists() throws SQLException {
        try (Connection c = connect(server + "postgres");
                PreparedStatement exists = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, NAME);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = c.createStatement()) {
                create.execute("create database " + NAME);
            }
        }
    }

    /**
     * Empties the bench database's schema (the relay's tables and functions, Flyway's history),
     * so that the next relay start runs the migrations, as a fresh deployment would, and counts
     * start from zero. The whole schema, not a list of tables: Flyway refuses to migrate a
     * schema that holds anything without its history, such as a migration's function.
     */
    void resetSchema() throws SQLException {
        try (Connection c = connect(jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("drop schema if exists public cascade");
            s.execute("create schema public");
        }
    }

    /** PostgreSQL's cumulative insert/update counts of {@code messages} (zero while it does not exist). */
    Counters messageCounters() throws SQLException {
        try (Connection c = connect(jdbcUrl()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0)"
                        + " from pg_stat_user_tables where schemaname = 'public' and relname = 'messages'")) {
            rs.next();
            return new Counters(rs.getLong(1), rs.getLong(2));
        }
    }

    /**
     * Waits until the counters have not moved for {@code stableFor} (PostgreSQL publishes a
     * backend's statistics up to ~10 s after its last transaction), at most {@code max}.
     */
    Counters stableMessageCounters(Duration stableFor, Duration max) throws SQLException {
        long deadline = System.nanoTime() + max.toNanos();
        Counters last = messageCounters();
        long since = System.nanoTime();
        while (System.nanoTime() - since < stableFor.toNanos()) {
            if (System.nanoTime() > deadline) {
                System.out.println("  (statistics still moving after " + max.toSeconds() + " s; using the last reading)");
                return last;
            }
            HttpProbe.pause(500);
            Counters now = messageCounters();
            if (!now.equals(last)) {
                last = now;
                since = System.nanoTime();
            }
        }
        return last;
    }

    Rows messageRows() throws SQLException {
        try (Connection c = connect(jdbcUrl()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) filter (where role = 'user'),"
                        + " count(*) filter (where role = 'assistant') from messages")) {
            rs.next();
            return new Rows(rs.getLong(1), rs.getLong(2));
        }
    }

    /** Every conversation's rows, by id (the soak compares them with the turns the client completed). */
    Map<String, ConversationRows> rowsByConversation() throws SQLException {
        Map<String, ConversationRows> rows = new HashMap<>();
        try (Connection c = connect(jdbcUrl())) {
            c.setAutoCommit(false); // lets the driver stream the result with a fetch size
            try (Statement s = c.createStatement()) {
                s.setFetchSize(10_000);
                try (ResultSet rs = s.executeQuery("select conversation_id::text,"
                        + " count(*) filter (where role = 'user'),"
                        + " count(*) filter (where role = 'assistant' and status = 'final'),"
                        + " count(*),"
                        + " max(content #>> '{}') filter (where role = 'assistant')"
                        + " from messages group by conversation_id")) {
                    while (rs.next()) {
                        rows.put(rs.getString(1), new ConversationRows(rs.getInt(2), rs.getInt(3), rs.getInt(4),
                                rs.getString(5)));
                    }
                }
            }
            c.commit();
        }
        return rows;
    }

    private Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
