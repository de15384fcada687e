package io.chatrelay.tool.search;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * The Tavily-compatible search API at TAVILY_BASE_URL ({@code quarkus.rest-client.tavily.*}).
 * Only {@link TavilyClient} calls it.
 * <p>
 * The records are registered for reflection one by one: Jackson binds them through their
 * canonical constructors and accessors, and in a native executable Quarkus registers only
 * the types it sees in the method signatures, not those nested in them ({@code SearchResult}
 * inside a {@code List}).
 */
@RegisterRestClient(configKey = "tavily")
interface TavilyRestClient {

    /** Searches; non-2xx answers fail with a {@code WebApplicationException}. */
    @POST
    @Path("/search")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<SearchResponse> search(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, SearchRequest request);

    /** The body of {@code POST /search}. */
    @RegisterForReflection
    record SearchRequest(String query, @JsonProperty("max_results") int maxResults,
            @JsonProperty("include_answer") boolean includeAnswer, @JsonProperty("search_depth") String searchDepth) {
    }

    /** The parts of Tavily's answer the tool uses; the API adds fields over time. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    record SearchResponse(String answer, List<SearchResult> results) {
    }

    /** One hit; {@code content} is Tavily's extract of the page, not the page itself. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    record SearchResult(String title, String url, String content, Double score) {
    }
}
