package io.chatrelay.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.vertx.core.json.JsonObject;

/**
 * A rolling deploy, for real: the packaged service (the jar, or the native executable of a
 * native build) runs as its own process, a streamed turn is under way, and the process gets
 * SIGTERM. A turn that ends within the drain time completes normally; one still open at the
 * deadline is stored as aborted with its partial text before the process exits.
 */
class GracefulShutdownIT {

    private static final String DB_URL = env("TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String DB_USER = env("TEST_DB_USER", "postgres");
    private static final String DB_PASSWORD = env("TEST_DB_PASSWORD", "");

    private final MockUpstream upstream = MockUpstream.shared();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String session = "shutdown-" + UUID.randomUUID();
    private Process service;
    private int port;

    @BeforeEach
    void start() throws Exception {
        upstream.reset();
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(serviceCommand()).redirectErrorStream(true);
        builder.environment().putAll(Map.of("PORT", String.valueOf(port), "OPENAI_BASE_URL", upstream.baseUrl(),
                "DB_URL", DB_URL, "DB_USER", DB_USER, "DB_PASSWORD", DB_PASSWORD, "SHUTDOWN_DRAIN_TIMEOUT", "3s",
                "QUARKUS_SHUTDOWN_TIMEOUT", "15s", "RATE_LIMIT_MAX", "0"));
        service = builder.start();
        drain(service.getInputStream());
        await().atMost(Duration.ofSeconds(60)).until(() -> status("/q/health/ready") == 200);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (service != null && service.isAlive()) {
            service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void streamStillOpenAtTheDrainDeadlineIsStoredAsAbortedBeforeExit() throws Exception {
        String conversationId = createConversation();
        upstream.enqueue(Script.streamHead().write(Chunks.content("partial answer")).await(new CompletableFuture<>()));
        HttpResponse<InputStream> stream = startStream(conversationId);
        String first = readEvent(stream.body());
        assertEquals(Chunks.content("partial answer"), first);

        service.destroy(); // SIGTERM
        await().atMost(Duration.ofSeconds(2)).until(() -> status("/q/health/ready") != 200);
        assertTrue(service.waitFor(30, TimeUnit.SECONDS), "the process exits after the drain time");

        List<String> assistant = assistantRow(conversationId);
        assertEquals(List.of("aborted", "partial answer"), assistant);
    }

    @Test
    void streamThatEndsWithinTheDrainTimeCompletesNormally() throws Exception {
        String conversationId = createConversation();
        CompletableFuture<Void> rest = new CompletableFuture<>();
        upstream.enqueue(Script.streamHead().write(Chunks.content("all")).await(rest)
                .write(Chunks.content(" of it")).write(Chunks.finish("stop")).write(Chunks.DONE).end());
        HttpResponse<InputStream> stream = startStream(conversationId);
        assertEquals(Chunks.content("all"), readEvent(stream.body()));

        service.destroy(); // SIGTERM
        await().atMost(Duration.ofSeconds(2)).until(() -> status("/q/health/ready") != 200);
        rest.complete(null);
        String tail = new String(stream.body().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tail.endsWith(Chunks.DONE), tail);
        assertTrue(service.waitFor(30, TimeUnit.SECONDS));

        assertEquals(List.of("final", "all of it"), assistantRow(conversationId));
    }

    /**
     * The packaged service as the build made it: the native executable after a native build
     * ({@code -Dnative}; failsafe names it in {@code native.image.path}), else the jar.
     * quarkus-artifact.properties tells which, as it does for {@code @QuarkusIntegrationTest}.
     */
    private static List<String> serviceCommand() throws IOException {
        Properties artifact = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("target", "quarkus-artifact.properties"))) {
            artifact.load(in);
        }
        if ("native".equals(artifact.getProperty("type"))) {
            String executable = System.getProperty("native.image.path");
            Path path = executable != null ? Path.of(executable) : Path.of("target", artifact.getProperty("path"));
            assertTrue(Files.isExecutable(path), path + " is the native executable");
            return List.of(path.toAbsolutePath().toString());
        }
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString());
    }

    private String createConversation() throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(uri("/v1/conversations"))
                .header("X-Session-Id", session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        return new JsonObject(created.body()).getString("id");
    }

    private HttpResponse<InputStream> startStream(String conversationId) throws Exception {
        String body = new JsonObject().put("stream", true).put("conversation_id", conversationId)
                .put("messages", List.of(Map.of("role", "user", "content", "hello"))).encode();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("X-Session-Id", session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        return response;
    }

    /** Reads one SSE event (up to its blank line). */
    private static String readEvent(InputStream in) throws IOException {
        StringBuilder event = new StringBuilder();
        while (!event.toString().endsWith("\n\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            event.append((char) b);
        }
        return event.toString();
    }

    private int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1; // not listening (yet, or any more)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Status and content of the conversation's assistant message, as PostgreSQL holds them. */
    private static List<String> assistantRow(String conversationId) throws SQLException {
        try (Connection c = DriverManager.getConnection(DB_URL, DB_USER, DB_PASSWORD);
                PreparedStatement ps = c.prepareStatement("select status, content #>> '{}' from messages"
                        + " where conversation_id = ?::uuid and role = 'assistant'")) {
            ps.setString(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> row = new ArrayList<>();
                assertTrue(rs.next(), "the assistant message was stored");
                row.add(rs.getString(1));
                row.add(rs.getString(2));
                assertTrue(!rs.next(), "exactly one assistant message");
                return row;
            }
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Keeps the child's output flowing so that it never blocks on a full pipe. */
    private static void drain(InputStream output) {
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    System.out.println("[service] " + line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
