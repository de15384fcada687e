package io.chatrelay.conversation;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One page of a session's conversations; {@code next_cursor} is null exactly on the last page. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ConversationPage(List<ConversationView> items, @JsonProperty("next_cursor") String nextCursor) {
}
