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

import io.chatrelay.conversation.MessageRecord;

/** Row of {@code messages}; see V1__transcript_schema.sql. */
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

    MessageRecord toRecord() {
        return new MessageRecord(id, seq, role, status, content, finishReason, toolCalls, usage, responseId,
                createdAt);
    }
}
