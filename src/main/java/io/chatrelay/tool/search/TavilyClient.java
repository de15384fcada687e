package io.chatrelay.tool.search;

import java.util.Optional;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JacksonException;

import io.chatrelay.error.Causes;
import io.chatrelay.tool.ToolFailure;
import io.chatrelay.tool.ToolsConfig;
import io.chatrelay.tool.search.TavilyRestClient.SearchRequest;
import io.chatrelay.tool.search.TavilyRestClient.SearchResponse;
import io.smallrye.mutiny.Uni;

/**
 * Searches through the Tavily-compatible API with TAVILY_API_KEY. Every failure becomes a
 * {@link ToolFailure} whose reason is safe to show the model: the key is never part of a
 * reason or a log line, and neither is the provider's error body (it may echo the key).
 */
@ApplicationScoped
class TavilyClient {

    static final int MAX_RESULTS = 5;

    private static final Logger LOG = Logger.getLogger(TavilyClient.class);

    private final TavilyRestClient rest;
    private final Optional<String> apiKey;

    @Inject
    TavilyClient(@RestClient TavilyRestClient rest, ToolsConfig config) {
        this(rest, config.tavilyApiKey());
    }

    TavilyClient(TavilyRestClient rest, Optional<String> apiKey) {
        this.rest = rest;
        this.apiKey = apiKey.map(String::strip).filter(key -> !key.isEmpty());
    }

    /** Runs a basic-depth search for up to {@value #MAX_RESULTS} results and a short answer. */
    Uni<SearchResponse> search(String query) {
        if (apiKey.isEmpty()) {
            // Checked per call rather than at start-up: the rest of the service works without search.
            return Uni.createFrom().failure(new ToolFailure("TAVILY_API_KEY is not configured"));
        }
        SearchRequest request = new SearchRequest(query, MAX_RESULTS, true, "basic");
        return Uni.createFrom().deferred(() -> rest.search("Bearer " + apiKey.get(), request))
                .onFailure().transform(TavilyClient::toToolFailure);
    }

    private static Throwable toToolFailure(Throwable failure) {
        if (failure instanceof ToolFailure) {
            return failure;
        }
        if (failure instanceof WebApplicationException http) {
            int status = http.getResponse().getStatus();
            LOG.warnf("Search API answered %d", status);
            return new ToolFailure("search API answered " + status);
        }
        // Exception messages may carry URLs or bodies: only the type is logged.
        LOG.warnf("Search API call failed (%s)", Causes.root(failure).getClass().getName());
        if (Causes.has(failure, TimeoutException.class)) {
            return new ToolFailure("search API did not answer in time");
        }
        if (Causes.has(failure, JacksonException.class)) {
            return new ToolFailure("search API answered an unreadable body");
        }
        return new ToolFailure("search API unreachable");
    }
}
