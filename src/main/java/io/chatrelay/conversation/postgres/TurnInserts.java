package io.chatrelay.conversation.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.OptionalInt;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.PersistenceException;

import com.fasterxml.jackson.databind.JsonNode;

import io.agroal.api.AgroalDataSource;
import io.chatrelay.session.Owner;

/**
 * The inserts of conversations and messages, which {@link ConversationRepository} builds from
 * its entities: each is ONE statement that inserts one row or none and returns the
 * conversation's last seq after it (for a message, its seq), so that learning the seq costs
 * no round trip of its own. An insert runs alone in auto-commit mode, or is committed
 * together with other turns' inserts by {@link GroupCommit}. For a message, a CTE allocates
 * the next seq on the conversation row, the only place a seq is allocated, drafts included
 * (its row lock serialises concurrent writers, the ceiling enforces the message limit, the
 * optional owner check enforces ownership) and inserts the message with it. A user message
 * reserves room for its turn's answer in the row's {@code answers_pending}, and the answer
 * takes the reservation, so that the ceiling counts the answers of turns still running. A new
 * conversation is inserted only while its owner is under its limit, as counted by
 * {@code owner_has_room} under the owner's advisory lock (V3__limits_under_concurrency.sql,
 * V4__conversation_owner_subject.sql): parallel creations of one owner take turns. The ORM path (queries,
 * entity flush, JTA commit) dominated the relay's CPU in the profile; see docs/BENCHMARKS.md.
 * Everything else stays on Panache.
 */
@ApplicationScoped
class TurnInserts {

    /**
     * The owner check is skipped when its parameters are null: see {@link MessageAdmission}.
     * Idempotent: a message whose id is stored already takes no seq and is not stored again,
     * so that a write retried after a lost commit acknowledgement (see FinalWrites) cannot
     * store a message twice.
     */
    static final String INSERT_MESSAGE = """
            with allocated as (
                update conversations set last_seq = last_seq + 1,
                                         answers_pending = greatest(answers_pending + ?, 0), updated_at = ?
                where id = ? and last_seq + answers_pending < ?
                  and owner_subject = coalesce(?, owner_subject) and session_id = coalesce(?, session_id)
                  and not exists (select 1 from messages where id = ?)
                returning last_seq)
            insert into messages (id, conversation_id, seq, role, status, content, finish_reason, tool_calls,
                                  usage, response_id, created_at)
            select ?, ?, last_seq, ?, ?, cast(? as jsonb), ?, cast(? as jsonb), cast(? as jsonb), ?, ?
            from allocated
            on conflict (id) do nothing
            returning seq""";
    private static final String INSERT_CONVERSATION = """
            insert into conversations (id, owner_subject, session_id, title, model, pinned, last_seq, created_at,
                                       updated_at)
            select ?, ?, ?, ?, ?, false, 0, ?, ?
            where owner_has_room(?, ?, ?, ?)
            returning last_seq""";
    /**
     * A new conversation and its first (user) message, which reserves room for its answer,
     * inserted only while the owner is under its limit.
     */
    private static final String INSERT_CONVERSATION_WITH_MESSAGE = """
            with created as (
                insert into conversations (id, owner_subject, session_id, title, model, pinned, last_seq,
                                           answers_pending, created_at, updated_at)
                select ?, ?, ?, ?, ?, false, 1, 1, ?, ?
                where owner_has_room(?, ?, ?, ?)
                returning id)
            insert into messages (id, conversation_id, seq, role, status, content, finish_reason, tool_calls,
                                  usage, response_id, created_at)
            select ?, id, 1, ?, ?, cast(? as jsonb), ?, cast(? as jsonb), cast(? as jsonb), ?, ?
            from created
            returning seq""";

    /** Binds an insert's parameters. */
    @FunctionalInterface
    interface Parameters {
        void bindTo(PreparedStatement statement) throws SQLException;
    }

    /**
     * One insert with its parameters.
     *
     * @param conversationId the conversation whose row the insert locks or creates
     * @param ownerLock the key of the owner lock the insert takes, or null when it takes none
     */
    record Insert(String sql, UUID conversationId, Integer ownerLock, Parameters parameters) {

