package io.chatrelay.toolloop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.relay.AnswerStream;
import io.chatrelay.relay.ExchangeRelay;
import io.chatrelay.sse.SseFrames;
import io.chatrelay.sse.SseFrames.ChunkIdentity;
import io.chatrelay.toolloop.ToolSelection.ToolPlan;
import io.chatrelay.toolloop.ToolTurnAnswer.Step;
import io.chatrelay.turn.TurnRecorder;
import io.chatrelay.upstream.UpstreamResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.buffer.Buffer;

/**
 * A streamed turn with server-side tools: the provider's events of every step reach the
 * client unchanged as they arrive (content and {@code tool_calls} deltas); after each tool
 * runs, a chunk whose delta is {@code {"tool_output": {...}}} follows; one {@code [DONE]}
 * ends the turn once its single assistant message is committed. Only the provider's own
 * {@code [DONE]} of intermediate steps is dropped. One instance per request.
 */
final class ToolLoopStream {

    private static final Logger LOG = Logger.getLogger(ToolLoopStream.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ToolLoopRelay loop;
    private final ObjectNode body;
    private final ToolPlan plan;
    private final TurnRecorder recorder;
    private final ToolTurnAnswer answer;
    private final AnswerStream stream;
    private final AtomicReference<UpstreamResponse> current = new AtomicReference<>();
    private final AtomicInteger upstreamCalls = new AtomicInteger(1);

    ToolLoopStream(ToolLoopRelay loop, ObjectNode body, ToolPlan plan, ToolTurnAnswer answer, TurnRecorder recorder) {
        this.loop = loop;
        this.body = body;
        this.plan = plan;
        this.answer = answer;
        this.recorder = recorder;
        this.stream = new AnswerStream(answer, recorder);
    }

    Multi<Buffer> body(UpstreamResponse first) {
        recorder.onShutdown(this::stopUpstream);
        return step(first)
                .onSubscription().invoke(loop.metrics()::streamOpened)
                .onTermination().invoke(loop.metrics()::streamClosed)
                .onCancellation().invoke(this::abort);
    }

    /**
     * One provider call's events, as the plain relay sends them; its {@code [DONE]} is held
     * back (the turn's one {@code [DONE]} comes at its very end), then the step's outcome.
     */
    private Multi<Buffer> step(UpstreamResponse response) {
        current.set(response);
        return stream.relay(response, this::afterStep);
    }

    /** A provider call ended: finish the turn, or run the tools it asked for and call again. */
    private Multi<Buffer> afterStep(Throwable failure) {
        if (failure != null) {
            LOG.warnf("Upstream stream failed mid-way (%s); storing the partial turn",
                    failure.getClass().getSimpleName());
            loop.metrics().upstreamOutcome("broken");
            return end(MessageStatus.ERROR, SseFrames.error(ExchangeRelay.brokenStreamMessage(failure)));
        }
        if (answer.sawUpstreamError()) {
            return end(MessageStatus.ERROR);
        }
        Step step = answer.closeStep();
        if (step.toolCalls().isEmpty()) {
            return end(MessageStatus.FINAL);
        }
        ChunkIdentity identity = step.identity() != null ? step.identity()
                : new ChunkIdentity("chatcmpl-relay", System.currentTimeMillis() / 1000, body.path("model").asText());
        if (upstreamCalls.get() >= loop.maxIterations()) {
            // The cap: the calls of this last step are not run, and the turn ends as if cut by length.
            step.toolCalls().forEach(call -> answer.recordCall(call, null));
            answer.finishReason("length");
            return end(MessageStatus.FINAL, SseFrames.chunk(identity, JSON.objectNode(), "length"));
        }
        List<ObjectNode> serverCalls = new ArrayList<>();
        List<ObjectNode> clientCalls = new ArrayList<>();
        step.toolCalls().forEach(call -> (plan.isClientCall(call) ? clientCalls : serverCalls).add(call));
        Multi<Buffer> outputs = runTools(serverCalls, identity);
        if (!clientCalls.isEmpty()) {
            // A client tool was called: its call is the client's to run, so the turn ends here.
            return Multi.createBy().concatenating().streams(outputs, Multi.createFrom().deferred(() -> {
                clientCalls.forEach(call -> answer.recordCall(call, null));
                answer.finishReason("tool_calls");
                return end(MessageStatus.FINAL);
            }));
        }
        return Multi.createBy().concatenating().streams(outputs,
                Multi.createFrom().deferred(() -> nextStep(step)));
    }

    /**
     * Runs the server calls in parallel; a {@code tool_output} chunk follows each as it
     * finishes, and SSE comments keep the stream alive while they run.
     */
    private Multi<Buffer> runTools(List<ObjectNode> calls, ChunkIdentity identity) {
        if (calls.isEmpty()) {
            return Multi.createFrom().empty();
        }
        String[] outputs = new String[calls.size()];
        return Multi.createFrom().<Buffer> emitter(emitter -> {
            long keepAlive = loop.vertx().setPeriodic(loop.keepAliveMillis(),
                    t -> emitter.emit(SseFrames.keepAlive()));
            AtomicInteger pending = new AtomicInteger(calls.size());
            List<Cancellable> running = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                int index = i;
                ObjectNode call = calls.get(i);
                running.add(loop.execute(call).subscribe().with(output -> {
                    outputs[index] = output;
                    emitter.emit(SseFrames.chunk(identity, toolOutputDelta(call, output), null));
                    if (pending.decrementAndGet() == 0) {
                        loop.vertx().cancelTimer(keepAlive);
                        for (int c = 0; c < calls.size(); c++) {
                            answer.recordCall(calls.get(c), outputs[c]);
                        }
                        emitter.complete();
                    }
                }));
            }
            emitter.onTermination(() -> {
                loop.vertx().cancelTimer(keepAlive);
                running.forEach(Cancellable::cancel);
            });
        });
    }

    private Multi<Buffer> nextStep(Step step) {
        loop.appendStep(body, step, answer);
        upstreamCalls.incrementAndGet();
        return Multi.createFrom().uni(loop.post(body, true))
                .onItem().transformToMultiAndConcatenate(response -> response.status() >= 400
                        ? Multi.createFrom().uni(loop.describeFailure(response))
                                .onItem().transformToMultiAndConcatenate(
                                        message -> end(MessageStatus.ERROR, SseFrames.error(message)))
                        : step(response))
                .onFailure().recoverWithMulti(failure -> end(MessageStatus.ERROR,
                        SseFrames.error(ToolLoopRelay.clientMessage(failure))));
    }

    /** Stores the turn, then sends the given frames and the turn's one {@code [DONE]}. */
    private Multi<Buffer> end(String status, Buffer... before) {
        List<Buffer> frames = new ArrayList<>(List.of(before));
        frames.add(SseFrames.done());
        return stream.commitThen(status, frames);
    }

    /** The client went away: keep what the turn produced, stop the provider and the tools. */
    private void abort() {
        loop.metrics().upstreamOutcome("cancelled");
        recorder.finish(answer.toMessage(MessageStatus.ABORTED)).subscribe().with(ignored -> {
        });
        stopUpstream();
    }

    private void stopUpstream() {
        UpstreamResponse response = current.get();
        if (response != null) {
            response.cancel();
        }
    }

    private static ObjectNode toolOutputDelta(ObjectNode call, String output) {
        ObjectNode delta = JSON.objectNode();
        delta.putObject("tool_output").put("tool_call_id", call.path("id").asText())
                .put("name", call.path("function").path("name").asText()).put("output", output);
        return delta;
    }
}
