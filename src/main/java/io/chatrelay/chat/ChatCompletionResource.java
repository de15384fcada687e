package io.chatrelay.chat;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestMulti;

import io.chatrelay.session.SessionResolver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** {@code POST /v1/chat/completions}: OpenAI's endpoint, relayed and persisted. */
@Path("/v1/chat/completions")
public class ChatCompletionResource {

    private final ChatRequestParser parser;
    private final SessionResolver sessions;
    private final ExchangeRelay relay;
    private final ToolSelection tools;
    private final ToolLoopRelay toolLoop;

    ChatCompletionResource(ChatRequestParser parser, SessionResolver sessions, ExchangeRelay relay,
            ToolSelection tools, ToolLoopRelay toolLoop) {
        this.parser = parser;
        this.sessions = sessions;
        this.relay = relay;
        this.tools = tools;
        this.toolLoop = toolLoop;
    }

    @POST
    @Operation(summary = "Create a chat completion (stream or JSON), persisted when a session is given")
    public RestMulti<Buffer> create(byte[] body, HttpServerRequest request) {
        // Everything is validated here, before the response starts: afterwards only in-band errors remain.
        ExchangeRequest chat = parser.parse(body, request.getHeader(ChatRequestParser.CONVERSATION_HEADER));
        var session = sessions.resolve(request);
        ToolSelection.ToolPlan plan = tools.plan(chat.upstreamBody());
        var response = plan.usesServerTools() ? toolLoop.relay(chat, plan, session)
                : relay.relay(Protocol.CHAT_COMPLETIONS, chat, session);
        return RestMulti.fromUniResponse(response, RelayedResponse::body, RelayedResponse::headers,
                RelayedResponse::status);
    }
}
