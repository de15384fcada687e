package io.chatrelay.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.PackagedProcess;
import io.chatrelay.testing.TcpProxy;
import io.vertx.core.json.JsonObject;

/**
 * A rolling deploy, for real: the packaged service (the jar, or the native executable of a
 * native build) runs as its own process, a streamed turn is under way, and the process gets
 * SIGTERM. A turn that ends within the drain time completes normally; one still open at the
 * deadline is stored as aborted with its partial text before the process exits; an answer
 * that the database (behind a {@link TcpProxy}) could not take is spooled and stored by the
 * next start once the database is back.
 */
class GracefulShutdownIT {

    private static final String DB_URL = env("TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String DB_USER = env("TEST_DB_USER", "postgres");
    private static final String DB_PASSWORD = env("TEST_DB_PASSWORD", "");

    private final MockUpstream upstream = MockUpstream.shared();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String session = "shutdown-" + UUID.randomUUID();
    private TcpProxy database;
    private Path spool;
    private PackagedProcess service;

    @BeforeEach
    void start() throws Exception {
        upstream.reset();
        database = new TcpProxy("127.0.0.1", 5432);
        spool = Files.createTempDirectory(Path.of("target"), "spool-");
        service = startService();
    }

    /** The service, its database reached through {@link #database}. */
    private PackagedProcess startService() throws IOException {
        return PackagedProcess.start(Map.of("OPENAI_BASE_URL", upstream.baseUrl(),
                "DB_URL", DB_URL.replaceFirst("//[^/]+/", "//127.0.0.1:" + database.port() + "/"),
                "DB_USER", DB_USER, "DB_PASSWORD", DB_PASSWORD, "DB_TIMEOUT", "2s", "SPOOL_DIR", spool.toString(),
                "SHUTDOWN_DRAIN_TIMEOUT", "3s", "QUARKUS_SHUTDOWN_TIMEOUT", "15s", "RATE_LIMIT_MAX", "0"));
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        database.close();
    }

    @Test
    void streamStillOpenAtTheDrainDeadlineIsStoredAsAbortedBeforeExit() throws Exception {
        String conversationId = createConversation();
        upstream.enqueue(Script.streamHead().write(Chunks.content("partial answer")).await(new CompletableFuture<>()));
        HttpResponse<InputStream> stream = startStream(conversationId);
        String first = readEvent(stream.body());
        assertEquals(Chunks.content("partial answer"), first);

        service.terminate();
        assertTrue(service.exitsWithin(30), "the process exits after the drain time");

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

        service.terminate();
        rest.complete(null);
        String tail = new String(stream.body().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tail.endsWith(Chunks.DONE), tail);
        assertTrue(service.exitsWithin(30));

        assertEquals(List.of("final", "all of it"), assistantRow(conversationId));
    }

    @Test
    void answerEndedDuringAnOutageIsStoredByTheNextStartAfterIt() throws Exception {
        String conversationId = createConversation();
        CompletableFuture<Void> rest = new CompletableFuture<>();
        upstream.enqueue(Script.streamHead().write(Chunks.content("kept")).await(rest)
                .write(Chunks.content(" across a restart")).write(Chunks.finish("stop")).write(Chunks.DONE).end());
        HttpResponse<InputStream> stream = startStream(conversationId);
        assertEquals(Chunks.content("kept"), readEvent(stream.body()));

        database.cut();
        rest.complete(null);
        String tail = new String(stream.body().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tail.endsWith(Chunks.DONE), tail);

        // The instance stops while the database is still away: the write it holds goes to the spool.
        service.terminate();
        assertTrue(service.exitsWithin(30));
        assertEquals(1, spooledFiles().size());

        database.restore();
        service = startService();
        await().atMost(Duration.ofSeconds(30)).until(() -> spooledFiles().isEmpty());
        assertEquals(List.of("final", "kept across a restart"), assistantRow(conversationId));
        assertEquals(2, assistantSeq(conversationId), "right after its user message");
    }

    private List<Path> spooledFiles() throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(file -> file.toString().endsWith(".json")).toList();
        }
    }

    private String createConversation() throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(service.uri("/v1/conversations"))
                .header("X-Session-Id", session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        return new JsonObject(created.body()).getString("id");
    }

    private HttpResponse<InputStream> startStream(String conversationId) throws Exception {
        String body = new JsonObject().put("stream", true).put("conversation_id", conversationId)
                .put("messages", List.of(Map.of("role", "user", "content", "hello"))).encode();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(service.uri("/v1/chat/completions"))
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

    private static int assistantSeq(String conversationId) throws SQLException {
        try (Connection c = DriverManager.getConnection(DB_URL, DB_USER, DB_PASSWORD);
                PreparedStatement ps = c.prepareStatement("select seq from messages"
                        + " where conversation_id = ?::uuid and role = 'assistant'")) {
            ps.setString(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the assistant message was stored");
                return rs.getInt(1);
            }
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
