package io.chatrelay.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.PackagedProcess;
import io.chatrelay.testing.ResponsesEvents;
import io.vertx.core.json.JsonObject;

/**
 * The packaged service, as it runs in production, with every secret it knows set to a value
 * that can be searched for: the provider key, the database password, the search API key and
 * the clients' API keys (and a wrong one a client tried). A run through every endpoint and the
 * error paths, then a shutdown; neither the process's whole log (debug level for the
 * service's own code) nor anything a client received (bodies and headers, the metrics, the
 * OpenAPI document, health) holds any of them.
 */
class SecretsNeverLeakIT {

    private static final String DB_URL = env("TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String DB_USER = env("TEST_DB_USER", "postgres");
    /** The local database trusts its clients, so any password works; a real one is used as given. */
    private static final String DB_PASSWORD = env("TEST_DB_PASSWORD", "db-password-9c21e7");
    private static final String PROVIDER_KEY = "sk-provider-secret-7f3a90";
    private static final String SEARCH_KEY = "tvly-search-secret-51d0b2";
    private static final String WRONG_KEY = "sk-wrong-client-secret-c3d4";

    private final MockUpstream upstream = MockUpstream.shared();
    private final MockUpstream search = MockUpstream.searchApi();
    /** HTTP/1.1: an upgrade to cleartext HTTP/2 trips over the refusals' Connection header (see the README). */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final StringBuilder received = new StringBuilder();
    private PackagedProcess service;

    @BeforeEach
    void start() throws IOException {
        upstream.reset();
        search.reset();
        Path spool = Files.createTempDirectory(Path.of("target"), "spool-");
        Map<String, String> environment = new HashMap<>(Map.of("OPENAI_BASE_URL", upstream.baseUrl(),
                "OPENAI_API_KEY", PROVIDER_KEY, "DB_URL", DB_URL, "DB_USER", DB_USER, "DB_PASSWORD", DB_PASSWORD,
                "TAVILY_BASE_URL", search.rootUrl(), "TAVILY_API_KEY", SEARCH_KEY, "AUTH_MODE", "api-key",
                "AUTH_API_KEYS_FILE", Path.of("target/test-classes/auth/api-keys.txt").toAbsolutePath().toString(),
                "SPOOL_DIR", spool.toString()));
        environment.putAll(Map.of("RATE_LIMIT_MAX", "30", "MAX_BODY_BYTES", "4096",
                "QUARKUS_LOG_CATEGORY__IO_CHATRELAY__LEVEL", "DEBUG", "SHUTDOWN_DRAIN_TIMEOUT", "1s"));
        service = PackagedProcess.start(environment);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void noSecretReachesTheLogOrAnyClient() throws Exception {
        String alice = ApiKeyAuthTest.ALICE_KEY;
        String session = "secrets-" + UUID.randomUUID();

        upstream.enqueue(Script.json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-test\",\"object\":\"model\"}]}"));
        call("GET", "/v1/models", alice, session, null);
        upstream.enqueue(Script.json(200, Chunks.completion("json answer")));
        call("POST", "/v1/chat/completions", alice, session, chat(false));
        upstream.enqueue(Script.stream(Chunks.content("streamed"), Chunks.finish("stop")));
        call("POST", "/v1/chat/completions", alice, session, chat(true));
        search.enqueue(Script.json(200, "{\"answer\":\"found\",\"results\":[]}"));
        upstream.enqueue(Script.stream(Chunks.toolCallStart(0, "call_s", "web_search"),
                Chunks.toolCallArguments(0, "{\"query\":\"news\"}"), Chunks.finish("tool_calls")),
                Script.stream(Chunks.content("searched"), Chunks.finish("stop")));
        call("POST", "/v1/chat/completions", alice, session, new JsonObject(chat(true)).put("tools",
                List.of("web_search")).encode());
        upstream.enqueue(Script.stream(ResponsesEvents.sequence("resp_1", "via responses")));
        call("POST", "/v1/responses", alice, session,
                "{\"model\":\"gpt-test\",\"input\":\"hi\",\"stream\":true}");

        String created = new JsonObject(call("POST", "/v1/conversations", alice, session, "{\"title\":\"t\"}").body())
                .getString("id");
        call("GET", "/v1/conversations", alice, session, null);
        call("GET", "/v1/conversations/" + created, alice, session, null);
        call("PATCH", "/v1/conversations/" + created, alice, session, "{\"pinned\":true}");
        call("DELETE", "/v1/conversations/" + created, alice, session, null);

        // The error paths: no credential, a wrong one, bad input, unknown ids, too large, the
        // provider failing, unreachable, and the rate limit.
        call("POST", "/v1/chat/completions", null, session, chat(false));
        call("POST", "/v1/chat/completions", WRONG_KEY, session, chat(false));
        call("POST", "/v1/chat/completions", alice, session, "{not json");
        call("POST", "/v1/chat/completions", alice, "bad session!", chat(false));
        call("GET", "/v1/conversations/" + UUID.randomUUID(), alice, session, null);
        call("POST", "/v1/chat/completions", alice, session, chat(false).replace("hi", "x".repeat(5000)));
        upstream.enqueue(Script.json(500, "{\"error\":{\"message\":\"provider broke\",\"type\":\"server_error\"}}"));
        call("POST", "/v1/chat/completions", alice, session, chat(false));
        upstream.enqueue(Script.hangUp());
        call("POST", "/v1/chat/completions", alice, session, chat(true));
        for (String path : List.of("/healthz", "/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi")) {
            call("GET", path, null, null, null);
        }
        int status = 0;
        for (int i = 0; i < 40 && status != 429; i++) {
            status = call("GET", "/v1/conversations", alice, session, null).statusCode();
        }
        assertEquals(429, status, "the rate limit was reached");

        service.terminate();
        assertTrue(service.exitsWithin(30));

        // The secrets were in use: the provider and the search API got their keys.
        assertEquals("Bearer " + PROVIDER_KEY, upstream.requests().get(0).header("Authorization"));
        assertEquals("Bearer " + SEARCH_KEY, search.lastRequest().header("Authorization"));
        String log = service.output();
        assertTrue(log.contains("exchange finished"), "the log was captured");
        for (String secret : List.of(PROVIDER_KEY, DB_PASSWORD, SEARCH_KEY, alice, ApiKeyAuthTest.BOB_KEY, WRONG_KEY)) {
            if (secret.isEmpty()) {
                continue;
            }
            assertFalse(log.contains(secret), "the log holds a secret");
            assertFalse(received.toString().contains(secret), "a client received a secret");
        }
    }

    private static String chat(boolean stream) {
        return "{\"model\":\"gpt-test\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    /** One request; its status, headers and body are kept for the search. */
    private HttpResponse<String> call(String method, String path, String key, String session, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (session != null) {
            request.header("X-Session-Id", session);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        received.append(response.statusCode()).append(' ').append(response.headers().map()).append('\n')
                .append(response.body()).append('\n');
        return response;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
