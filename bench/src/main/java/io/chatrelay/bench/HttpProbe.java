package io.chatrelay.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Polls a URL on 127.0.0.1 until it answers 200: how the bench knows a child process is ready,
 * and how it times the relay's start-up. Polling every 10 ms keeps the start-up figure accurate
 * to about that much; a blocking JDK client is fine here, this is orchestration, not load.
 */
final class HttpProbe {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(500)).version(HttpClient.Version.HTTP_1_1).build();

    private HttpProbe() {
    }

    /**
     * Waits until {@code url} answers 200, {@code process} dies, or {@code timeout} passes.
     * Returns the {@link System#nanoTime()} of the first 200.
     */
    static long awaitOk(String url, Process process, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("process exited with " + process.exitValue() + " before " + url + " answered");
            }
            try {
                if (CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return System.nanoTime();
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + url, e);
            }
            pause(10);
        }
        throw new IOException(url + " did not answer 200 within " + timeout.toSeconds() + " s");
    }

    /** A port that was free a moment ago on 127.0.0.1 (the child binds it right after). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
