package io.chatrelay.conversation.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.PersistenceException;

import com.fasterxml.jackson.databind.JsonNode;

import io.agroal.api.AgroalDataSource;

/**
 * The inserts on a turn's hot path, each as ONE statement in its own (auto-commit)
 * transaction. For a message, a CTE allocates the next seq on the conversation row (its
 * row lock serialises concurrent turns, the ceiling enforces the message limit, the
 * optional session check enforces ownership) and inserts the message with it; a new
 * conversation is inserted only while its session is under its limit. The ORM path
 * (queries, entity flush, JTA commit) dominated the relay's CPU in the profile; see
 * docs/BENCHMARKS.md. Everything else stays on Panache.
 */
@ApplicationScoped
class TurnInserts {

    private static final String ALLOCATE_AND_INSERT = """
            with allocated as (
                update conversations set last_seq = last_seq + 1, updated_at = ?
                where id = ? and last_seq < ?%s
                returning last_seq)
            insert into messages (id, conversation_id, seq, role, status, content, finish_reason, tool_calls,
                                  usage, response_id, created_at)
            select ?, ?, last_seq, ?, ?, cast(? as jsonb), ?, cast(? as jsonb), cast(? as jsonb), ?, ?
            from allocated
            returning seq""";
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
    private static final String ANY_OWNER = ALLOCATE_AND_INSERT.formatted("");
    private static final String SESSION_OWNER = ALLOCATE_AND_INSERT.formatted(" and session_id = ?");

    /** A message to insert; JSON fields may be null. */
    record NewMessage(UUID id, String role, String status, JsonNode content, String finishReason, JsonNode toolCalls,
            JsonNode usage, String responseId, Instant createdAt) {
    }

    private final Instance<AgroalDataSource> dataSource;

    TurnInserts(Instance<AgroalDataSource> dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Inserts a conversation unless its session already has {@code maxPerSession}.
     *
     * @return whether it was inserted
     */
    boolean insertConversation(UUID id, String sessionId, String title, String model, Instant createdAt,
            int maxPerSession) {
        try (Connection connection = dataSource.get().getConnection();
                PreparedStatement ps = connection.prepareStatement(INSERT_CONVERSATION)) {
            OffsetDateTime at = OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC);
            ps.setObject(1, id);
            ps.setString(2, sessionId);
            ps.setString(3, title);
            ps.setString(4, model);
            ps.setObject(5, at);
            ps.setObject(6, at);
            ps.setString(7, sessionId);
            ps.setInt(8, maxPerSession);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("Conversation insert", e);
        }
    }

    /**
     * Inserts a conversation with {@code first} as its message 1, unless its session already
     * has {@code maxPerSession}: one statement, so one commit, before a new turn's provider call.
     *
     * @return whether it was inserted
     */
    boolean insertConversationWithMessage(UUID id, String sessionId, String model, int maxPerSession,
            NewMessage first) {
        try (Connection connection = dataSource.get().getConnection();
                PreparedStatement ps = connection.prepareStatement(INSERT_CONVERSATION_WITH_MESSAGE)) {
            OffsetDateTime at = OffsetDateTime.ofInstant(first.createdAt(), ZoneOffset.UTC);
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
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("Conversation insert", e);
        }
    }

    /**
     * Inserts the message as the conversation's next seq.
     *
     * @param sessionId the owner to check, or null to skip the check
     * @param ceiling allocation is refused once {@code last_seq} has reached it
     * @return the seq, or empty when the conversation is missing, not the session's, or full
     */
    Optional<Integer> insert(UUID conversationId, String sessionId, int ceiling, NewMessage m) {
        try (Connection connection = dataSource.get().getConnection();
                PreparedStatement ps = connection.prepareStatement(sessionId == null ? ANY_OWNER : SESSION_OWNER)) {
            int i = 1;
            OffsetDateTime at = OffsetDateTime.ofInstant(m.createdAt(), ZoneOffset.UTC);
            ps.setObject(i++, at);
            ps.setObject(i++, conversationId);
            ps.setInt(i++, ceiling);
            if (sessionId != null) {
                ps.setString(i++, sessionId);
            }
            ps.setObject(i++, m.id());
            ps.setObject(i++, conversationId);
            setMessageFields(ps, i, m, at);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getInt(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("Message insert", e);
        }
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

    private static PersistenceException failed(String what, SQLException e) {
        return new PersistenceException(what + " failed, SQL state " + e.getSQLState(), e);
    }

    private static void setJson(PreparedStatement ps, int index, JsonNode value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value.toString());
        }
    }
}
