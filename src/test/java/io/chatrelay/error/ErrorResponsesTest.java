package io.chatrelay.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;

/** What a refusal puts on the wire, byte for byte, from a plain Vert.x server. */
class ErrorResponsesTest {

    private Vertx vertx;
    private HttpServer server;
    private volatile Consumer<HttpServerResponse> answer;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> answer.accept(request.response()))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void writesStatusJsonEnvelopeExtraHeadersAndConnectionClose() throws IOException {
        answer = response -> ErrorResponses.refuse(response, new ApiException(429, "rate_limit_exceeded",
                "rate_limit_exceeded", null, "Rate limit reached"), Map.of("Retry-After", "7"));

        String raw = exchange();

        List<String> head = head(raw);
        assertEquals("HTTP/1.1 429 Too Many Requests", head.get(0));
        assertTrue(head.contains("Content-Type: application/json"), raw);
        assertTrue(head.contains("Retry-After: 7"), raw);
        assertTrue(head.contains("Connection: close"), raw);
        assertEquals("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_exceeded\","
                + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}", body(raw));
    }

    @Test
    void withoutExtraHeadersWritesOnlyTheEnvelopeAndConnectionClose() throws IOException {
        answer = response -> ErrorResponses.refuse(response, ApiException.invalidRequest("body_too_large", "messages",
                "Too large"));

        String raw = exchange();

        List<String> head = head(raw);
        assertEquals("HTTP/1.1 400 Bad Request", head.get(0));
        assertEquals(List.of("Content-Type: application/json", "Connection: close"),
                head.stream().filter(line -> !line.startsWith("HTTP/"))
                        .filter(line -> !line.toLowerCase().startsWith("content-length:")).toList(), raw);
        assertEquals("{\"error\":{\"message\":\"Too large\",\"type\":\"invalid_request_error\","
                + "\"param\":\"messages\",\"code\":\"body_too_large\"}}", body(raw));
    }

    /** Sends one request and reads one response: its head, then as many bytes as its Content-Length says. */
    private String exchange() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /v1/models HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder received = new StringBuilder();
            while (!received.toString().endsWith("\r\n\r\n")) {
                int next = in.read();
                if (next < 0) {
                    throw new IOException("connection closed inside the response head: " + received);
                }
                received.append((char) next); // the head is ASCII
            }
            int length = head(received.toString()).stream()
                    .filter(line -> line.toLowerCase().startsWith("content-length:"))
                    .map(line -> Integer.parseInt(line.substring("content-length:".length()).trim()))
                    .findFirst().orElseThrow();
            return received + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    private static List<String> head(String raw) {
        return List.of(raw.substring(0, raw.indexOf("\r\n\r\n")).split("\r\n"));
    }

    private static String body(String raw) {
        return raw.substring(raw.indexOf("\r\n\r\n") + 4);
    }
}
