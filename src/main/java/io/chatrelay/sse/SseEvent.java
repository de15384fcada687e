package io.chatrelay.sse;

import io.vertx.core.buffer.Buffer;

/**
 * One server-sent event: its exact bytes (terminating blank line included) and what a
 * client would read from them.
 *
 * @param raw the bytes as received, forwarded unchanged
 * @param name the {@code event:} field, or null
 * @param data the {@code data:} lines joined by newlines, or null when there are none
 */
public record SseEvent(Buffer raw, String name, String data) {

    public static final String DONE = "[DONE]";

    public boolean isDone() {
        return DONE.equals(data);
    }
}
