package io.chatrelay.conversation;

import static io.chatrelay.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/**
 * The file backend ({@code DB_URL=filejson:<dir>}) reads and writes only {@code <uuid>.json}
 * files in its directory, whatever ids a client sends: a file is named after a conversation
 * id the service generated, and a client's conversation id is used only once it has parsed
 * as a UUID; session ids never name a file. A conversation file placed next to the directory,
 * for a session the attacker knows, is neither read, nor changed, nor deleted.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(FileJsonBackendTest.Profile.class)
class FileJsonPathTraversalTest {

    private static final Pattern CONVERSATION_FILE = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.json");

    private final MockUpstream upstream = MockUpstream.shared();
    private Path directory;
    private Path outside;
    private String victimId;
    private Path victim;
    private String victimContent;
    private Set<String> outsideBefore;

    @BeforeEach
    void placeAConversationOutsideTheDirectory() throws IOException {
        upstream.reset();
        String dbUrl = ConfigProvider.getConfig().getValue("relay.persistence.db-url", String.class);
        directory = Path.of(dbUrl.substring(PersistenceBackend.FILEJSON_PREFIX.length())).toAbsolutePath();
        outside = directory.getParent();
        victimId = UUID.randomUUID().toString();
        victim = outside.resolve(victimId + ".json");
        victimContent = new JsonObject().put("id", victimId).put("session_id", "..").put("title", "outside")
                .putNull("model").put("pinned", false).put("last_seq", 0)
                .put("created_at", "2026-01-01T00:00:00Z").put("updated_at", "2026-01-01T00:00:00Z")
                .put("messages", List.of()).encode();
        Files.writeString(victim, victimContent);
        outsideBefore = listing(outside);
    }

    @AfterEach
    void removeIt() throws IOException {
        Files.deleteIfExists(victim);
    }

    @Test
    void traversalInTheConversationPathIsRefusedAndTouchesNothingOutside() {
        List<String> ids = List.of("..%2F" + victimId, "%2E%2E%2F" + victimId, "..%5C" + victimId,
                "%2e%2e%2f%2e%2e%2f" + victimId, "....%2F%2F" + victimId, "." + victimId, victimId + "%00",
                "..%2F..%2F..%2Fetc%2Fpasswd", "%252e%252e%252f" + victimId);
        for (String session : List.of("..", "...", ".", "attacker")) {
            for (String id : ids) {
                String path = "/v1/conversations/" + id;
                assertNotServed(as(session).urlEncodingEnabled(false).get(path), path);
                assertNotServed(as(session).urlEncodingEnabled(false).body("{\"title\":\"x\"}").patch(path), path);
                assertNotServed(as(session).urlEncodingEnabled(false).delete(path), path);
            }
            // The well-formed id of the file outside: the store does not know it.
            as(session).get("/v1/conversations/" + victimId).then().statusCode(404);
            as(session).body("{\"title\":\"x\"}").patch("/v1/conversations/" + victimId).then().statusCode(404);
            as(session).delete("/v1/conversations/" + victimId).then().statusCode(404);
        }
        assertNothingOutsideChanged();
    }

    @Test
    void traversalInConversationIdsOfAChatIsRefused() {
        for (String id : List.of("../" + victimId, "..\\" + victimId, "../../../../etc/passwd", "/" + victimId,
                victimId + "/..")) {
            Response inBody = as("..").body(Api.chat("hi", false).put("conversation_id", id).encode())
                    .post("/v1/chat/completions");
            inBody.then().statusCode(400).body("error.param", org.hamcrest.Matchers.equalTo("conversation_id"));
            Response inHeader = as("..").header("X-Conversation-Id", id).body(Api.chat("hi", false).encode())
                    .post("/v1/chat/completions");
            inHeader.then().statusCode(400).body("error.param", org.hamcrest.Matchers.equalTo("conversation_id"));
        }
        // The outside file's well-formed id: not a conversation of this store.
        as("..").body(Api.chat("hi", false).put("conversation_id", victimId).encode()).post("/v1/chat/completions")
                .then().statusCode(404);
        assertEquals(0, upstream.requestCount());
        assertNothingOutsideChanged();
    }

    @Test
    void sessionIdsThatLookLikePathsNeverNameAFile() throws IOException {
        for (String session : List.of("../../x", "..\\x", "/etc/passwd", "a/b", "%2e%2e%2f")) {
            given().header("X-Session-Id", session).contentType(ContentType.JSON).body("{}")
                    .post("/v1/conversations").then().statusCode(400);
            given().cookie("cf_session_id", session).contentType(ContentType.JSON).body("{}")
                    .post("/v1/conversations").then().statusCode(400);
        }
        // Session ids made of dots are valid: they are stored inside the files, never used in a name.
        for (String session : List.of("..", "...", ".", "..:..")) {
            upstream.enqueue(Script.json(200, Chunks.completion("ok")));
            String id = as(session).body(Api.chat("hi", false).encode()).post("/v1/chat/completions").then()
                    .statusCode(200).extract().header("X-Conversation-Id");
            as(session).body("{\"title\":\"../../" + victimId + "\"}").patch("/v1/conversations/" + id)
                    .then().statusCode(200);
            String cookieId = given().cookie("cf_session_id", session).contentType(ContentType.JSON).body("{}")
                    .post("/v1/conversations").then().statusCode(201).extract().path("id");
            assertTrue(Files.isRegularFile(directory.resolve(id + ".json")));
            assertTrue(Files.isRegularFile(directory.resolve(cookieId + ".json")));
            // The file outside names the session "..": the store still lists only its own conversations.
            assertTrue(!as(session).get("/v1/conversations").then().statusCode(200).extract().jsonPath()
                    .getList("items.id").contains(victimId));
        }
        assertNothingOutsideChanged();
    }

    private static void assertNotServed(Response response, String path) {
        int status = response.statusCode();
        assertTrue(status == 400 || status == 404, path + " answered " + status + ": " + response.asString());
    }

    private void assertNothingOutsideChanged() {
        try {
            assertEquals(victimContent, Files.readString(victim, StandardCharsets.UTF_8), "the file outside is intact");
            assertEquals(outsideBefore, listing(outside), "nothing was created or removed next to the directory");
            try (Stream<Path> files = Files.list(directory)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                for (String name : names) {
                    assertTrue(CONVERSATION_FILE.matcher(name).matches(), "unexpected file in the directory: " + name);
                }
            }
            try (Stream<Path> all = Files.walk(directory)) {
                assertTrue(all.allMatch(p -> p.equals(directory) || p.getParent().equals(directory)),
                        "no subdirectory was created");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
