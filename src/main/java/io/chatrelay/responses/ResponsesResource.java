package io.chatrelay.responses;

import java.util.List;
import java.util.Optional;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestMulti;

import io.chatrelay.chat.ChatRequestParser;
import io.chatrelay.chat.ExchangeRelay;
import io.chatrelay.chat.ExchangeRequest;
import io.chatrelay.chat.Protocol;
import io.chatrelay.chat.RelayedResponse;
import io.chatrelay.chat.SseFrames;
import io.chatrelay.session.SessionResolver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** {@code POST /v1/responses}: OpenAI's Responses API, relayed and persisted like chat completions. */
@Path("/v1/responses")
public class ResponsesResource {

    /** Its stream ends with {@code response.completed}; a broken one with an {@code error} event, no {@code [DONE]}. */
    static final Protocol PROTOCOL = new Protocol("responses", ResponsesAnswer::new,
            message -> List.of(SseFrames.responsesError(message)));

    private final ResponsesRequestParser parser;
    private final SessionResolver sessions;
    private final ExchangeRelay relay;

    ResponsesResource(ResponsesRequestParser parser, SessionResolver sessions, ExchangeRelay relay) {
        this.parser = parser;
        this.sessions = sessions;
        this.relay = relay;
    }

    @POST
    @Operation(summary = "Create a model response (stream or JSON), persisted when a session is given")
    public RestMulti<Buffer> create(byte[] body, HttpServerRequest request) {
        // Everything is validated here, before the response starts: afterwards only in-band errors remain.
        ExchangeRequest exchange = parser.parse(body, request.getHeader(ChatRequestParser.CONVERSATION_HEADER),
                request.getHeader(ResponsesRequestParser.PREVIOUS_RESPONSE_HEADER));
        Optional<String> session = sessions.resolve(request);
        return RestMulti.fromUniResponse(relay.relay(PROTOCOL, exchange, session), RelayedResponse::body,
                RelayedResponse::headers, RelayedResponse::status);
    }
}
