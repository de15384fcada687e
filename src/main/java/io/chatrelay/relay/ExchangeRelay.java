package io.chatrelay.relay;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.metrics.RelayMetrics;
import io.chatrelay.session.Owner;
import io.chatrelay.sse.SseEventTooLarge;
import io.chatrelay.turn.AnswerFolder;
import io.chatrelay.turn.ExchangeRequest;
import io.chatrelay.turn.TurnOpener;
import io.chatrelay.turn.TurnOpener.OpenedTurn;
import io.chatrelay.turn.TurnRecorder;
import io.chatrelay.upstream.UpstreamClient;
import io.chatrelay.upstream.UpstreamResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * One exchange with the provider: open the turn, call the provider, relay its answer and
 * store the assistant message, whatever the outcome. A streamed answer is a
 * {@code Multi<Buffer>} ({@link AnswerStream}) that the resource returns as its entity
 * ({@link RelayedBodyWriter} writes it); a JSON answer or an error is read whole, stored,
 * then sent unchanged. The protocol (chat completions or responses) decides the path and
 * how the answer is folded.
 */
@ApplicationScoped
public class ExchangeRelay {

    private static final Logger LOG = Logger.getLogger(ExchangeRelay.class);
    public static final String BROKEN_STREAM = "The upstream stream ended unexpectedly";
    public static final String EVENT_TOO_LARGE = "The upstream provider sent an event larger than the relay accepts";

    /** Makes the response once the provider's head arrived; {@code headers} are the ones to relay, mutable. */
    @FunctionalInterface
    public interface Responder {
        Uni<RestResponse<?>> respond(OpenedTurn turn, UpstreamResponse answer, Map<String, List<String>> headers);
    }

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

    /** The plain relay: the provider's answer goes to the client as it came. */
    public Uni<RestResponse<?>> relay(Protocol protocol, ExchangeRequest request, Optional<Owner> owner) {
        return exchange(protocol.path(), request, owner, (turn, answer, headers) -> {
            AnswerFolder folder = protocol.newFolder();
            if (answer.status() < 400 && request.stream()) {
                return Uni.createFrom().item(RelayedResponses.streamed(answer.status(), headers,
                        relayStream(protocol, new AnswerStream(folder, turn.recorder()), answer)));
            }
            return relayWhole(answer, turn.recorder(), folder, headers, (completion, bytes) -> {
                folder.acceptBody(completion);
                String status = folder.sawUpstreamError() ? MessageStatus.ERROR : MessageStatus.FINAL;
                return turn.recorder().finish(folder.toMessage(status))
                        .replaceWith(RelayedResponses.whole(answer.status(), headers, bytes));
            });
        });
    }

    /**
     * Opens the turn, posts the request's body to {@code path} and hands the provider's
     * answer to {@code responder}. A provider that cannot be reached stores the turn as an
     * error; a client that leaves before the response starts stores it as aborted and stops
     * the provider. The exchange's log line is written when the response has ended.
     */
    public Uni<RestResponse<?>> exchange(String path, ExchangeRequest request, Optional<Owner> owner,
            Responder responder) {
        ExchangeLog log = new ExchangeLog(path, owner);
        // Opening goes on when the client leaves meanwhile (its user message may be committed
        // already): memoized, so that the turn it opens can still be closed as aborted.
        Uni<OpenedTurn> opening = open(log, owner, request).memoize().indefinitely();
        // Written once the turn is open: opening may have added the stored history to the messages.
        return opening.onCancellation().invoke(() -> abortOnceOpen(opening))
                .chain(turn -> post(path, request.upstreamBody(), request.stream())
                        .onFailure().call(failure -> turn.recorder().finish(emptyAnswer(MessageStatus.ERROR)))
                        .invoke(answer -> log.upstreamStatus(answer.status()))
                        .chain(answer -> responder.respond(turn, answer, RelayedResponses.relayedHeaders(answer, turn))
                                // A whole answer still being read: the provider stops sending it.
                                .onCancellation().invoke(answer::cancel))
                        .onCancellation().invoke(() -> abort(turn)))
                .map(log::counting)
                .onFailure().invoke(log::failed);
    }

    /** The client left while the turn was being opened: once it is open, its answer is stored as aborted. */
    private static void abortOnceOpen(Uni<OpenedTurn> opening) {
        opening.subscribe().with(ExchangeRelay::abort, failure -> {
            // Nothing was opened (refused or not stored): there is no turn to close.
        });
    }

