package io.chatrelay.sse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.vertx.core.buffer.Buffer;

/**
 * Cuts a {@code text/event-stream} body into events, whatever the network chunking. It
 * never rewrites bytes: each event is a slice of what arrived. Line ends may be CRLF, LF
 * or CR, as the SSE specification allows. One instance per stream; not thread-safe.
 *
 * <p>The bytes of an event still waiting for its blank line are bounded: a provider that
 * never ends an event would otherwise grow them until the heap is gone. The bound is checked
 * once per chunk, on what is left after the complete events, so nothing more than the bound
 * plus one network chunk is ever held.
 */
public final class SseEventSplitter {

    private final int maxEventBytes;
    private Buffer pending = Buffer.buffer();
    private int scanFrom;

    /** {@code maxEventBytes}: the most bytes one unfinished event may hold. */
    public SseEventSplitter(int maxEventBytes) {
        if (maxEventBytes < 1) {
            throw new IllegalArgumentException("maxEventBytes must be at least 1, got " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * Adds a chunk and returns the events it completed, in order.
     *
     * @throws SseEventTooLarge when the unfinished event left over passes the bound; the
     *         splitter then holds nothing and must not be used again
     */
    public List<SseEvent> accept(Buffer chunk) {
        pending = pending.length() == 0 ? chunk : pending.appendBuffer(chunk);
        List<SseEvent> events = new ArrayList<>(2);
        int start = 0;
        int end;
        while ((end = endOfEvent(pending, Math.max(start, scanFrom))) > 0) {
            events.add(parse(pending.slice(start, end)));
            start = end;
            scanFrom = start;
        }
        if (start > 0) {
            pending = start == pending.length() ? Buffer.buffer() : pending.getBuffer(start, pending.length());
            scanFrom = 0;
        }
        // An event that completed in this chunk leaves a remainder shorter than the chunk, so
        // with a bound above the network chunk size (8 KiB) only an event begun before this
        // chunk can pass it, and no complete event is lost by failing here.
        if (pending.length() > maxEventBytes) {
            pending = Buffer.buffer(); // let the heap have it back at once
            throw new SseEventTooLarge(maxEventBytes);
        }
        // Resume scanning a little before the end: a line end may span two chunks.
        scanFrom = Math.max(0, pending.length() - 3);
        return events;
    }

    /** Whether no bytes of an unfinished event are waiting. */
    public boolean isEmpty() {
        return pending.length() == 0;
    }

    /** Bytes left over when the stream ended without a closing blank line, as a last event. */
    public List<SseEvent> finish() {
        if (pending.length() == 0) {
            return List.of();
        }
        SseEvent last = parse(pending);
        pending = Buffer.buffer();
        return List.of(last);
    }

    /** Index just past the blank line that ends the first event at or after {@code from}, or -1. */
    private static int endOfEvent(Buffer b, int from) {
        int n = b.length();
        for (int i = from; i < n; i++) {
            byte c = b.getByte(i);
            if (c != '\n' && c != '\r') {
                continue;
            }
            int next = i + 1;
            if (c == '\r' && next < n && b.getByte(next) == '\n') {
                next++;
            } else if (c == '\r' && next == n) {
                return -1; // a CR at the very end may be the first half of a CRLF
            }
            if (next >= n) {
                return -1;
            }
            byte d = b.getByte(next);
            if (d == '\n') {
                return next + 1;
            }
            if (d == '\r') {
                if (next + 1 < n && b.getByte(next + 1) == '\n') {
                    return next + 2;
                }
                return next + 1 < n ? next + 1 : -1;
            }
        }
        return -1;
    }

    private static SseEvent parse(Buffer raw) {
        String text = raw.toString(StandardCharsets.UTF_8);
        String name = null;
        StringBuilder data = null;
        int length = text.length();
        int start = 0;
        // Line by line without a regex: this runs for every event of every stream.
        while (start < length) {
            int end = start;
            while (end < length && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
                end++;
            }
            if (end > start && text.charAt(start) != ':') {
                int colon = text.indexOf(':', start);
                boolean hasValue = colon >= 0 && colon < end;
                int fieldEnd = hasValue ? colon : end;
                int valueStart = hasValue ? colon + 1 : end;
                if (valueStart < end && text.charAt(valueStart) == ' ') {
                    valueStart++;
                }
                if (text.startsWith("data", start) && fieldEnd - start == 4) {
                    String value = text.substring(valueStart, end);
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                } else if (text.startsWith("event", start) && fieldEnd - start == 5) {
                    name = text.substring(valueStart, end);
                }
            }
            start = end < length && text.charAt(end) == '\r' && end + 1 < length && text.charAt(end + 1) == '\n'
                    ? end + 2 : end + 1;
        }
        return new SseEvent(raw, name, data == null ? null : data.toString());
    }
}
