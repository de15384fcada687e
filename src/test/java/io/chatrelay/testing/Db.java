package io.chatrelay.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Direct JDBC access to the test database, outside the service: what the tests check is
 * what PostgreSQL holds, and PostgreSQL's own statistics count the writes.
 */
public final class Db {

    private Db() {
    }

    public static Connection connect() throws SQLException {
        var config = ConfigProvider.getConfig();
        String url = config.getValue("relay.persistence.db-url", String.class);
        String user = config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres");
        String password = config.getOptionalValue("quarkus.datasource.password", String.class).orElse("");
        return DriverManager.getConnection(url, user, password);
    }

    /** The single number a query returns. */
    public static long number(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rows of a query, each as a list of column values. */
    public static List<List<Object>> rows(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<List<Object>> rows = new ArrayList<>();
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int update(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Messages stored for a session, across all its conversations. */
    public static long messagesOfSession(String session) {
        return number("select count(*) from messages m join conversations c on c.id = m.conversation_id"
                + " where c.session_id = ?", session);
    }

    public static long conversationsOfSession(String session) {
        return number("select count(*) from conversations where session_id = ?", session);
    }

    /**
     * Rows inserted into and updated in {@code messages} since the statistics were reset,
     * as PostgreSQL's cumulative statistics report them (flushed by each backend within
     * about a second of its transaction).
     */
    public static TableWrites messageWrites() {
        try (Connection c = connect()) {
            try (var clear = c.createStatement()) {
                clear.execute("select pg_stat_clear_snapshot()");
            }
            try (PreparedStatement ps = c.prepareStatement("select n_tup_ins, n_tup_upd, n_tup_del"
                    + " from pg_stat_user_tables where schemaname = current_schema() and relname = 'messages'");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new TableWrites(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public record TableWrites(long inserted, long updated, long deleted) {

        public TableWrites minus(TableWrites before) {
            return new TableWrites(inserted - before.inserted, updated - before.updated, deleted - before.deleted);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }
}
