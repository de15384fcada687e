package io.chatrelay.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

class SseEventSplitterTest {

    @Test
    void eventsAreCutAtBlankLinesWhateverTheChunkingAndKeepTheirBytes() {
        String stream = ": comment\n\nevent: ping\ndata: {\"a\":1}\n\ndata:x\r\n\r\n"
                + "data: line1\ndata: line2\r\rdata: [DONE]\n\n";
        for (int chunkSize = 1; chunkSize <= stream.length(); chunkSize++) {
            SseEventSplitter splitter = new SseEventSplitter(Integer.MAX_VALUE);
            List<SseEvent> events = new ArrayList<>();
            for (int i = 0; i < stream.length(); i += chunkSize) {
                events.addAll(splitter.accept(Buffer.buffer(stream.substring(i, Math.min(stream.length(),
                        i + chunkSize)))));
            }
            events.addAll(splitter.finish());
            StringBuilder joined = new StringBuilder();
            events.forEach(e -> joined.append(e.raw().toString(StandardCharsets.UTF_8)));
            assertEquals(stream, joined.toString(), "chunk size " + chunkSize);
            assertEquals(5, events.size(), "chunk size " + chunkSize);
            assertNull(events.get(0).data());
            assertEquals("ping", events.get(1).name());
            assertEquals("{\"a\":1}", events.get(1).data());
            assertEquals("x", events.get(2).data());
            assertEquals("line1\nline2", events.get(3).data());
            assertTrue(events.get(4).isDone());
        }
    }

    @Test
    void dataIsDecodedAsUtf8WhereverAChunkCutsACharacterAndWhateverTheBuffersKind() {
        byte[] stream = "data: {\"content\":\"h\u00e9\u20ac\ud83d\ude00\"}\n\nevent: n\u00e9\ndata: a\n\n"
                .getBytes(StandardCharsets.UTF_8);
        for (boolean direct : new boolean[] { false, true }) {
            for (int chunkSize = 1; chunkSize <= stream.length; chunkSize++) {
                SseEventSplitter splitter = new SseEventSplitter(Integer.MAX_VALUE);
                List<SseEvent> events = new ArrayList<>();
                for (int i = 0; i < stream.length; i += chunkSize) {
                    int length = Math.min(chunkSize, stream.length - i);
                    ByteBuf chunk = direct ? Unpooled.directBuffer(length) : Unpooled.buffer(length);
                    chunk.writeBytes(stream, i, length);
                    events.addAll(splitter.accept(Buffer.buffer(chunk)));
                }
                String where = (direct ? "direct" : "heap") + " chunks of " + chunkSize;
                assertEquals(2, events.size(), where);
                assertEquals("{\"content\":\"h\u00e9\u20ac\ud83d\ude00\"}", events.get(0).data(), where);
                assertEquals("n\u00e9", events.get(1).name(), where);
                assertEquals("a", events.get(1).data(), where);
            }
        }
    }

    @Test
    void trailingBytesWithoutBlankLineBecomeALastEvent() {
        SseEventSplitter splitter = new SseEventSplitter(Integer.MAX_VALUE);
        assertTrue(splitter.accept(Buffer.buffer("data: [DONE]")).isEmpty());
        List<SseEvent> rest = splitter.finish();
        assertEquals(1, rest.size());
        assertTrue(rest.get(0).isDone());
    }

    @Test
    void anEventThatNeverEndsFailsOnceItsBytesPassTheBound() {
        SseEventSplitter splitter = new SseEventSplitter(64);
        List<SseEvent> first = splitter.accept(Buffer.buffer("data: {\"a\":1}\n\ndata: " + "x".repeat(40)));
        assertEquals(1, first.size(), "the complete event before it still goes out");
        assertThrows(SseEventTooLarge.class, () -> splitter.accept(Buffer.buffer("x".repeat(30))));
        assertTrue(splitter.isEmpty(), "the unfinished event's bytes are let go");
    }

    @Test
    void eventsUpToTheBoundPassWhateverTheChunking() {
        String event = "data: " + "y".repeat(56) + "\n\n"; // 64 bytes with its blank line
        String stream = event.repeat(3);
        for (int chunkSize = 1; chunkSize <= 64; chunkSize++) {
            SseEventSplitter splitter = new SseEventSplitter(64);
            int events = 0;
            for (int i = 0; i < stream.length(); i += chunkSize) {
                events += splitter.accept(Buffer.buffer(stream.substring(i, Math.min(stream.length(),
                        i + chunkSize)))).size();
            }
            assertEquals(3, events, "chunk size " + chunkSize);
        }
    }
}
