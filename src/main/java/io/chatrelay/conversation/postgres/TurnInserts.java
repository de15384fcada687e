package io.chatrelay.conversation.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.PersistenceException;

import com.fasterxml.jackson.databind.JsonNode;

import io.agroal.api.AgroalDataSource;

/**
 * The inserts on a turn's hot path, each ONE statement that inserts one row or none: run
 * alone in auto-commit mode, or committed together with other turns' inserts by
 * {@link GroupCommit}. For a message, a CTE allocates the next seq on the conversation row (its
 * row lock serialises concurrent turns, the ceiling enforces the message limit, the optional
 * session check enforces ownership) and inserts the message with it; a new conversation is
 * inserted only while its session is under its limit. The ORM path (queries, entity flush, JTA
 * commit) dominated the relay's CPU in the profile; see docs/BENCHMARKS.md. Everything else
 * stays on Panache.
 */
@ApplicationScoped
class TurnInserts {

    /** The session check is skipped when its parameter is null (the assistant message). */
    static final String INSERT_MESSAGE = """
            with allocated as (
                update conversations set last_seq = last_seq + 1, updated_at = ?
                where id = ? and last_seq < ? and session_id = coalesce(?, session_id)
                returning last_seq)
            insert into messages (id, conversation_id, seq, role, status, content, finish_reason, tool_calls,
                                  usage, response_id, created_at)
            select ?, ?, last_seq, ?, ?, cast(? as jsonb), ?, cast(? as jsonb), cast(? as jsonb), ?, ?
            from allocated""";
    private static final String INSERT_CONVERSATION = """
            insert into conversations (id, session_id, title, model, pinned, last_seq, created_at, updated_at)
            select ?, ?, ?, ?, false, 0, ?, ?
            where (select count(*) from conversations where session_id = ?) < ?""";
    /** A new conversation and its first (user) message, inserted only while the session is under its limit. */
    private static final String INSERT_CONVERSATION_WITH_MESSAGE = """
            with created as (
                insert into conversations (id, session_id, title, model, pinned, last_seq, created_at, updated_at)
                select ?, ?, null, ?, false, 1, ?, ?
                where (select count(*) from conversations where session_id = ?) < ?
                returning id)
            insert into messages (id, conversation_id, seq, role, status, content, finish_reason, tool_calls,
                                  usage, response_id, created_at)
            select ?, id, 1, ?, ?, cast(? as jsonb), ?, cast(? as jsonb), cast(? as jsonb), ?, ?
            from created""";
    private static final String SEQ_OF_MESSAGE = "select seq from messages where id = ?";

    /** A message to insert; JSON fields may be null. */
    record NewMessage(UUID id, String role, String status, JsonNode content, String finishReason, JsonNode toolCalls,
            JsonNode usage, String responseId, Instant createdAt) {
    }

    /** Binds an insert's parameters. */
    @FunctionalInterface
    interface Parameters {
        void bindTo(PreparedStatement statement) throws SQLException;
    }

    /**
     * One insert with its parameters.
     *
     * @param conversationId the conversation whose row the insert locks or creates
     */
    record Insert(String sql, UUID conversationId, Parameters parameters) {

        /** Runs it on a connection its caller owns; true when the row was inserted. */
        boolean runOn(Connection connection) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                parameters.bindTo(statement);
                return statement.executeUpdate() == 1;
            }
        }
    }

    private final Instance<AgroalDataSource> dataSource;

    TurnInserts(Instance<AgroalDataSource> dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs the insert alone, on a pooled connection in auto-commit mode; true when the row was inserted. */
    boolean runAlone(Insert insert) {
        try (Connection connection = dataSource.get().getConnection()) {
            return insert.runOn(connection);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** The seq a message was given. */
    int seqOf(UUID messageId) {
        try (Connection connection = dataSource.get().getConnection();
                PreparedStatement statement = connection.prepareStatement(SEQ_OF_MESSAGE)) {
            statement.setObject(1, messageId);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    throw new PersistenceException("Message " + messageId + " is gone");
                }
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** A conversation, unless its session already has {@code maxPerSession}. */
    static Insert conversation(UUID id, String sessionId, String title, String model, Instant createdAt,
            int maxPerSession) {
        OffsetDateTime at = OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC);
        return new Insert(INSERT_CONVERSATION, id, ps -> {
            ps.setObject(1, id);
            ps.setString(2, sessionId);
            ps.setString(3, title);
            ps.setString(4, model);
            ps.setObject(5, at);
            ps.setObject(6, at);
            ps.setString(7, sessionId);
            ps.setInt(8, maxPerSession);
        });
    }

    /**
     * A conversation with {@code first} as its message 1, unless its session already has
     * {@code maxPerSession}: one statement before a new turn's provider call.
     */
    static Insert conversationWithMessage(UUID id, String sessionId, String model, int maxPerSession,
            NewMessage first) {
        OffsetDateTime at = OffsetDateTime.ofInstant(first.createdAt(), ZoneOffset.UTC);
        return new Insert(INSERT_CONVERSATION_WITH_MESSAGE, id, ps -> {
            int i = 1;
            ps.setObject(i++, id);
            ps.setString(i++, sessionId);
            ps.setString(i++, model);
            ps.setObject(i++, at);
            ps.setObject(i++, at);
            ps.setString(i++, sessionId);
            ps.setInt(i++, maxPerSession);
            ps.setObject(i++, first.id());
            setMessageFields(ps, i, first, at);
        });
    }

    /**
     * The message as the conversation's next seq; nothing is inserted when the conversation
     * is missing, not the session's, or full.
     *
     * @param sessionId the owner to check, or null to skip the check
     * @param ceiling allocation is refused once {@code last_seq} has reached it
     */
    static Insert message(UUID conversationId, String sessionId, int ceiling, NewMessage m) {
        OffsetDateTime at = OffsetDateTime.ofInstant(m.createdAt(), ZoneOffset.UTC);
        return new Insert(INSERT_MESSAGE, conversationId, ps -> {
            int i = 1;
            ps.setObject(i++, at);
            ps.setObject(i++, conversationId);
            ps.setInt(i++, ceiling);
            ps.setString(i++, sessionId);
            ps.setObject(i++, m.id());
            ps.setObject(i++, conversationId);
            setMessageFields(ps, i, m, at);
        });
    }

    /** Binds role to created_at, the columns both message inserts fill in the same order. */
    private static void setMessageFields(PreparedStatement ps, int first, NewMessage m, OffsetDateTime at)
            throws SQLException {
        int i = first;
        ps.setString(i++, m.role());
        ps.setString(i++, m.status());
        setJson(ps, i++, m.content());
        ps.setString(i++, m.finishReason());
        setJson(ps, i++, m.toolCalls());
        setJson(ps, i++, m.usage());
        ps.setString(i++, m.responseId());
        ps.setObject(i, at);
    }

    /** The SQL state names the failure; the message may quote SQL or content. */
    static PersistenceException failed(SQLException e) {
        return new PersistenceException("Insert failed, SQL state " + e.getSQLState(), e);
    }

    private static void setJson(PreparedStatement ps, int index, JsonNode value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value.toString());
        }
    }
}
