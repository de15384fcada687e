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
 * The two inserts every turn makes, each as ONE statement in its own (auto-commit)
 * transaction: a CTE allocates the next seq on the conversation row (its row lock
 * serialises concurrent turns, the ceiling enforces the message limit, the optional
 * session check enforces ownership) and inserts the message with it. Measured against the
 * ORM path (update, select, insert, JTA commit), this cuts the database CPU of a turn by
 * more than half; see docs/BENCHMARKS.md. Everything else stays on Panache.
 */
@ApplicationScoped
class MessageInserts {

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
    private static final String ANY_OWNER = ALLOCATE_AND_INSERT.formatted("");
    private static final String SESSION_OWNER = ALLOCATE_AND_INSERT.formatted(" and session_id = ?");

    /** A message to insert; JSON fields may be null. */
    record NewMessage(UUID id, String role, String status, JsonNode content, String finishReason, JsonNode toolCalls,
            JsonNode usage, String responseId, Instant createdAt) {
    }

    private final Instance<AgroalDataSource> dataSource;

    MessageInserts(Instance<AgroalDataSource> dataSource) {
        this.dataSource = dataSource;
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
            ps.setString(i++, m.role());
            ps.setString(i++, m.status());
            setJson(ps, i++, m.content());
            ps.setString(i++, m.finishReason());
            setJson(ps, i++, m.toolCalls());
            setJson(ps, i++, m.usage());
            ps.setString(i++, m.responseId());
            ps.setObject(i, at);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getInt(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new PersistenceException("Message insert failed, SQL state " + e.getSQLState(), e);
        }
    }

    private static void setJson(PreparedStatement ps, int index, JsonNode value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value.toString());
        }
    }
}
