package io.chatrelay.responses;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.sse.SseEvent;
import io.chatrelay.turn.AnswerFolder;

/**
 * Folds a Responses API answer into the assistant message to store: the text of the
 * {@code response.output_text.delta} events of a stream, or of a whole {@code response}
 * object, with the provider's response id, usage and outcome. A stream ends with
 * {@code response.completed}, {@code response.incomplete} or {@code response.failed}
 * rather than {@code [DONE]}. One instance per exchange.
 */
public final class ResponsesAnswer implements AnswerFolder {

    private static final ObjectMapper READER = new ObjectMapper();

    private final StringBuilder content = new StringBuilder();
    private String responseId;
    private JsonNode usage;
    private String finishReason;
    private String upstreamError;
    private int version;
    /** The last event parsed, kept because the relay asks acceptEvent and endsStream about the same event. */
    private SseEvent parsedEvent;
    private JsonNode parsedData = MissingNode.getInstance();

    @Override
    public synchronized void acceptEvent(SseEvent event) {
        JsonNode data = dataOf(event);
        if (!data.isObject()) {
            return; // not JSON (a provider's own keep-alive, say): forwarded, nothing to fold
        }
        String type = typeOf(event, data);
        if (type == null) {
            // An untyped {"error": {...}}, as some compatible providers send in-band.
            noteError(data.get("error"));
            return;
        }
        switch (type) {
            case "response.output_text.delta" -> {
                JsonNode delta = data.get("delta");
                if (delta != null && delta.isTextual()) {
                    content.append(delta.asText());
                    version++;
                }
            }
            case "response.created", "response.in_progress" -> noteIdAndUsage(data.path("response"));
            case "response.completed" -> {
                noteIdAndUsage(data.path("response"));
                finishReason = "stop";
            }
            case "response.incomplete" -> {
                noteIdAndUsage(data.path("response"));
                finishReason = incompleteReason(data.path("response"));
            }
            case "response.failed" -> {
                noteIdAndUsage(data.path("response"));
                upstreamError = data.path("response").path("error").path("message").asText("response failed");
            }
            case "error" -> upstreamError = data.path("message")
                    .asText(data.path("error").path("message").asText("error"));
            default -> {
                // output items, content parts, *.done events: the deltas already carried the text
            }
        }
    }

    @Override
    public synchronized boolean endsStream(SseEvent event) {
        JsonNode data = dataOf(event);
        if (!data.isObject()) {
            return false;
        }
        String type = typeOf(event, data);
        return "response.completed".equals(type) || "response.incomplete".equals(type)
                || "response.failed".equals(type);
    }

    @Override
    public synchronized void acceptBody(JsonNode body) {
        if (body == null || !body.isObject()) {
            return;
        }
        noteIdAndUsage(body);
        // output_text is the SDKs' convenience field; the raw API only has output[].content[].
        JsonNode outputText = body.get("output_text");
        if (outputText != null && outputText.isTextual()) {
            content.append(outputText.asText());
        } else {
            for (JsonNode item : body.path("output")) {
                for (JsonNode part : item.path("content")) {
                    if ("output_text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
                        content.append(part.get("text").asText());
                    }
                }
            }
        }
        switch (body.path("status").asText("")) {
            case "incomplete" -> finishReason = incompleteReason(body);
            case "failed" -> upstreamError = body.path("error").path("message").asText("response failed");
            default -> noteError(body.get("error"));
        }
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
        String reason = finishReason;
        if (reason == null && MessageStatus.FINAL.equals(status)) {
            reason = "stop";
        }
        return new AssistantMessage(status, TextNode.valueOf(content.toString()), reason, null, usage, responseId);
    }

    private void noteIdAndUsage(JsonNode response) {
        if (response.path("id").isTextual()) {
            responseId = response.get("id").asText();
        }
        JsonNode u = response.get("usage");
        if (u != null && u.isObject()) {
            usage = u;
        }
    }

    private void noteError(JsonNode error) {
        if (error != null && error.isObject()) {
            upstreamError = error.path("message").asText("error");
        }
    }

    /** Why the provider stopped early, e.g. {@code max_output_tokens} or {@code content_filter}. */
    private static String incompleteReason(JsonNode response) {
        return response.path("incomplete_details").path("reason").asText("incomplete");
    }

    /** The event's data as JSON, or a missing node when it has none or it is not JSON. */
    private JsonNode dataOf(SseEvent event) {
        if (event != parsedEvent) {
            parsedEvent = event;
            parsedData = MissingNode.getInstance();
            if (event.data() != null && !event.isDone()) {
                try {
                    JsonNode data = READER.readTree(event.data());
                    parsedData = data == null ? MissingNode.getInstance() : data;
                } catch (IOException e) {
                    // not JSON: nothing to fold, and it does not end the stream
                }
            }
        }
        return parsedData;
    }

    /** The data's {@code type}, or the {@code event:} name for providers that leave it out. */
    private static String typeOf(SseEvent event, JsonNode data) {
        JsonNode type = data.get("type");
        return type != null && type.isTextual() ? type.asText() : event.name();
    }
}
