package io.chatrelay.conversation;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/** A stored message as every backend returns it; JSON fields keep the shape they were sent in. */
public record MessageRecord(UUID id, int seq, String role, String status, JsonNode content,
        String finishReason, JsonNode toolCalls, JsonNode usage, String responseId, Instant createdAt) {
}
