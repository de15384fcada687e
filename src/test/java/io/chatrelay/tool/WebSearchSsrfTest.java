package io.chatrelay.tool;

import static io.chatrelay.testing.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * {@code web_search} reaches only the configured search API (TAVILY_BASE_URL): no URL that the
 * model or the client chose is ever fetched, whether it comes as the query, as an extra
 * argument, in the search results, or as a redirect of the search API. A second server stands
 * in for an internal address that an attacker aims at; it must receive nothing.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class WebSearchSsrfTest {

    private final MockUpstream upstream = MockUpstream.shared();
    private final MockUpstream search = MockUpstream.searchApi();
    private final MockUpstream bystander = MockUpstream.bystander();
    private String session;
    private String target;

    @BeforeEach
    void setUp() {
        upstream.reset();
        search.reset();
        bystander.reset();
        session = "ssrf-" + UUID.randomUUID();
        target = bystander.rootUrl() + "/internal/secrets";
    }

    @Test
    void aQueryThatIsAUrlIsSentToTheSearchApiAsText() {
        search.enqueue(Script.json(200, "{\"answer\":null,\"results\":[]}"));

        String output = runSearch(new JsonObject().put("query", target).encode());

        assertEquals("No results.", output);
        assertEquals(1, search.requestCount());
        assertEquals("/search", search.lastRequest().path());
        assertEquals(target, new JsonObject(search.lastRequest().body()).getString("query"));
        assertEquals(0, bystander.requestCount());
    }

    @Test
    void argumentsThatNameAUrlAreRefusedWithoutAnyRequest() {
        for (JsonObject arguments : List.of(new JsonObject().put("query", "x").put("url", target),
                new JsonObject().put("url", target), new JsonObject().put("query", "x").put("base_url", target),
                new JsonObject().put("query", "x").put("include_domains", new JsonArray().add(target)))) {
            String output = runSearch(arguments.encode());
            assertTrue(output.startsWith("Tool web_search failed: "), output);
        }
        assertEquals(0, search.requestCount());
        assertEquals(0, bystander.requestCount());
    }

    @Test
    void urlsInTheSearchResultsAreNotFetched() {
        search.enqueue(Script.json(200, new JsonObject().put("answer", "See " + target)
                .put("results", new JsonArray().add(new JsonObject().put("title", "t").put("url", target)
                        .put("content", "c " + target))).encode()));

        String output = runSearch("{\"query\":\"anything\"}");

        assertTrue(output.contains(target), output);
        assertEquals(0, bystander.requestCount());
    }

    @Test
    void aRedirectOfTheSearchApiIsNotFollowed() {
        search.enqueue(Script.whole(307, Map.of("Location", target), ""),
                Script.whole(302, Map.of("Location", target), ""));

        assertEquals("Tool web_search failed: search API answered 307", runSearch("{\"query\":\"a\"}"));
        assertEquals("Tool web_search failed: search API answered 302", runSearch("{\"query\":\"b\"}"));
        assertEquals(0, bystander.requestCount());
    }

    /** One non-streamed tool turn in which the model calls web_search with these arguments; its output. */
    private String runSearch(String arguments) {
        upstream.enqueue(Script.json(200, Chunks.toolCallCompletion("call_1", "web_search", arguments)),
                Script.json(200, Chunks.completion("done")));
        JsonObject body = Api.chat("search", false).put("tools", new JsonArray().add("web_search"));
        JsonPath answer = as(session).body(body.encode()).post("/v1/chat/completions").then().statusCode(200)
                .extract().jsonPath();
        upstream.reset();
        return answer.getString("tool_events[1].value.output");
    }
}
