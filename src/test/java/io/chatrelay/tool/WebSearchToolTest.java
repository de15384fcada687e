package io.chatrelay.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.RecordedRequest;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class WebSearchToolTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MockUpstream searchApi = MockUpstream.searchApi();

    @Inject
    ToolRegistry registry;

    @BeforeEach
    void setUp() {
        searchApi.reset();
    }

    private String execute(String name, String arguments) {
        return registry.execute(name, arguments).await().atMost(WAIT);
    }

    @Test
    void searchesAndReturnsTheAnswerAndNumberedResults() {
        String longContent = "word ".repeat(100);
        StringBuilder results = new StringBuilder();
        for (int i = 1; i <= 6; i++) {
            results.append(i > 1 ? "," : "").append("{\"title\":\"Title ").append(i)
                    .append("\",\"url\":\"https://example.com/").append(i).append("\",\"content\":\"")
                    .append(i == 2 ? longContent : "Extract\\nnumber " + i)
                    .append("\",\"score\":0.").append(9 - i).append(",\"raw_content\":null}");
        }
        searchApi.enqueue(Script.json(200, "{\"query\":\"quarkus release\",\"answer\":\"Quarkus 3.33 is out.\","
                + "\"images\":[],\"follow_up_questions\":null,\"results\":[" + results + "],\"response_time\":0.42}"));

        String output = execute("web_search", "{\"query\":\"  quarkus release \"}");

        assertEquals(1, searchApi.requestCount());
        RecordedRequest request = searchApi.lastRequest();
        assertEquals("POST", request.method());
        assertEquals("/search", request.path());
        assertEquals("Bearer " + MockUpstreamResource.SEARCH_KEY, request.header("Authorization"));
        assertTrue(request.header("Content-Type").startsWith("application/json"), request.header("Content-Type"));
        JsonObject body = new JsonObject(request.body());
        assertEquals("quarkus release", body.getString("query"));
        assertEquals(5, body.getInteger("max_results"));
        assertEquals(true, body.getBoolean("include_answer"));
        assertEquals("basic", body.getString("search_depth"));

        String trimmed = "word ".repeat(60).strip() + "…";
        assertEquals("Answer: Quarkus 3.33 is out.\n"
                + "1. Title 1 — https://example.com/1\n   Extract number 1\n"
                + "2. Title 2 — https://example.com/2\n   " + trimmed + "\n"
                + "3. Title 3 — https://example.com/3\n   Extract number 3\n"
                + "4. Title 4 — https://example.com/4\n   Extract number 4\n"
                + "5. Title 5 — https://example.com/5\n   Extract number 5", output);
    }

    @Test
    void withoutAnAnswerListsOnlyTheResults() {
        searchApi.enqueue(Script.json(200, "{\"answer\":null,\"results\":[{\"title\":\"Only\","
                + "\"url\":\"https://example.org\",\"content\":\"Text\",\"score\":0.5}]}"));

        assertEquals("1. Only — https://example.org\n   Text", execute("web_search", "{\"query\":\"only\"}"));
    }

    @Test
    void badArgumentsFailWithoutCallingTheSearchApi() {
        assertEquals("Tool web_search failed: arguments are not valid JSON", execute("web_search", "{\"query\":"));
        assertEquals("Tool web_search failed: \"query\" is required", execute("web_search", "{}"));
        assertEquals("Tool web_search failed: \"query\" must be a string", execute("web_search", "{\"query\":42}"));
        assertEquals("Tool web_search failed: \"query\" must not be blank",
                execute("web_search", "{\"query\":\"   \"}"));
        assertEquals("Tool web_search failed: \"query\" is longer than 400 characters",
                execute("web_search", "{\"query\":\"" + "a".repeat(401) + "\"}"));
        assertEquals("Tool web_search failed: only the argument \"query\" is accepted",
                execute("web_search", "{\"query\":\"x\",\"max_results\":20}"));
        assertEquals(0, searchApi.requestCount());
    }

    @Test
    void anErrorStatusBecomesAFailureWithoutTheKey() {
        // Providers echo the key back in error bodies; none of it may reach the model.
        searchApi.enqueue(Script.json(500, "{\"detail\":{\"error\":\"boom for " + MockUpstreamResource.SEARCH_KEY
                + "\"}}"));

        String output = execute("web_search", "{\"query\":\"anything\"}");

        assertEquals("Tool web_search failed: search API answered 500", output);
        assertFalse(output.contains(MockUpstreamResource.SEARCH_KEY));
    }

    @Test
    void aRejectedKeyBecomesAFailureWithTheStatus() {
        searchApi.enqueue(Script.json(401, "{\"detail\":{\"error\":\"Unauthorized: missing or invalid API key.\"}}"));

        assertEquals("Tool web_search failed: search API answered 401",
                execute("web_search", "{\"query\":\"anything\"}"));
    }

    @Test
    void aBrokenConnectionBecomesUnreachable() {
        searchApi.enqueue(Script.streamHead().reset());

        assertEquals("Tool web_search failed: search API unreachable", execute("web_search", "{\"query\":\"x\"}"));
    }

    @Test
    void anUnknownToolFails() {
        assertEquals("Tool nope failed: unknown tool", execute("nope", "{}"));
    }
}
