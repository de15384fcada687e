package io.chatrelay.conversation;

import java.util.UUID;
import java.util.regex.Pattern;

import io.chatrelay.error.ApiException;

/** Parses conversation ids strictly: {@link UUID#fromString} alone accepts forms like "1-2-3-4-5". */
public final class ConversationIds {

    private static final Pattern CANONICAL = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private ConversationIds() {
    }

    /** The UUID, or a 400 naming {@code param}. */
    public static UUID parse(String value, String param) {
        if (value == null || !CANONICAL.matcher(value).matches()) {
            throw ApiException.invalidRequest("invalid_value", param, param + " must be a UUID");
        }
        return UUID.fromString(value);
    }
}
