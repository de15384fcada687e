package io.chatrelay.chat;

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
import io.chatrelay.session.OwnerResolver;
import io.chatrelay.toolloop.ToolLoopRelay;
import io.chatrelay.toolloop.ToolSelection;
import io.chatrelay.turn.ExchangeRequest;
import io.chatrelay.turn.StoredHistory;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /v1/chat/completions}: OpenAI's endpoint, relayed and persisted. */
@Path("/v1/chat/completions")
@Tag(name = "Chat")
public class ChatCompletionResource {

    private final ChatRequestParser parser;
    private final OwnerResolver owners;
    private final ExchangeRelay relay;
    private final ToolSelection tools;
    private final ToolLoopRelay toolLoop;

    ChatCompletionResource(ChatRequestParser parser, OwnerResolver owners, ExchangeRelay relay,
            ToolSelection tools, ToolLoopRelay toolLoop) {
        this.parser = parser;
        this.owners = owners;
        this.relay = relay;
        this.tools = tools;
        this.toolLoop = toolLoop;
    }

    @POST
    // The answer's media type is the provider's, whatever the client accepts: the RestResponse names it.
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "Create a chat completion (stream or JSON)",
            description = "An OpenAI Chat Completions request. conversation_id (or X-Conversation-Id) selects "
                    + "the conversation; X-Session-Id or the cf_session_id cookie the session. With a "
                    + "session the turn is stored. X-History: stored puts the conversation's stored messages "
                    + "between the request's leading system/developer messages and the rest, so that only new "
                    + "messages need to be sent. tools may name server tools (GET /v1/tools), which the "
                    + "service runs itself.")
    @RequestBody(required = true, description = "OpenAI chat completion request, plus conversation_id",
            content = @Content(mediaType = "application/json"))
    @APIResponse(responseCode = "200", description = "The provider's answer, relayed unchanged: an event stream"
            + " when stream is true, else JSON. X-Conversation-Id names the conversation when one is used.",
            content = { @Content(mediaType = "text/event-stream"), @Content(mediaType = "application/json") })
    @APIResponse(responseCode = "400", description = "Invalid request, in OpenAI's error shape")
    @APIResponse(responseCode = "404", description = "Conversation unknown or another owner's")
    @APIResponse(responseCode = "429", description = "Conversation or message limit reached")
    @APIResponse(responseCode = "501", description = "X-History: stored while transcripts are not stored")
    @APIResponse(responseCode = "502", description = "Provider unreachable")
    @APIResponse(responseCode = "504", description = "Provider did not answer in time")
    public Uni<RestResponse<?>> create(byte[] body, RoutingContext context) {
        // Everything is validated here, before the response starts: afterwards only in-band errors remain.
        HttpServerRequest request = context.request();
        ExchangeRequest chat = parser.parse(body, request.getHeader(RequestBodyReader.CONVERSATION_HEADER),
                request.getHeader(StoredHistory.HEADER));
        var owner = owners.resolve(context);
        ToolSelection.ToolPlan plan = tools.plan(chat.upstreamBody());
        var response = plan.usesServerTools() ? toolLoop.relay(chat, plan, owner)
                : relay.relay(Protocol.CHAT_COMPLETIONS, chat, owner);
        return response;
    }
}
