package io.chatrelay.relay;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.error.ApiException;
import io.chatrelay.metrics.RelayMetrics;
import io.chatrelay.turn.AnswerFolder;
import io.chatrelay.turn.ExchangeRequest;
import io.chatrelay.turn.TurnOpener;
import io.chatrelay.turn.TurnOpener.OpenedTurn;
import io.chatrelay.upstream.UpstreamClient;
import io.chatrelay.upstream.UpstreamResponse;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * One exchange with the provider: open the turn, call the provider, relay its answer and
 * store the assistant message, whatever the outcome. The protocol (chat completions or
 * responses) decides the path and how the answer is folded.
 */
@ApplicationScoped
public class ExchangeRelay {

    private static final Logger LOG = Logger.getLogger(ExchangeRelay.class);
    /** Provider headers worth passing on: request ids help users when they report a problem. */
    private static final List<String> RELAYED_HEADERS = List.of("x-request-id", "openai-processing-ms",
            "openai-version");

    /** What is stored when the provider failed before any of its answer arrived. */
    public static final AssistantMessage NO_ANSWER = new ChatCompletionAccumulator()
            .toMessage(MessageStatus.ERROR);
    private static final AssistantMessage LEFT_BEFORE_ANSWER = new ChatCompletionAccumulator()
            .toMessage(MessageStatus.ABORTED);

    private final TurnOpener opener;
    private final UpstreamClient upstream;
    private final ObjectMapper json;
    private final RelayMetrics metrics;

    ExchangeRelay(TurnOpener opener, UpstreamClient upstream, ObjectMapper json, RelayMetrics metrics) {
        this.opener = opener;
        this.upstream = upstream;
        this.json = json;
        this.metrics = metrics;
    }

    public Uni<RelayedResponse> relay(Protocol protocol, ExchangeRequest request, Optional<String> session) {
        ExchangeLog log = new ExchangeLog(protocol.path(), session);
        // Written once the turn is open: opening may have added the stored history to the messages.
        return open(log, session, request).chain(turn -> abortIfLeft(turn,
                upstream.post(protocol.path(), Buffer.buffer(upstreamBytes(request.upstreamBody())), request.stream())
                        .onFailure().call(failure -> turn.recorder().finish(NO_ANSWER))
                        .invoke(answer -> log.upstreamStatus(answer.status()))
                        .chain(answer -> respond(protocol, request, turn, answer))))
                .map(log::counting)
                .onFailure().invoke(log::failed);
    }

    /**
     * A client that leaves before the response starts (the provider has not answered yet,
     * or a JSON answer is still being read) cancels this: the turn is stored as aborted.
     * Once the response has started, the stream's own cancellation takes over.
     */
    public static <T> Uni<T> abortIfLeft(OpenedTurn turn, Uni<T> exchange) {
        return exchange.onCancellation().invoke(() -> turn.recorder().finish(LEFT_BEFORE_ANSWER).subscribe()
                .with(ignored -> {
                }));
    }

    /** Opens the turn with its outcome also reported to the exchange's log line. */
    public Uni<OpenedTurn> open(ExchangeLog log, Optional<String> session, ExchangeRequest request) {
        return opener.open(session, request).map(turn -> {
            log.conversation(turn.conversationId());
            return new OpenedTurn(turn.conversationId(), log.observe(turn.recorder()));
        });
    }

    private Uni<RelayedResponse> respond(Protocol protocol, ExchangeRequest request, OpenedTurn turn,
            UpstreamResponse answer) {
        Map<String, List<String>> headers = relayedHeaders(answer, turn);
        if (answer.status() < 400 && request.stream()) {
            RelayedBody stream = new StreamRelay(answer, turn.recorder(), protocol, metrics);
            return Uni.createFrom().item(new RelayedResponse(answer.status(), asStream(headers), stream));
        }
        return relayWhole(protocol.newFolder(), turn, answer, headers);
    }

    /** A JSON answer or an error: read it whole, store the turn, then send it unchanged. */
    public Uni<RelayedResponse> relayWhole(AnswerFolder folder, OpenedTurn turn, UpstreamResponse answer,
            Map<String, List<String>> headers) {
        return answer.bodyAsBuffer()
                .onFailure().call(failure -> turn.recorder().finish(NO_ANSWER))
                .onFailure().transform(failure -> new ApiException(502, "upstream_error",
                        "upstream_error", null, "The upstream provider's answer was cut off"))
                .chain(bytes -> turn.recorder().finish(fold(folder, answer.status(), bytes))
                        .replaceWith(new RelayedResponse(answer.status(), headers, RelayedBody.whole(bytes))));
    }

    private AssistantMessage fold(AnswerFolder answer, int status, Buffer bytes) {
        if (status >= 400) {
            return NO_ANSWER;
        }
        try {
            answer.acceptBody(json.readTree(bytes.getBytes()));
        } catch (IOException e) {
            LOG.debug("Upstream answered 2xx with a body that is not JSON");
            return answer.toMessage(MessageStatus.ERROR);
        }
        return answer.toMessage(answer.sawUpstreamError() ? MessageStatus.ERROR : MessageStatus.FINAL);
    }

    public byte[] upstreamBytes(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("A parsed JSON tree could not be written back", e);
        }
    }

    /** The provider's headers a client gets: its content type and its request ids. A mutable map. */
    public static Map<String, List<String>> providerHeaders(UpstreamResponse answer) {
        Map<String, List<String>> headers = new HashMap<>();
        String contentType = answer.header("Content-Type");
        if (contentType != null) {
            headers.put("Content-Type", List.of(contentType));
        }
        for (String name : RELAYED_HEADERS) {
            String value = answer.header(name);
            if (value != null) {
                headers.put(name, List.of(value));
            }
        }
        return headers;
    }

    public static Map<String, List<String>> asStream(Map<String, List<String>> headers) {
        headers.put("Cache-Control", List.of("no-cache"));
        // Tells nginx-style proxies in front of us not to buffer the stream.
        headers.put("X-Accel-Buffering", List.of("no"));
        return headers;
    }

    public static Map<String, List<String>> relayedHeaders(UpstreamResponse answer, OpenedTurn turn) {
        Map<String, List<String>> headers = providerHeaders(answer);
        if (turn.conversationId() != null) {
            headers.put(RequestBodyReader.CONVERSATION_HEADER, List.of(turn.conversationId().toString()));
        }
        return headers;
    }
}
