package io.chatrelay.conversation;

import java.time.Instant;
import java.util.UUID;

/** A conversation as every backend returns it. */
public record ConversationRecord(UUID id, String sessionId, String title, String model, boolean pinned,
        int lastSeq, Instant createdAt, Instant updatedAt) {
}
