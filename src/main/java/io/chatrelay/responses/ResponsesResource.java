package io.chatrelay.responses;

import java.util.List;
import java.util.Optional;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import io.chatrelay.relay.ExchangeRelay;
import io.chatrelay.relay.Protocol;
import io.chatrelay.relay.RequestBodyReader;
import io.chatrelay.session.Owner;
import io.chatrelay.session.OwnerResolver;
import io.chatrelay.sse.SseFrames;
import io.chatrelay.turn.ExchangeRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /v1/responses}: OpenAI's Responses API, relayed and persisted like chat completions. */
@Path("/v1/responses")
@Tag(name = "Responses")
public class ResponsesResource {

    /** Its stream ends with {@code response.completed}; a broken one with an {@code error} event, no {@code [DONE]}. */
    static final Protocol PROTOCOL = new Protocol("responses", ResponsesAnswer::new,
            message -> List.of(SseFrames.responsesError(message)));

    private final ResponsesRequestParser parser;
    private final OwnerResolver owners;
    private final ExchangeRelay relay;

    ResponsesResource(ResponsesRequestParser parser, OwnerResolver owners, ExchangeRelay relay) {
        this.parser = parser;
        this.owners = owners;
        this.relay = relay;
    }

    @POST
    // The answer's media type is the provider's, whatever the client accepts: the RestResponse names it.
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "Create a model response (stream or JSON)",
            description = "An OpenAI Responses API request, relayed to the provider's /responses. "
                    + "previous_response_id may also come from X-Previous-Response-Id. With a session the "
                    + "turn is stored, with the provider's response id.")
    @RequestBody(required = true, description = "OpenAI Responses request, plus conversation_id",
            content = @Content(mediaType = "application/json"))
    @APIResponse(responseCode = "200", description = "The provider's answer, relayed unchanged: an event stream"
            + " when stream is true, else JSON. X-Conversation-Id names the conversation when one is used.",
            content = { @Content(mediaType = "text/event-stream"), @Content(mediaType = "application/json") })
    @APIResponse(responseCode = "400", description = "Invalid request, in OpenAI's error shape")
    @APIResponse(responseCode = "404", description = "Conversation unknown or another owner's")
    @APIResponse(responseCode = "429", description = "Conversation or message limit reached")
    @APIResponse(responseCode = "502", description = "Provider unreachable")
    @APIResponse(responseCode = "504", description = "Provider did not answer in time")
    public Uni<RestResponse<?>> create(byte[] body, RoutingContext context) {
        // Everything is validated here, before the response starts: afterwards only in-band errors remain.
        HttpServerRequest request = context.request();
        ExchangeRequest exchange = parser.parse(body, request.getHeader(RequestBodyReader.CONVERSATION_HEADER),
                request.getHeader(ResponsesRequestParser.PREVIOUS_RESPONSE_HEADER));
        Optional<Owner> owner = owners.resolve(context);
        return relay.relay(PROTOCOL, exchange, owner);
    }
}
