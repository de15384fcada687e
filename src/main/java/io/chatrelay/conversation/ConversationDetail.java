package io.chatrelay.conversation;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A conversation with one page of its messages; {@code next_after_seq} is null when no later message exists. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ConversationDetail(
        UUID id,
        String title,
        String model,
        boolean pinned,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("updated_at") Instant updatedAt,
        List<MessageView> messages,
        @JsonProperty("next_after_seq") Integer nextAfterSeq) {

    static ConversationDetail of(ConversationRecord c, List<MessageView> messages, Integer nextAfterSeq) {
        return new ConversationDetail(c.id(), c.title(), c.model(), c.pinned(), c.createdAt(), c.updatedAt(),
                messages, nextAfterSeq);
    }
}
