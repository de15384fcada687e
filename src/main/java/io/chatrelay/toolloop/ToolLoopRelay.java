package io.chatrelay.toolloop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.error.ApiException;
import io.chatrelay.metrics.RelayMetrics;
import io.chatrelay.relay.ExchangeRelay;
import io.chatrelay.relay.RelayedResponses;
import io.chatrelay.session.Owner;
import io.chatrelay.tool.ToolRegistry;
import io.chatrelay.tool.ToolsConfig;
import io.chatrelay.toolloop.ToolSelection.ToolPlan;
import io.chatrelay.toolloop.ToolTurnAnswer.Step;
import io.chatrelay.turn.ExchangeRequest;
import io.chatrelay.turn.TurnRecorder;
import io.chatrelay.upstream.UpstreamResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * Chat completions whose request names server-side tools: the service runs the loop
 * itself (call the provider, run the tools it asks for, give it their results, call
 * again) until the model answers without tool calls, calls a client tool, or
 * MAX_TOOL_ITERATIONS provider calls were made. The whole turn is stored as one
 * assistant message when it ends.
 */
@ApplicationScoped
public class ToolLoopRelay {

    private static final String CHAT_PATH = "chat/completions";
    private static final long KEEP_ALIVE_MILLIS = 10_000;

    private final ExchangeRelay relay;
    private final ToolRegistry registry;
    private final ToolsConfig config;
    private final RelayMetrics metrics;
    private final ObjectMapper json;
    private final Vertx vertx;

    ToolLoopRelay(ExchangeRelay relay, ToolRegistry registry, ToolsConfig config,
            RelayMetrics metrics, ObjectMapper json, Vertx vertx) {
        this.relay = relay;
        this.registry = registry;
        this.config = config;
        this.metrics = metrics;
        this.json = json;
        this.vertx = vertx;
    }

    public Uni<RestResponse<?>> relay(ExchangeRequest request, ToolPlan plan, Optional<Owner> owner) {
        ObjectNode body = request.upstreamBody();
        return relay.exchange(CHAT_PATH, request, owner, (turn, first, headers) -> {
            ToolTurnAnswer answer = new ToolTurnAnswer();
            if (first.status() < 400 && request.stream()) {
                Multi<Buffer> stream = new ToolLoopStream(this, body, plan, answer, turn.recorder()).body(first);
                return Uni.createFrom().item(RelayedResponses.streamed(200, headers, stream));
            }
            if (first.status() < 400) {
                headers.put("Content-Type", List.of("application/json"));
            }
            return new WholeTurn(body, plan, answer, turn.recorder()).run(first, headers);
        });
    }

    /** The non-streamed loop: each step's answer is read whole; the last one goes to the client. */
    private final class WholeTurn {

        private final ObjectNode body;
        private final ToolPlan plan;
        private final ToolTurnAnswer answer;
        private final TurnRecorder recorder;
        private final ArrayNode toolEvents;
        private int upstreamCalls = 1;

        WholeTurn(ObjectNode body, ToolPlan plan, ToolTurnAnswer answer, TurnRecorder recorder) {
            this.body = body;
            this.plan = plan;
            this.answer = answer;
            this.recorder = recorder;
            this.toolEvents = body.arrayNode();
        }

        /** One step's answer, read whole: the same path as a plain relay's JSON answer. */
        Uni<RestResponse<?>> run(UpstreamResponse response, Map<String, List<String>> headers) {
            return relay.relayWhole(response, recorder, answer, headers,
                    (completion, bytes) -> afterStep(completion, headers));
        }

