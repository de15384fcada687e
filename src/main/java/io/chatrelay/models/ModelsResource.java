package io.chatrelay.models;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import io.chatrelay.relay.RelayedResponses;
import io.chatrelay.upstream.UpstreamClient;
import io.smallrye.mutiny.Uni;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: the provider's answer, relayed
 * unchanged (status, body, content type), with the service's key upstream. Nothing is
 * stored; the rate limit applies as to every {@code /v1/*} call.
 */
@Path("/v1/models")
@Tag(name = "Models")
public class ModelsResource {

    private final UpstreamClient upstream;

    ModelsResource(UpstreamClient upstream) {
        this.upstream = upstream;
    }

    @GET
    // The answer's media type is the provider's: the RestResponse names it.
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "List the provider's models", description = "Relayed to the provider's /models.")
    @APIResponse(responseCode = "200", description = "The provider's model list, relayed unchanged",
            content = @Content(mediaType = "application/json"))
    @APIResponse(responseCode = "502", description = "Provider unreachable")
    @APIResponse(responseCode = "504", description = "Provider did not answer in time")
    public Uni<RestResponse<?>> list() {
        return relay("models");
    }

    @GET
    // Any id the provider may know, slashes included ("meta-llama/Llama-3-8B"); ModelPath encodes it.
    @Path("{id: .+}")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "Retrieve one of the provider's models", description = "Relayed to the provider's "
            + "/models/{id}; the id is passed on percent-encoded, segment by segment.")
    @APIResponse(responseCode = "200", description = "The provider's model object, relayed unchanged",
            content = @Content(mediaType = "application/json"))
    @APIResponse(responseCode = "404", description = "The provider does not know the model (its answer, relayed)")
    @APIResponse(responseCode = "502", description = "Provider unreachable")
    @APIResponse(responseCode = "504", description = "Provider did not answer in time")
    public Uni<RestResponse<?>> retrieve(
            @Parameter(description = "The model id, e.g. gpt-4.1-mini") @PathParam("id") @Encoded String id) {
        return relay(ModelPath.of(id));
    }

    /** The provider's answer read whole, then sent with its status and content type. */
    private Uni<RestResponse<?>> relay(String path) {
        return upstream.get(path).chain(answer -> answer.bodyAsBuffer()
                // A body cut off or too large fails as the 502 the client gets.
                .onCancellation().invoke(answer::cancel)
                .map(body -> {
                    Map<String, List<String>> headers = RelayedResponses.providerHeaders(answer);
                    return RelayedResponses.whole(answer.status(), headers, body);
                }));
    }
}
