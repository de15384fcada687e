package io.chatrelay.bench;

import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;

/**
 * Follows one streamed response as its bytes arrive: finds the SSE events (blank-line
 * terminated), notes when each completes, and which network read completed it.
 *
 * <p>An event counts where its terminating blank line arrives. Per event it records into
 * {@link RoundStats}: the time to the first {@code data:} event (time to first chunk), the gap
 * to the previous event, and whether the event was completed in the same network read as the
 * previous one (glued: events beyond the first in a read). It remembers whether
 * {@code data: [DONE]} arrived and whether an in-band {@code data: {"error"...}} did. Only
 * {@code \n\n} terminates an event, which is what the mock sends and the relay forwards.
 * Confined to the connection's event loop, so it needs no locking.
 */
final class SseObserver {

    private static final byte[] DONE = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "data: {\"error\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
    private static final int PREFIX = 16;

    private final RoundStats stats;
    private final long startNanos;
    private final byte[] prefix = new byte[PREFIX];
    private int prefixLength;
    private boolean lastWasNewline;
    private long lastEventNanos = -1;
    private long currentRead = -1;
    private int eventsInCurrentRead;
    private int dataEvents;
    private boolean done;
    private boolean inBandError;

    SseObserver(RoundStats stats, long startNanos) {
        this.stats = stats;
        this.startNanos = startNanos;
    }

    /** Feeds one body buffer that arrived at {@code nanos} in network read number {@code read}. */
    void onBuffer(Buffer buffer, long nanos, long read) {
        int length = buffer.length();
        for (int i = 0; i < length; i++) {
            byte b = buffer.getByte(i);
            if (b == '\n' && lastWasNewline) {
                onEvent(nanos, read);
                prefixLength = 0;
                lastWasNewline = false;
                continue;
            }
            lastWasNewline = b == '\n';
            if (prefixLength < PREFIX) {
                prefix[prefixLength++] = b;
            }
        }
    }

    private void onEvent(long nanos, long read) {
        if (prefixLength == 0) {
            return; // stray blank line, not an event
        }
        stats.events.increment();
        if (read >= 0) {
            if (read == currentRead) {
                eventsInCurrentRead++;
                stats.gluedEvents.increment();
            } else {
                currentRead = read;
                eventsInCurrentRead = 1;
                stats.reads.increment();
            }
        }
        if (lastEventNanos >= 0) {
            stats.gapMicros.recordValue(micros(nanos - lastEventNanos));
        }
        lastEventNanos = nanos;
        if (startsWith(DATA)) {
            if (dataEvents++ == 0) {
                stats.ttfcMicros.recordValue(micros(nanos - startNanos));
            }
            if (startsWith(DONE)) {
                done = true;
            } else if (startsWith(ERROR)) {
                inBandError = true;
            }
        }
    }

    private boolean startsWith(byte[] expected) {
        if (prefixLength < expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (prefix[i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    boolean done() {
        return done;
    }

    boolean inBandError() {
        return inBandError;
    }

    int dataEvents() {
        return dataEvents;
    }

    static long micros(long nanos) {
        return Math.max(0, nanos / 1_000);
    }
}