        private Uni<RestResponse<?>> afterStep(ObjectNode completion, Map<String, List<String>> headers) {
            answer.acceptBody(completion);
            Step step = answer.closeStep();
            step.toolCalls().forEach(call -> toolEvents.addObject().put("type", "tool_call").set("value", call));
            if (step.toolCalls().isEmpty()) {
                return respond(completion, headers);
            }
            if (upstreamCalls >= config.maxIterations()) {
                step.toolCalls().forEach(call -> answer.recordCall(call, null));
                answer.finishReason("length");
                completion.withArray("choices").forEach(choice -> ((ObjectNode) choice).put("finish_reason", "length"));
                return respond(completion, headers);
            }
            List<ObjectNode> serverCalls = step.toolCalls().stream().filter(call -> !plan.isClientCall(call))
                    .toList();
            List<ObjectNode> clientCalls = step.toolCalls().stream().filter(plan::isClientCall).toList();
            Uni<List<String>> outputs = serverCalls.isEmpty() ? Uni.createFrom().item(List.of())
                    : Uni.join().all(serverCalls.stream().map(ToolLoopRelay.this::execute).toList()).andFailFast();
            return outputs.chain(results -> {
                for (int i = 0; i < serverCalls.size(); i++) {
                    answer.recordCall(serverCalls.get(i), results.get(i));
                    toolEvents.addObject().put("type", "tool_output").set("value",
                            toolOutput(serverCalls.get(i), results.get(i)));
                }
                if (!clientCalls.isEmpty()) {
                    clientCalls.forEach(call -> answer.recordCall(call, null));
                    answer.finishReason("tool_calls");
                    return respond(completion, headers);
                }
                appendStep(body, step, answer);
                upstreamCalls++;
                return post(body, false)
                        .onFailure().call(failure -> finish(MessageStatus.ERROR))
                        .chain(next -> run(next, headers));
            });
        }

        private Uni<RestResponse<?>> respond(ObjectNode completion, Map<String, List<String>> headers) {
            completion.set("tool_events", toolEvents);
            Buffer bytes = Buffer.buffer(relay.bytesOf(completion));
            return finish(MessageStatus.FINAL).replaceWith(RelayedResponses.whole(200, headers, bytes));
        }

        private Uni<Void> finish(String status) {
            return recorder.finish(answer.toMessage(status));
        }
    }

    Uni<UpstreamResponse> post(ObjectNode body, boolean stream) {
        return relay.post(CHAT_PATH, body, stream);
    }

    /** Runs one call the server answers (an unknown name fails as a tool result); never fails. */
    Uni<String> execute(ObjectNode call) {
        JsonNode function = call.path("function");
        return registry.execute(function.path("name").asText(), function.path("arguments").asText(""));
    }

    /**
     * Appends a finished step to the conversation sent upstream: the assistant message with
     * its tool calls, then one {@code tool} message per call with its output.
     */
    void appendStep(ObjectNode body, Step step, ToolTurnAnswer answer) {
        ArrayNode messages = body.withArray("messages");
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        if (step.content().isEmpty()) {
            assistant.putNull("content");
        } else {
            assistant.put("content", step.content());
        }
        assistant.set("tool_calls", body.arrayNode().addAll(new ArrayList<>(step.toolCalls())));
        for (ObjectNode call : step.toolCalls()) {
            messages.addObject().put("role", "tool").put("tool_call_id", call.path("id").asText())
                    .put("content", answer.outputOf(call.path("id").asText()));
        }
    }

    /** A provider error after the stream began, as a message for the in-band error event. */
    Uni<String> describeFailure(UpstreamResponse response) {
        return response.bodyAsBuffer()
                .map(bytes -> {
                    try {
                        JsonNode error = json.readTree(bytes.getBytes()).path("error").path("message");
                        if (error.isTextual()) {
                            return "The upstream provider answered " + response.status() + ": " + error.asText();
                        }
                    } catch (IOException e) {
                        // not JSON: the status alone says it
                    }
                    return "The upstream provider answered " + response.status();
                })
                .onFailure().recoverWithItem("The upstream provider answered " + response.status());
    }

    static String clientMessage(Throwable failure) {
        return failure instanceof ApiException api ? api.getMessage() : "The upstream provider could not be reached";
    }

    private ObjectNode readCompletion(Buffer bytes) {
        try {
            return json.readTree(bytes.getBytes()) instanceof ObjectNode object ? object : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static ObjectNode toolOutput(ObjectNode call, String output) {
        ObjectNode value = call.objectNode();
        value.put("tool_call_id", call.path("id").asText()).put("name", call.path("function").path("name").asText())
                .put("output", output);
        return value;
    }

    int maxIterations() {
        return config.maxIterations();
    }

    long keepAliveMillis() {
        return KEEP_ALIVE_MILLIS;
    }

    RelayMetrics metrics() {
        return metrics;
    }

    Vertx vertx() {
        return vertx;
    }
}
