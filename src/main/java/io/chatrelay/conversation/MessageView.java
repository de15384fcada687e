package io.chatrelay.conversation;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** A message as the API shows it; absent values are explicit nulls. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MessageView(
        UUID id,
        int seq,
        String role,
        String status,
        JsonNode content,
        @JsonProperty("finish_reason") String finishReason,
        @JsonProperty("tool_calls") JsonNode toolCalls,
        JsonNode usage,
        @JsonProperty("response_id") String responseId,
        @JsonProperty("created_at") Instant createdAt) {

    static MessageView of(MessageRecord m) {
        return new MessageView(m.id(), m.seq(), m.role(), m.status(), m.content(), m.finishReason(), m.toolCalls(),
                m.usage(), m.responseId(), m.createdAt());
    }
}
