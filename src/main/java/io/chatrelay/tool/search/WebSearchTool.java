package io.chatrelay.tool.search;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.tool.ServerTool;
import io.chatrelay.tool.ToolFailure;
import io.chatrelay.tool.search.TavilyRestClient.SearchResponse;
import io.chatrelay.tool.search.TavilyRestClient.SearchResult;
import io.smallrye.mutiny.Uni;

/**
 * {@code web_search}: searches the web through the Tavily-compatible API and hands the
 * model a compact text (the API's short answer, then numbered results with extracts).
 */
@ApplicationScoped
public class WebSearchTool implements ServerTool {

    static final String NAME = "web_search";
    static final int MAX_QUERY_LENGTH = 400;
    // Enough of each extract to judge the hit without flooding the model's context.
    static final int MAX_CONTENT_LENGTH = 300;

    private static final ObjectNode SPEC = spec(JsonNodeFactory.instance);

    private final TavilyClient tavily;

    WebSearchTool(TavilyClient tavily) {
        this.tavily = tavily;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ObjectNode spec() {
        // Callers may add to the spec they get; the shared one stays intact.
        return SPEC.deepCopy();
    }

    @Override
    public Uni<String> run(JsonNode arguments) {
        String query;
        try {
            query = query(arguments);
        } catch (ToolFailure e) {
            return Uni.createFrom().failure(e);
        }
        return tavily.search(query).map(WebSearchTool::format);
    }

    private static String query(JsonNode arguments) {
        arguments.fieldNames().forEachRemaining(field -> {
            if (!field.equals("query")) {
                throw new ToolFailure("only the argument \"query\" is accepted");
            }
        });
        JsonNode query = arguments.get("query");
        if (query == null || query.isNull()) {
            throw new ToolFailure("\"query\" is required");
        }
        if (!query.isTextual()) {
            throw new ToolFailure("\"query\" must be a string");
        }
        String text = query.textValue().strip();
        if (text.isEmpty()) {
            throw new ToolFailure("\"query\" must not be blank");
        }
        if (text.codePointCount(0, text.length()) > MAX_QUERY_LENGTH) {
            throw new ToolFailure("\"query\" is longer than " + MAX_QUERY_LENGTH + " characters");
        }
        return text;
    }

    static String format(SearchResponse response) {
        StringBuilder out = new StringBuilder();
        String answer = oneLine(response.answer());
        if (!answer.isEmpty()) {
            out.append("Answer: ").append(answer).append('\n');
        }
        List<SearchResult> results = response.results() == null ? List.of() : response.results();
        int n = 0;
        for (SearchResult result : results) {
            if (n == TavilyClient.MAX_RESULTS) {
                break;
            }
            if (result == null) {
                continue;
            }
            n++;
            String title = oneLine(result.title());
            out.append(n).append(". ").append(title.isEmpty() ? "(untitled)" : title)
                    .append(" — ").append(oneLine(result.url())).append('\n');
            String content = trim(oneLine(result.content()));
            if (!content.isEmpty()) {
                out.append("   ").append(content).append('\n');
            }
        }
        if (out.isEmpty()) {
            return "No results.";
        }
        return out.substring(0, out.length() - 1);
    }

    /** Collapses line breaks and runs of spaces, so that each part stays on its line. */
    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").strip();
    }

    private static String trim(String text) {
        if (text.length() <= MAX_CONTENT_LENGTH) {
            return text;
        }
        int cut = text.lastIndexOf(' ', MAX_CONTENT_LENGTH);
        // A single very long word is cut mid-word rather than dropped.
        if (cut < MAX_CONTENT_LENGTH / 2) {
            cut = MAX_CONTENT_LENGTH;
        }
        if (Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return text.substring(0, cut).stripTrailing() + "…";
    }

    private static ObjectNode spec(JsonNodeFactory nodes) {
        ObjectNode parameters = nodes.objectNode().put("type", "object");
        parameters.putObject("properties").putObject("query")
                .put("type", "string")
                .put("maxLength", MAX_QUERY_LENGTH)
                .put("description", "What to search for, as you would type it into a search engine.");
        parameters.putArray("required").add("query");
        parameters.put("additionalProperties", false);
        ObjectNode spec = nodes.objectNode().put("type", "function");
        spec.putObject("function")
                .put("name", NAME)
                .put("description", "Searches the web. Returns a short answer when one is available, then up to "
                        + TavilyClient.MAX_RESULTS + " results, each with title, URL and an extract.")
                .set("parameters", parameters);
        return spec;
    }
}