        /**
         * Runs it on a connection its caller owns.
         *
         * @return the seq it returned, or empty when no row was inserted
         */
        OptionalInt runOn(Connection connection) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                parameters.bindTo(statement);
                try (ResultSet returned = statement.executeQuery()) {
                    return returned.next() ? OptionalInt.of(returned.getInt(1)) : OptionalInt.empty();
                }
            }
        }
    }

    private final Instance<AgroalDataSource> dataSource;

    TurnInserts(Instance<AgroalDataSource> dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs the insert alone, on a pooled connection in auto-commit mode; see {@link Insert#runOn}. */
    OptionalInt runAlone(Insert insert) {
        try (Connection connection = dataSource.get().getConnection()) {
            return insert.runOn(connection);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** The conversation, with no messages, unless its owner already has {@code maxPerSession}. */
    static Insert conversation(Conversation c, int maxPerSession) {
        int ownerLock = ownerLockKey(c.owner());
        return new Insert(INSERT_CONVERSATION, c.id, ownerLock, ps -> {
            int i = setConversationFields(ps, c);
            setOwnerHasRoom(ps, i, c, maxPerSession, ownerLock);
        });
    }

    /**
     * The conversation with {@code first} as its message 1, unless its owner already has
     * {@code maxPerSession}: one statement before a new turn's provider call.
     */
    static Insert conversationWithMessage(Conversation c, int maxPerSession, Message first) {
        int ownerLock = ownerLockKey(c.owner());
        return new Insert(INSERT_CONVERSATION_WITH_MESSAGE, c.id, ownerLock, ps -> {
            int i = setOwnerHasRoom(ps, setConversationFields(ps, c), c, maxPerSession, ownerLock);
            ps.setObject(i++, first.id);
            setMessageFields(ps, i, first);
        });
    }

    /**
     * The message as its conversation's next seq; nothing is inserted when the conversation
     * is missing or the message fails {@code admission}.
     */
    static Insert message(Message m, MessageAdmission admission) {
        return new Insert(INSERT_MESSAGE, m.conversationId, null, ps -> {
            int i = 1;
            ps.setInt(i++, admission.answerReservations());
            ps.setObject(i++, utc(m.createdAt)); // the conversation's last activity
            ps.setObject(i++, m.conversationId);
            ps.setInt(i++, admission.ceiling());
            ps.setString(i++, admission.owner() == null ? null : admission.owner().subject());
            ps.setString(i++, admission.owner() == null ? null : admission.owner().session());
            ps.setObject(i++, m.id); // not stored yet
            ps.setObject(i++, m.id);
            ps.setObject(i++, m.conversationId);
            setMessageFields(ps, i, m);
        });
    }

    /**
     * The key of an owner's advisory lock. String.hashCode is specified, so every instance and
     * version computes the same key; two owners that share one merely take turns.
     */
    static int ownerLockKey(Owner owner) {
        return owner.key().hashCode();
    }

    /**
     * Binds the arguments of {@code owner_has_room}.
     *
     * @return the index of the next parameter
     */
    private static int setOwnerHasRoom(PreparedStatement ps, int first, Conversation c, int maxPerOwner,
            int ownerLock) throws SQLException {
        int i = first;
        ps.setString(i++, c.subject);
        ps.setString(i++, c.sessionId);
        ps.setInt(i++, maxPerOwner);
        ps.setInt(i++, ownerLock);
        return i;
    }

    /**
     * Binds id to updated_at, the columns both conversation inserts fill in the same order.
     *
     * @return the index of the next parameter
     */
    private static int setConversationFields(PreparedStatement ps, Conversation c) throws SQLException {
        int i = 1;
        ps.setObject(i++, c.id);
        ps.setString(i++, c.subject);
        ps.setString(i++, c.sessionId);
        ps.setString(i++, c.title);
        ps.setString(i++, c.model);
        ps.setObject(i++, utc(c.createdAt));
        ps.setObject(i++, utc(c.updatedAt));
        return i;
    }

    /** Binds role to created_at, the columns both message inserts fill in the same order. */
    private static void setMessageFields(PreparedStatement ps, int first, Message m) throws SQLException {
        int i = first;
        ps.setString(i++, m.role);
        ps.setString(i++, m.status);
        setJson(ps, i++, m.content);
        ps.setString(i++, m.finishReason);
        setJson(ps, i++, m.toolCalls);
        setJson(ps, i++, m.usage);
        ps.setString(i++, m.responseId);
        ps.setObject(i, utc(m.createdAt));
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
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
