package io.chatrelay.devmock;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The dev mock's {@code POST /chat/completions}, streamed as OpenAI streams (chunks, then
 * {@code data: [DONE]}) or as one {@code chat.completion}. What it answers depends on the
 * request's last message:
 * <ul>
 * <li>a {@code tool} result: a sentence that uses it ("It is ..." for {@code get_time});</li>
 * <li>a user message that asks for the time (the word "time") while {@code tools} offers
 * {@code get_time} (as a function tool, or by name): a call of {@code get_time}, streamed as
 * OpenAI streams tool calls (id, type and name first, then the arguments in fragments,
 * {@code finish_reason: tool_calls});</li>
 * <li>anything else: the last user message, echoed word by word.</li>
 * </ul>
 * This is what the relay's tool loop needs to show a whole round trip in dev mode.
 */
final class DevMockChat {

    static final String TIME_TOOL = "get_time";
    private static final Pattern ASKS_FOR_TIME = Pattern.compile("(?i)\\btime\\b");

    private DevMockChat() {
    }

    /** One answer of the mock: text, or a call of {@code get_time}. */
    private record Answer(String text, String toolCallId) {
    }

    static void answer(RoutingContext context, Vertx vertx) {
        JsonObject request = context.body().asJsonObject();
        String model = request.getString("model", "mock-model");
        JsonArray messages = request.getJsonArray("messages", new JsonArray());
        Answer answer = decide(request, messages);
        String id = "chatcmpl-mock-" + UUID.randomUUID();
        long created = System.currentTimeMillis() / 1000;
        JsonObject usage = usage(messages, answer);
        if (!request.getBoolean("stream", false)) {
            JsonObject message = new JsonObject().put("role", "assistant").put("content", answer.text())
                    .put("refusal", null);
            if (answer.toolCallId() != null) {
                message.put("tool_calls", new JsonArray().add(toolCall(answer.toolCallId(), "{}")));
            }
            JsonObject completion = new JsonObject().put("id", id).put("object", "chat.completion")
                    .put("created", created).put("model", model)
                    .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
                            .put("logprobs", null).put("finish_reason", finishReason(answer))))
                    .put("usage", usage);
            DevMockUpstream.json(context, 200, completion);
            return;
        }
        List<JsonObject> deltas = new ArrayList<>();
        if (answer.toolCallId() != null) {
            deltas.add(new JsonObject().put("role", "assistant").put("content", null)
                    .put("tool_calls", new JsonArray().add(toolCall(answer.toolCallId(), "").put("index", 0))));
            // OpenAI sends a call's arguments in fragments after its name.
            for (String fragment : List.of("{", "}")) {
                deltas.add(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("function", new JsonObject().put("arguments", fragment)))));
            }
        } else {
            DevMockUpstream.words(answer.text()).forEach(word -> deltas.add(new JsonObject().put("content", word)));
            deltas.get(0).put("role", "assistant");
        }
        List<String> events = new ArrayList<>();
        deltas.forEach(delta -> events.add(data(chunk(id, created, model, delta, null))));
        events.add(data(chunk(id, created, model, new JsonObject(), finishReason(answer))));
        if (request.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false)) {
            // As OpenAI: after the finish reason, a chunk with no choices and the usage.
            events.add(data(new JsonObject().put("id", id).put("object", "chat.completion.chunk")
                    .put("created", created).put("model", model).put("choices", new JsonArray())
                    .put("usage", usage)));
        }
        events.add("data: [DONE]\n\n");
        context.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
        send(context, vertx, events, 0);
    }

    private static Answer decide(JsonObject request, JsonArray messages) {
        JsonObject last = messages.isEmpty() || !(messages.getValue(messages.size() - 1) instanceof JsonObject m)
                ? new JsonObject() : m;
        if ("tool".equals(last.getString("role"))) {
            return new Answer(toolResultSentence(messages, last), null);
        }
        String userText = DevMockUpstream.lastUserText(messages);
        if (offersTimeTool(request.getValue("tools")) && ASKS_FOR_TIME.matcher(userText).find()) {
            return new Answer(null, "call_mock_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24));
        }
        return new Answer(DevMockUpstream.echo(userText), null);
    }

    /** {@code tools} names {@code get_time}: as a function tool spec, or by name alone. */
    static boolean offersTimeTool(Object tools) {
        if (!(tools instanceof JsonArray list)) {
            return false;
        }
        for (Object tool : list) {
            if (TIME_TOOL.equals(tool)) {
                return true;
            }
            if (tool instanceof JsonObject spec && "function".equals(spec.getString("type", "function"))
                    && spec.getValue("function") instanceof JsonObject function
                    && TIME_TOOL.equals(function.getValue("name"))) {
                return true;
            }
        }
        return false;
    }

    /** A sentence that uses the tool's result; the call it answers says which tool it was. */
    private static String toolResultSentence(JsonArray messages, JsonObject result) {
        String output = DevMockUpstream.textOf(result.getValue("content")).strip();
        String name = toolNameOf(messages, result.getString("tool_call_id"));
        if (TIME_TOOL.equals(name)) {
            return "It is " + output + ".";
        }
        return "The tool " + (name == null ? "" : name + " ") + "said: " + output;
    }

    private static String toolNameOf(JsonArray messages, String callId) {
        for (Object item : messages) {
            if (item instanceof JsonObject message && message.getValue("tool_calls") instanceof JsonArray calls) {
                for (Object call : calls) {
                    if (call instanceof JsonObject c && callId != null && callId.equals(c.getString("id"))
                            && c.getValue("function") instanceof JsonObject function) {
                        return function.getString("name");
                    }
                }
            }
        }
        return null;
    }

    private static JsonObject toolCall(String id, String arguments) {
        return new JsonObject().put("id", id).put("type", "function")
                .put("function", new JsonObject().put("name", TIME_TOOL).put("arguments", arguments));
    }

    private static String finishReason(Answer answer) {
        return answer.toolCallId() != null ? "tool_calls" : "stop";
    }

    private static JsonObject usage(JsonArray messages, Answer answer) {
        int prompt = 0;
        for (Object item : messages) {
            if (item instanceof JsonObject message) {
                prompt += DevMockUpstream.tokens(DevMockUpstream.textOf(message.getValue("content")));
            }
        }
        int completion = answer.text() == null ? 1 : DevMockUpstream.tokens(answer.text());
        return new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    private static JsonObject chunk(String id, long created, String model, JsonObject delta, String finishReason) {
        return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("delta", delta).put("finish_reason", finishReason)));
    }

    private static String data(JsonObject chunk) {
        return "data: " + chunk.encode() + "\n\n";
    }

    /** Writes the events one by one, a word's interval apart, and ends with the last. */
    static void send(RoutingContext context, Vertx vertx, List<String> events, int next) {
        if (context.response().closed()) {
            return;
        }
        if (next == events.size() - 1) {
            context.response().end(events.get(next));
            return;
        }
        context.response().write(events.get(next));
        vertx.setTimer(DevMockUpstream.WORD_INTERVAL_MS, t -> send(context, vertx, events, next + 1));
    }
}
