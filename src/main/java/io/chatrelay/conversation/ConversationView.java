package io.chatrelay.conversation;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A conversation as the API shows it. */
public record ConversationView(
        UUID id,
        String title,
        String model,
        boolean pinned,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("updated_at") Instant updatedAt) {

    static ConversationView of(ConversationRecord c) {
        return new ConversationView(c.id(), c.title(), c.model(), c.pinned(), c.createdAt(), c.updatedAt());
    }
}
