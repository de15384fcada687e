package io.chatrelay.sse;

/**
 * The provider's stream held one event whose bytes passed the bound before its blank line
 * came (MAX_UPSTREAM_EVENT_BYTES). Thrown by {@link SseEventSplitter}; the stream cannot go
 * on, since everything after it would belong to that event. The message is for logs only.
 */
public final class SseEventTooLarge extends RuntimeException {

    public SseEventTooLarge(int maxEventBytes) {
        // No stack trace: the cause is the provider's bytes, not a place in this code.
        super("An SSE event passed " + maxEventBytes + " bytes before its end", null, false, false);
    }
}
