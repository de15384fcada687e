package io.chatrelay.conversation;

import java.time.Instant;
import java.util.UUID;

import io.chatrelay.session.Owner;

/** A conversation as every backend returns it. */
public record ConversationRecord(UUID id, Owner owner, String title, String model, boolean pinned,
        int lastSeq, Instant createdAt, Instant updatedAt) {
}
