package io.chatrelay.sse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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

    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

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
        ByteBuf bytes = withArray(pending); // one view per chunk: its bytes are read in place
        while ((end = endOfEvent(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), pending.length(),
                Math.max(start, scanFrom))) > 0) {
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

    /**
     * Index (from {@code base}) just past the blank line that ends the first event at or after
     * {@code from}, or -1; the buffer's {@code n} bytes start at {@code base} in {@code b}.
     */
    private static int endOfEvent(byte[] b, int base, int n, int from) {
        for (int i = from; i < n; i++) {
            byte c = b[base + i];
            if (c != '\n' && c != '\r') {
                continue;
            }
            int next = i + 1;
            if (c == '\r' && next < n && b[base + next] == '\n') {
                next++;
            } else if (c == '\r' && next == n) {
                return -1; // a CR at the very end may be the first half of a CRLF
            }
            if (next >= n) {
                return -1;
            }
            byte d = b[base + next];
            if (d == '\n') {
                return next + 1;
            }
            if (d == '\r') {
                if (next + 1 < n && b[base + next + 1] == '\n') {
                    return next + 2;
                }
                return next + 1 < n ? next + 1 : -1;
            }
        }
        return -1;
    }

    /** The buffer's bytes as a Netty buffer backed by an array: its own, or a copy when it has none. */
    private static ByteBuf withArray(Buffer buffer) {
        ByteBuf buf = buffer.getByteBuf();
        return buf.hasArray() ? buf : Unpooled.wrappedBuffer(buffer.getBytes());
    }

    /**
     * Reads the fields of one event from its bytes where they lie: only the values of
     * {@code data} and {@code event} become strings. This runs for every event of every stream;
     * decoding the whole event first and cutting it into lines cost copies of every byte.
     * Line ends are ASCII, so cutting UTF-8 bytes at them never splits a character.
     */
    private static SseEvent parse(Buffer raw) {
        ByteBuf buf = withArray(raw);
        byte[] bytes = buf.array();
        int from = buf.arrayOffset() + buf.readerIndex();
        int to = from + raw.length();
        String name = null;
        String data = null;
        StringBuilder dataLines = null;
        int start = from;
        while (start < to) {
            int end = start;
            while (end < to && bytes[end] != '\n' && bytes[end] != '\r') {
                end++;
            }
            if (end > start && bytes[start] != ':') {
                int colon = indexOf(bytes, (byte) ':', start, end);
                int fieldEnd = colon >= 0 ? colon : end;
                int valueStart = colon >= 0 ? colon + 1 : end;
                if (valueStart < end && bytes[valueStart] == ' ') {
                    valueStart++;
                }
                if (isField(bytes, start, fieldEnd, DATA)) {
                    String value = new String(bytes, valueStart, end - valueStart, StandardCharsets.UTF_8);
                    if (data == null) {
                        data = value;
                    } else {
                        dataLines = dataLines == null ? new StringBuilder(data) : dataLines;
                        dataLines.append('\n').append(value);
                    }
                } else if (isField(bytes, start, fieldEnd, EVENT)) {
                    name = new String(bytes, valueStart, end - valueStart, StandardCharsets.UTF_8);
                }
            }
            start = end < to && bytes[end] == '\r' && end + 1 < to && bytes[end + 1] == '\n' ? end + 2 : end + 1;
        }
        return new SseEvent(raw, name, dataLines != null ? dataLines.toString() : data);
    }

    private static int indexOf(byte[] bytes, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isField(byte[] bytes, int start, int end, byte[] field) {
        return end - start == field.length && Arrays.equals(bytes, start, end, field, 0, field.length);
    }
}
