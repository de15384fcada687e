package io.chatrelay.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.restassured.RestAssured;

/**
 * A real streaming HTTP client over a socket: reads the response body as it arrives and
 * hands out complete SSE events; {@link #close()} disconnects like a user closing a tab.
 */
public final class SseClient implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpResponse<InputStream> response;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final StringBuilder received = new StringBuilder();
    private int consumed;
    private boolean ended;

    private SseClient(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        headers.forEach(request::header);
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread.ofVirtual().start(this::pump);
    }

    /** POSTs and returns once the response head has arrived. */
    public static SseClient post(String path, String body, Map<String, String> headers) {
        try {
            return new SseClient(path, body, headers);
        } catch (Exception e) {
            throw new IllegalStateException("request failed", e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The next complete event (with its blank line), or null when the stream ended first. */
    public String nextEvent() {
        lock.lock();
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                int end = received.indexOf("\n\n", consumed);
                if (end >= 0) {
                    String event = received.substring(consumed, end + 2);
                    consumed = end + 2;
                    return event;
                }
                if (ended) {
                    return null;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no event within " + WAIT + "; received so far: " + received);
                }
                arrived.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            lock.unlock();
        }
    }

    /** The last complete event before the stream ended (its final one, e.g. {@code [DONE]}). */
    public String lastEvent() {
        String last = null;
        String event;
        while ((event = nextEvent()) != null) {
            last = event;
        }
        return last;
    }

    /** Everything up to the end of the body. */
    public String readToEnd() {
        lock.lock();
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!ended) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("body did not end within " + WAIT + "; received: " + received);
                }
                arrived.awaitNanos(left);
            }
            consumed = received.length();
            return received.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            lock.unlock();
        }
    }

    /** Disconnects at once. */
    @Override
    public void close() {
        http.shutdownNow();
        try {
            http.awaitTermination(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pump() {
        byte[] chunk = new byte[8192];
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                append(chunk, n, false);
            }
        } catch (IOException e) {
            // disconnected or broken: the test decides whether that was expected
        }
        append(chunk, 0, true);
    }

    private void append(byte[] bytes, int length, boolean end) {
        lock.lock();
        try {
            raw.write(bytes, 0, length);
            // decoded as a whole so that a character split across reads stays intact
            received.setLength(0);
            received.append(raw.toString(StandardCharsets.UTF_8));
            ended |= end;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Every byte received so far, exactly as it came off the socket (chunked framing removed). */
    public byte[] rawBytes() {
        lock.lock();
        try {
            return raw.toByteArray();
        } finally {
            lock.unlock();
        }
    }
}
