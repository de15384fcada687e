package io.chatrelay.relay;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.sse.SseEvent;
import io.chatrelay.sse.SseFrames;
import io.chatrelay.turn.AnswerFolder;

/**
 * Folds what the provider sends into the assistant message to store: the deltas of a
 * stream, or a whole {@code chat.completion}. Only the first choice is kept. Usage may
 * arrive after {@code finish_reason}, in a chunk whose {@code choices} is empty, and
 * tool calls arrive in fragments keyed by their {@code index}.
 */
public final class ChatCompletionAccumulator implements AnswerFolder {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final StringBuilder content = new StringBuilder();
    private boolean sawContent;
    private final Map<Integer, ObjectNode> toolCalls = new TreeMap<>();
    private String finishReason;
    private JsonNode usage;
    private String upstreamError;
    private int version;
    private SseFrames.ChunkIdentity identity;

    @Override
    public void acceptEvent(SseEvent event) {
        if (event.data() == null || event.isDone()) {
            return;
        }
        ChatChunk chunk;
        try {
            chunk = ChatChunk.read(event.data());
        } catch (IOException e) {
            return; // not JSON (a provider's own keep-alive, say): forwarded, nothing to fold
        }
        if (chunk != null) {
            acceptChunk(chunk);
        }
    }

    @Override
    public boolean endsStream(SseEvent event) {
        return event.isDone();
    }

    @Override
    public void acceptBody(JsonNode body) {
        acceptCompletion(body);
    }

    /** Folds one {@code chat.completion.chunk}. */
    private synchronized void acceptChunk(ChatChunk chunk) {
        if (chunk.usage() != null) {
            usage = chunk.usage();
        }
        if (chunk.errorMessage() != null) {
            upstreamError = chunk.errorMessage();
        }
        if (identity == null) {
            identity = chunk.identity();
        }
        ChatChunk.Choice choice = chunk.choice();
        if (choice == null) {
            return;
        }
        if (choice.content() != null) {
            content.append(choice.content());
            sawContent = true;
            version++;
        }
        if (choice.toolCalls() != null) {
            choice.toolCalls().forEach(this::mergeToolCallFragment);
            version++;
        }
        if (choice.finishReason() != null) {
            finishReason = choice.finishReason();
        }
    }

    /** Folds a whole non-streamed {@code chat.completion}. */
    public synchronized void acceptCompletion(JsonNode completion) {
        noteUsageAndError(completion);
        JsonNode choice = firstChoice(completion);
        if (choice == null) {
            return;
        }
        JsonNode message = choice.path("message");
        JsonNode text = message.get("content");
        if (text != null && text.isTextual()) {
            content.append(text.asText());
            sawContent = true;
        }
        JsonNode calls = message.get("tool_calls");
        if (calls != null && calls.isArray()) {
            int i = 0;
            for (JsonNode call : calls) {
                if (call.isObject()) {
                    toolCalls.put(i++, ((ObjectNode) call).deepCopy());
                }
            }
        }
        noteFinishReason(choice);
        version++;
    }

    @Override
    public synchronized int version() {
        return version;
    }

    @Override
    public synchronized String contentSoFar() {
        return content.toString();
    }

    @Override
    public synchronized boolean sawUpstreamError() {
        return upstreamError != null;
    }

    @Override
    public synchronized AssistantMessage toMessage(String status) {
        JsonNode storedContent = sawContent || toolCalls.isEmpty() ? TextNode.valueOf(content.toString()) : null;
        ArrayNode calls = null;
        if (!toolCalls.isEmpty()) {
            calls = JSON.arrayNode();
            toolCalls.values().forEach(calls::add);
        }
        String reason = finishReason;
        if (reason == null && "final".equals(status)) {
            reason = "stop";
        }
        return new AssistantMessage(status, storedContent, reason, calls, usage, null);
    }

    /** The tool calls so far, in index order, each {@code {id, type, function: {name, arguments}}}. */
    public synchronized List<ObjectNode> toolCalls() {
        return toolCalls.values().stream().map(ObjectNode::deepCopy).toList();
    }

    /** id, created and model of the first chunk, for chunks the service adds to the stream. */
    public synchronized SseFrames.ChunkIdentity identity() {
        return identity;
    }

    public synchronized String finishReason() {
        return finishReason;
    }

    public synchronized JsonNode usage() {
        return usage;
    }

    private void mergeToolCallFragment(JsonNode fragment) {
        int index = fragment.path("index").asInt(toolCalls.size());
        ObjectNode call = toolCalls.computeIfAbsent(index, i -> {
            ObjectNode fresh = JSON.objectNode();
            fresh.put("type", "function");
            fresh.putObject("function").put("name", "").put("arguments", "");
            return fresh;
        });
        if (fragment.hasNonNull("id")) {
            call.put("id", fragment.get("id").asText());
        }
        if (fragment.hasNonNull("type")) {
            call.put("type", fragment.get("type").asText());
        }
        JsonNode function = fragment.path("function");
        ObjectNode target = (ObjectNode) call.get("function");
        if (function.hasNonNull("name")) {
            target.put("name", target.get("name").asText() + function.get("name").asText());
        }
        if (function.hasNonNull("arguments")) {
            target.put("arguments", target.get("arguments").asText() + function.get("arguments").asText());
        }
    }

    private void noteUsageAndError(JsonNode node) {
        JsonNode u = node.get("usage");
        if (u != null && u.isObject()) {
            usage = u;
        }
        JsonNode error = node.get("error");
        if (error != null && !error.isNull()) {
            upstreamError = error.path("message").asText("error");
        }
    }

    private void noteFinishReason(JsonNode choice) {
        JsonNode reason = choice.get("finish_reason");
        if (reason != null && reason.isTextual()) {
            finishReason = reason.asText();
        }
    }

    private static JsonNode firstChoice(JsonNode node) {
        JsonNode choices = node.get("choices");
        if (choices == null || !choices.isArray()) {
            return null;
        }
        for (JsonNode choice : choices) {
            if (choice.path("index").asInt(0) == 0) {
                return choice;
            }
        }
        return null;
    }
}
