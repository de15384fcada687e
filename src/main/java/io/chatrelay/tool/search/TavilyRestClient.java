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

import io.smallrye.mutiny.Uni;

/**
 * The Tavily-compatible search API at TAVILY_BASE_URL ({@code quarkus.rest-client.tavily.*}).
 * Only {@link TavilyClient} calls it.
 * <p>
 * Jackson binds the records reflectively; Quarkus registers them for a native executable
 * from this interface's signatures, the nested {@code SearchResult} included
 * (.ci/check-native-registrations checks it).
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
    record SearchRequest(String query, @JsonProperty("max_results") int maxResults,
            @JsonProperty("include_answer") boolean includeAnswer, @JsonProperty("search_depth") String searchDepth) {
    }

    /** The parts of Tavily's answer the tool uses; the API adds fields over time. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record SearchResponse(String answer, List<SearchResult> results) {
    }

    /** One hit; {@code content} is Tavily's extract of the page, not the page itself. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record SearchResult(String title, String url, String content, Double score) {
    }
}
