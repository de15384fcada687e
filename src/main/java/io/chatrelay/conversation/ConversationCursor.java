package io.chatrelay.conversation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.UUID;

import io.chatrelay.error.ApiException;

/**
 * Keyset position in a session's conversation list, ordered by (updated_at desc, id desc).
 * Clients see it as an opaque token.
 */
public record ConversationCursor(Instant updatedAt, UUID id) {

    public static ConversationCursor after(ConversationRecord last) {
        return new ConversationCursor(last.updatedAt(), last.id());
    }

    public String encode() {
        String plain = updatedAt + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    public static ConversationCursor decode(String token) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int bar = plain.indexOf('|');
            if (bar < 0) {
                throw invalid();
            }
            return new ConversationCursor(Instant.parse(plain.substring(0, bar)),
                    UUID.fromString(plain.substring(bar + 1)));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw invalid();
        }
    }

    /** True when a conversation comes after this position in list order. */
    public boolean precedes(ConversationRecord c) {
        int byTime = c.updatedAt().compareTo(updatedAt);
        return byTime < 0 || (byTime == 0 && c.id().compareTo(id) < 0);
    }

    private static ApiException invalid() {
        return ApiException.invalidRequest("invalid_value", "cursor", "cursor is not a valid pagination cursor");
    }
}
