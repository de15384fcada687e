package io.chatrelay.toolloop;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.relay.ChatCompletionAccumulator;
import io.chatrelay.sse.SseEvent;
import io.chatrelay.sse.SseFrames.ChunkIdentity;
import io.chatrelay.turn.AnswerFolder;

/**
 * The answer of a whole orchestrated turn, which spans several provider calls ("steps").
 * It is stored as one assistant message: the text of every step, every tool call with its
 * arguments and, once run, its {@code output}, and the usage of all steps added up.
 */
final class ToolTurnAnswer implements AnswerFolder {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final StringBuilder earlierContent = new StringBuilder();
    private final ArrayNode calls = JSON.arrayNode();
    private ObjectNode usage;
    private int earlierVersions;
    private ChatCompletionAccumulator step = new ChatCompletionAccumulator();
    private String lastFinishReason;
    private String finishOverride;

    @Override
    public void acceptEvent(SseEvent event) {
        step().acceptEvent(event);
    }

    @Override
    public void acceptBody(JsonNode body) {
        step().acceptBody(body);
    }

    @Override
    public boolean endsStream(SseEvent event) {
        return event.isDone();
    }

    @Override
    public synchronized int version() {
        return earlierVersions + step.version();
    }

    @Override
    public synchronized String contentSoFar() {
        return earlierContent + step.contentSoFar();
    }

    @Override
    public boolean sawUpstreamError() {
        return step().sawUpstreamError();
    }

    synchronized ChatCompletionAccumulator step() {
        return step;
    }

    /** What one provider call produced. */
    record Step(String content, List<ObjectNode> toolCalls, ChunkIdentity identity) {
    }

    /**
     * Ends the current provider call: keeps its text and usage and returns what it produced;
     * the next events belong to a new step.
     */
    synchronized Step closeStep() {
        Step closed = new Step(step.contentSoFar(), step.toolCalls(), step.identity());
        earlierContent.append(closed.content());
        earlierVersions += step.version() + 1;
        addUsage(step.usage());
        if (step.finishReason() != null) {
            lastFinishReason = step.finishReason();
        }
        step = new ChatCompletionAccumulator();
        return closed;
    }

    /** Records a tool call of the turn; {@code output} is null when it was not run by the server. */
    synchronized void recordCall(ObjectNode call, String output) {
        ObjectNode stored = call.deepCopy();
        if (output != null) {
            stored.put("output", output);
        }
        calls.add(stored);
    }

    /** The output recorded for a call, or a note that it has none. */
    synchronized String outputOf(String callId) {
        for (JsonNode call : calls) {
            if (callId.equals(call.path("id").asText()) && call.hasNonNull("output")) {
                return call.get("output").asText();
            }
        }
        return "Tool call " + callId + " has no output";
    }

    /**
     * Overrides the finish reason: {@code length} when the iteration cap ended the turn,
     * {@code tool_calls} when it was handed to the client.
     */
    synchronized void finishReason(String reason) {
        finishOverride = reason;
    }

    @Override
    public synchronized AssistantMessage toMessage(String status) {
        String text = earlierContent + step.contentSoFar();
        ArrayNode allCalls = calls.deepCopy();
        // A step cut short (abort, error) may have announced calls that never ran.
        step.toolCalls().forEach(allCalls::add);
        JsonNode content = !text.isEmpty() || allCalls.isEmpty() ? TextNode.valueOf(text) : null;
        String reason = finishOverride != null ? finishOverride
                : step.finishReason() != null ? step.finishReason() : lastFinishReason;
        if (reason == null && "final".equals(status)) {
            reason = "stop";
        }
        ObjectNode totalUsage = usage == null ? null : usage.deepCopy();
        JsonNode stepUsage = step.usage();
        if (stepUsage != null) {
            totalUsage = sum(totalUsage, stepUsage);
        }
        return new AssistantMessage(status, content, reason, allCalls.isEmpty() ? null : allCalls, totalUsage, null);
    }

    private void addUsage(JsonNode more) {
        if (more != null) {
            usage = sum(usage, more);
        }
    }

    /** Adds the numeric top-level fields (prompt_tokens, completion_tokens, total_tokens). */
    private static ObjectNode sum(ObjectNode total, JsonNode more) {
        ObjectNode result = total == null ? JSON.objectNode() : total;
        more.fields().forEachRemaining(field -> {
            if (field.getValue().isIntegralNumber()) {
                result.put(field.getKey(), result.path(field.getKey()).asLong(0) + field.getValue().asLong());
            }
        });
        return result;
    }
}
