package io.chatrelay.conversation.postgres;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.MessageRecord;
import io.chatrelay.conversation.MessageStatus;

/**
 * Row of {@code messages}; see V1__transcript_schema.sql. A new message gets its seq when
 * {@link ConversationRepository} commits it.
 */
@Entity
@Table(name = "messages")
public class Message {

    @Id
    public UUID id;

    @Column(name = "conversation_id", nullable = false)
    public UUID conversationId;

    @Column(nullable = false)
    public int seq;

    @Column(nullable = false, length = 16)
    public String role;

    @Column(nullable = false, length = 16)
    public String status;

    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode content;

    @Column(name = "finish_reason", length = 64)
    public String finishReason;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "tool_calls")
    public JsonNode toolCalls;

    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode usage;

    @Column(name = "response_id")
    public String responseId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** Until when a {@code streaming} draft's instance is known to be alive; null on every other row. */
    @Column(name = "lease_until")
    public Instant leaseUntil;

    /** The user message that opens a turn. */
    static Message user(UUID conversationId, JsonNode content, Instant createdAt) {
        Message m = create(conversationId, "user", MessageStatus.FINAL, createdAt);
        m.content = content;
        return m;
    }

    /** The assistant message that ends a turn, written once: its id is chosen when the turn ends, so a retry keeps it. */
    static Message assistant(UUID conversationId, UUID id, AssistantMessage message, Instant createdAt) {
        Message m = create(conversationId, "assistant", message.status(), createdAt);
        m.id = id;
        m.finish(message);
        return m;
    }

    /** The empty assistant row that the turn's deltas fill in as they arrive (PERSIST_STREAMING_DELTAS). */
    static Message draft(UUID conversationId, Instant createdAt, Instant leaseUntil) {
        Message m = create(conversationId, "assistant", MessageStatus.STREAMING, createdAt);
        m.content = TextNode.valueOf("");
        m.leaseUntil = leaseUntil;
        return m;
    }

    /** Gives the message the final state of its turn. */
    void finish(AssistantMessage message) {
        leaseUntil = null;
        status = message.status();
        content = message.content();
        finishReason = message.finishReason();
        toolCalls = message.toolCalls();
        usage = message.usage();
        responseId = message.responseId();
    }

    private static Message create(UUID conversationId, String role, String status, Instant createdAt) {
        Message m = new Message();
        m.id = UUID.randomUUID();
        m.conversationId = conversationId;
        m.role = role;
        m.status = status;
        m.createdAt = createdAt;
        return m;
    }

    MessageRecord toRecord() {
        return new MessageRecord(id, seq, role, status, content, finishReason, toolCalls, usage, responseId,
                createdAt);
    }
}
