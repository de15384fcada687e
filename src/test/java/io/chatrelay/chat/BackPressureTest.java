package io.chatrelay.chat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A client that does not read must slow the provider down, not fill the relay's memory:
 * the relay reads from the provider only as fast as the client's connection drains.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class BackPressureTest {

    /** 64 MiB of SSE comments: far more than the socket buffers between the three processes hold. */
    private static final int EVENTS = 1024;
    private static final String EVENT = ": " + "x".repeat(64 * 1024 - 4) + "\n\n";
    private static final long ANSWER_BYTES = (long) EVENTS * EVENT.length() + Chunks.DONE.length();

    private final MockUpstream upstream = MockUpstream.shared();

    @TestHTTPResource("/")
    URL root;

    @BeforeEach
    void setUp() {
        upstream.reset();
    }

    @Test
    void clientThatStopsReadingPausesTheProviderAndThenGetsEveryByte() throws Exception {
        Script script = Script.streamHead();
        for (int i = 0; i < EVENTS; i++) {
            script.write(EVENT);
        }
        upstream.enqueue(script.write(Chunks.DONE).end());
        String body = "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (Socket client = new Socket(root.getHost(), root.getPort())) {
            OutputStream out = client.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Connection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();

            await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requestCount() == 1);
            AtomicLong written = upstream.lastRequest().written();
            long[] previous = { -1 };
            // Stalled: the provider's writes stop completing while nobody reads the relay's answer.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                long now = written.get();
                boolean unchanged = now == previous[0];
                previous[0] = now;
                return unchanged && now > 0;
            });
            assertTrue(previous[0] < ANSWER_BYTES / 2,
                    "the provider wrote " + previous[0] + " of " + ANSWER_BYTES + " bytes to a client that reads none");

            long received = 0;
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[256 * 1024];
            for (int n; (n = in.read(buffer)) > 0;) {
                received += n;
            }
            // Every byte arrives once the client reads (plus the head and the chunked framing).
            assertTrue(received > ANSWER_BYTES, "received " + received + " of " + ANSWER_BYTES);
            assertEquals(ANSWER_BYTES, written.get());
        }
    }
}
