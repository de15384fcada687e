package io.chatrelay.conversation;

import static io.chatrelay.testing.Api.as;
import static io.chatrelay.testing.Api.message;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(FileJsonBackendTest.Profile.class)
class FileJsonBackendTest {

    public static class Profile implements QuarkusTestProfile {

        private final Path directory = createDirectory();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.persistence.db-url", PersistenceBackend.FILEJSON_PREFIX + directory);
        }

        private static Path createDirectory() {
            try {
                return Files.createTempDirectory(Files.createDirectories(Path.of("target")), "filejson-test-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final int TURNS = 8;

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "filejson-" + UUID.randomUUID();
    }

    @Test
    void streamedTurnIsStoredInAJsonFileAndReadableRightAfterDone() throws IOException {
        upstream.enqueue(Script.streamHead().paced(Duration.ofMillis(20), Chunks.role(), Chunks.content("Hi"),
                Chunks.content(" there"), Chunks.finish("stop"), Chunks.DONE).end());

        String conversationId;
        try (SseClient client = Api.stream(session, Api.chat("hello file", true))) {
            assertEquals(200, client.status());
            conversationId = client.header("X-Conversation-Id");
            String event;
            do {
                event = client.nextEvent();
            } while (event != null && !Chunks.DONE.equals(event));
            assertEquals(Chunks.DONE, event);
            JsonPath stored = Api.conversation(session, conversationId);
            assertEquals(List.of(1, 2), stored.getList("messages.seq"));
            assertEquals(List.of("user", "assistant"), stored.getList("messages.role"));
            assertEquals("hello file", stored.getString("messages[0].content"));
            assertEquals("final", stored.getString("messages[1].status"));
            assertEquals("Hi there", stored.getString("messages[1].content"));
            assertEquals("stop", stored.getString("messages[1].finish_reason"));
        }
        Path file = fileOf(conversationId);
        assertTrue(Files.isRegularFile(file), file + " exists");
        assertTrue(Files.readString(file, StandardCharsets.UTF_8).contains("Hi there"));
        assertEquals(0, postgresConversationsOfSession(session), "nothing goes to PostgreSQL");
    }

    @Test
    void conversationsApiCreatesListsPatchesAndDeletesAsOnPostgresql() {
        String first = as(session).body("{\"title\":\"first\",\"model\":\"gpt-x\"}").post("/v1/conversations")
                .then().statusCode(201)
                .body("title", equalTo("first"))
                .body("model", equalTo("gpt-x"))
                .body("pinned", equalTo(false))
                .body("created_at", notNullValue())
                .body("updated_at", notNullValue())
                .extract().path("id");
        String second = Api.createConversation(session);
        assertTrue(Files.isRegularFile(fileOf(first)));
        assertTrue(Files.isRegularFile(fileOf(second)));

        as(session).get("/v1/conversations")
                .then().statusCode(200)
                .body("items.id", equalTo(List.of(second, first)))
                .body("next_cursor", nullValue());
        String cursor = as(session).queryParam("limit", 1).get("/v1/conversations")
                .then().statusCode(200)
                .body("items.id", equalTo(List.of(second)))
                .body("next_cursor", notNullValue())
                .extract().path("next_cursor");
        as(session).queryParam("limit", 1).queryParam("cursor", cursor).get("/v1/conversations")
                .then().statusCode(200)
                .body("items.id", equalTo(List.of(first)))
                .body("next_cursor", nullValue());

        as(session).body("{\"title\":\"renamed\",\"pinned\":true}").patch("/v1/conversations/" + first)
                .then().statusCode(200)
                .body("id", equalTo(first))
                .body("title", equalTo("renamed"))
                .body("pinned", equalTo(true));
        assertEquals("renamed", Api.conversation(session, first).getString("title"));

        as(session).delete("/v1/conversations/" + first).then().statusCode(204);
        as(session).delete("/v1/conversations/" + first)
                .then().statusCode(404)
                .body("error.code", equalTo("conversation_not_found"));
        as(session).get("/v1/conversations/" + first).then().statusCode(404);
        assertFalse(Files.exists(fileOf(first)), "a deleted conversation's file is gone");
        as(session).get("/v1/conversations")
                .then().statusCode(200)
                .body("items.id", equalTo(List.of(second)));
    }

    @Test
    void anotherSessionCannotSeeChangeOrDeleteTheConversation() {
        String conversationId = Api.createConversation(session);
        String intruder = "filejson-other-" + UUID.randomUUID();

        as(intruder).get("/v1/conversations/" + conversationId)
                .then().statusCode(404)
                .body("error.type", equalTo("not_found_error"))
                .body("error.code", equalTo("conversation_not_found"));
        as(intruder).body("{\"title\":\"mine now\"}").patch("/v1/conversations/" + conversationId)
                .then().statusCode(404);
        as(intruder).delete("/v1/conversations/" + conversationId).then().statusCode(404);
        as(intruder).get("/v1/conversations")
                .then().statusCode(200)
                .body("items.size()", equalTo(0));
        as(intruder).body(Api.chat("hi", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(404)
                .body("error.code", equalTo("conversation_not_found"));

        assertEquals(0, upstream.requestCount());
        JsonPath stored = Api.conversation(session, conversationId);
        assertNull(stored.getString("title"));
        assertEquals(List.of(), stored.getList("messages"));
    }

    @Test
    void concurrentStreamedTurnsOnOneConversationGetSeqsOneToSixteenWithNothingLost() throws Exception {
        String conversationId = Api.createConversation(session);
        List<String> questions = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < TURNS; i++) {
            questions.add("question " + i);
            answers.add("answer " + i + " part one part two");
            upstream.enqueue(Script.streamHead().paced(Duration.ofMillis(15), Chunks.content("answer " + i),
                    Chunks.content(" part one"), Chunks.content(" part two"), Chunks.finish("stop"), Chunks.DONE)
                    .end());
        }

        List<CompletableFuture<String>> turns = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(TURNS)) {
            for (String question : questions) {
                turns.add(CompletableFuture.supplyAsync(() -> {
                    try (SseClient client = Api.stream(session,
                            Api.chat(question, true).put("conversation_id", conversationId))) {
                        assertEquals(200, client.status());
                        return client.readToEnd();
                    }
                }, threads));
            }
            for (CompletableFuture<String> turn : turns) {
                assertTrue(turn.get(30, TimeUnit.SECONDS).endsWith(Chunks.DONE));
            }
        }

        assertEquals(TURNS, upstream.requestCount());
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(IntStream.rangeClosed(1, 2 * TURNS).boxed().toList(), stored.getList("messages.seq"));
        List<String> userContents = new ArrayList<>();
        List<String> assistantContents = new ArrayList<>();
        for (int i = 0; i < 2 * TURNS; i++) {
            String role = stored.getString("messages[" + i + "].role");
            String content = stored.getString("messages[" + i + "].content");
            if ("user".equals(role)) {
                userContents.add(content);
            } else {
                assertEquals("assistant", role);
                assertEquals("final", stored.getString("messages[" + i + "].status"));
                assertEquals("stop", stored.getString("messages[" + i + "].finish_reason"));
                assistantContents.add(content);
            }
        }
        Collections.sort(userContents);
        Collections.sort(assistantContents);
        assertEquals(questions, userContents);
        assertEquals(answers, assistantContents);
        assertTrue(Files.isRegularFile(fileOf(conversationId)));
        assertEquals(0, postgresConversationsOfSession(session), "nothing goes to PostgreSQL");
    }

    @Test
    void storedHistoryComesFromTheConversationsFileAndTheNewUserMessageIsStoredOnce() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.stream(Chunks.content("Hi from a file."), Chunks.finish("stop"), Chunks.DONE),
                Script.json(200, Chunks.completion("Still a file.")));
        try (SseClient client = Api.stream(session, Api.chat("hello file", true).put("conversation_id",
                conversationId))) {
            assertEquals(Chunks.DONE, client.lastEvent());
        }

        as(session).header("X-History", "stored")
                .body(Api.chat("and now?", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(200)
                .body("choices[0].message.content", equalTo("Still a file."));
        as("filejson-other-" + UUID.randomUUID()).header("X-History", "stored")
                .body(Api.chat("let me see", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions")
                .then().statusCode(404)
                .body("error.code", equalTo("conversation_not_found"));

        assertEquals(2, upstream.requestCount(), "the other session's request never reached the provider");
        assertEquals(new JsonArray().add(message("user", "hello file")).add(message("assistant", "Hi from a file."))
                .add(message("user", "and now?")),
                new JsonObject(upstream.lastRequest().body()).getJsonArray("messages"));
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals(List.of("hello file", "Hi from a file.", "and now?", "Still a file."),
                stored.getList("messages.content"));
    }

    @Test
    void healthzReportsTheFilejsonBackendAndReadinessIsUp() {
        given().get("/healthz")
                .then().statusCode(200)
                .body("persistence.enabled", equalTo(true))
                .body("persistence.backend", equalTo("filejson"));
        given().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"));
    }

    private static Path fileOf(String conversationId) {
        String dbUrl = ConfigProvider.getConfig().getValue("relay.persistence.db-url", String.class);
        return Path.of(dbUrl.substring(PersistenceBackend.FILEJSON_PREFIX.length())).resolve(conversationId + ".json");
    }

    /**
     * Conversations of the session in the shared PostgreSQL test database. Db cannot be used
     * here: it connects to relay.persistence.db-url, which this profile points at the directory;
     * the database is the one application.properties names for the test profile.
     */
    private static long postgresConversationsOfSession(String session) {
        Config config = ConfigProvider.getConfig();
        String url;
        try {
            url = new SmallRyeConfigBuilder().withProfile("test").addDefaultInterceptors()
                    .withSources(new PropertiesConfigSource(Thread.currentThread().getContextClassLoader()
                            .getResource("application.properties"), 250))
                    .withSources(new EnvConfigSource(System.getenv(), 300))
                    .build().getValue("relay.persistence.db-url", String.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String user = config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres");
        String password = config.getOptionalValue("quarkus.datasource.password", String.class).orElse("");
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement ps = c.prepareStatement("select count(*) from conversations where session_id = ?")) {
            ps.setString(1, session);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