    private static void abort(OpenedTurn turn) {
        turn.recorder().finish(emptyAnswer(MessageStatus.ABORTED)).subscribe().with(ignored -> {
        });
    }

    /** Opens the turn with its outcome also reported to the exchange's log line. */
    private Uni<OpenedTurn> open(ExchangeLog log, Optional<Owner> owner, ExchangeRequest request) {
        return opener.open(owner, request).map(turn -> {
            log.conversation(turn.conversationId());
            return new OpenedTurn(turn.conversationId(), log.observe(turn.recorder()));
        });
    }

    public Uni<UpstreamResponse> post(String path, ObjectNode body, boolean stream) {
        return upstream.post(path, Buffer.buffer(bytesOf(body)), stream);
    }

    /**
     * The streamed answer of a plain relay: once the provider's body is over, the message is
     * committed, then the held end goes out; a body that broke ends with the protocol's
     * in-band error. A client that leaves stores what arrived as aborted and stops the provider.
     */
    private Multi<Buffer> relayStream(Protocol protocol, AnswerStream stream, UpstreamResponse answer) {
        TurnRecorder recorder = stream.recorder();
        recorder.onShutdown(answer::cancel);
        // Claimed once, by the end of the provider's body or by the client leaving.
        AtomicBoolean outcomeClaimed = new AtomicBoolean();
        return stream.relay(answer, failure -> {
            if (!outcomeClaimed.compareAndSet(false, true)) {
                return Multi.createFrom().empty();
            }
            if (failure != null) {
                LOG.warnf("Upstream stream failed mid-way (%s); storing the partial answer",
                        failure.getClass().getSimpleName());
                metrics.upstreamOutcome("broken");
                return stream.commitThen(MessageStatus.ERROR,
                        protocol.brokenStreamFrames().apply(brokenStreamMessage(failure)));
            }
            String status = stream.answer().sawUpstreamError() ? MessageStatus.ERROR : MessageStatus.FINAL;
            Buffer end = stream.heldEnd();
            return stream.commitThen(status, end == null ? List.of() : List.of(end));
        })
                .onSubscription().invoke(metrics::streamOpened)
                .onTermination().invoke(metrics::streamClosed)
                .onCancellation().invoke(() -> {
                    if (outcomeClaimed.compareAndSet(false, true)) {
                        metrics.upstreamOutcome("cancelled");
                        stream.commitThen(MessageStatus.ABORTED, List.of()).subscribe().with(ignored -> {
                        });
                        answer.cancel();
                    }
                });
    }

    /** What the client is told in-band when the provider's stream broke after it began. */
    public static String brokenStreamMessage(Throwable failure) {
        return failure instanceof SseEventTooLarge ? EVENT_TOO_LARGE : BROKEN_STREAM;
    }

    /**
     * A whole answer (JSON, or an error status): read, then handed to {@code onAnswer} when
     * it is a 2xx JSON object; otherwise the turn is stored as an error and the answer is sent
     * as the provider gave it. A body cut off, or larger than MAX_UPSTREAM_BODY_BYTES, is a
     * 502 (the failure of {@link UpstreamResponse#bodyAsBuffer}), the turn stored as an error.
     */
    public Uni<RestResponse<?>> relayWhole(UpstreamResponse answer, TurnRecorder recorder, AnswerFolder folder,
            Map<String, List<String>> headers, BiFunction<ObjectNode, Buffer, Uni<RestResponse<?>>> onAnswer) {
        return answer.bodyAsBuffer()
                .onFailure().call(failure -> recorder.finish(folder.toMessage(MessageStatus.ERROR)))
                .chain(bytes -> {
                    ObjectNode completion = answer.status() < 400 ? readObject(bytes) : null;
                    if (completion == null) {
                        return recorder.finish(folder.toMessage(MessageStatus.ERROR))
                                .replaceWith(RelayedResponses.whole(answer.status(), headers, bytes));
                    }
                    return onAnswer.apply(completion, bytes);
                });
    }

    private ObjectNode readObject(Buffer bytes) {
        try {
            if (json.readTree(bytes.getBytes()) instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // not JSON: said below
        }
        LOG.debug("Upstream answered 2xx with a body that is not a JSON object");
        return null;
    }

    public byte[] bytesOf(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("A parsed JSON tree could not be written back", e);
        }
    }

    private static AssistantMessage emptyAnswer(String status) {
        return AssistantMessage.empty(status);
    }
}
