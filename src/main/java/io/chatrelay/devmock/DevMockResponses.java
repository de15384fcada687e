package io.chatrelay.devmock;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The dev mock's {@code POST /responses}: echoes the last user input as one assistant
 * message, with the event sequence OpenAI sends ({@code event: <type>} lines, every event
 * numbered by {@code sequence_number}): {@code response.created}, {@code response.in_progress},
 * {@code response.output_item.added}, {@code response.content_part.added}, the
 * {@code response.output_text.delta} events, {@code response.output_text.done},
 * {@code response.content_part.done}, {@code response.output_item.done} and
 * {@code response.completed}, whose response holds the finished message and the usage. The
 * SDKs' stream helpers build their final response from these. A JSON request gets that final
 * response object.
 */
final class DevMockResponses {

    private DevMockResponses() {
    }

    static void respond(RoutingContext context, Vertx vertx) {
        JsonObject request = context.body().asJsonObject();
        Object input = request.getValue("input");
        String userText = input instanceof JsonArray items ? DevMockUpstream.lastUserText(items)
                : input == null ? "" : String.valueOf(input);
        String text = DevMockUpstream.echo(userText);
        String responseId = "resp_mock_" + UUID.randomUUID().toString().replace("-", "");
        String itemId = "msg_mock_" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        JsonObject usage = usage(DevMockUpstream.tokens(userText), DevMockUpstream.tokens(text));
        JsonObject part = new JsonObject().put("type", "output_text").put("annotations", new JsonArray())
                .put("logprobs", new JsonArray()).put("text", text);
        JsonObject finished = response(request, responseId, created, "completed")
                .put("completed_at", System.currentTimeMillis() / 1000)
                .put("output", new JsonArray().add(message(itemId, "completed", new JsonArray().add(part))))
                .put("usage", usage);
        if (!request.getBoolean("stream", false)) {
            DevMockUpstream.json(context, 200, finished);
            return;
        }
        JsonObject started = response(request, responseId, created, "in_progress");
        List<JsonObject> events = new ArrayList<>();
        events.add(event("response.created").put("response", started));
        events.add(event("response.in_progress").put("response", started));
        events.add(event("response.output_item.added").put("output_index", 0)
                .put("item", message(itemId, "in_progress", new JsonArray())));
        events.add(inItem("response.content_part.added", itemId).put("part", part.copy().put("text", "")));
        for (String word : DevMockUpstream.words(text)) {
            events.add(inItem("response.output_text.delta", itemId).put("delta", word)
                    .put("logprobs", new JsonArray()));
        }
        events.add(inItem("response.output_text.done", itemId).put("text", text).put("logprobs", new JsonArray()));
        events.add(inItem("response.content_part.done", itemId).put("part", part));
        events.add(event("response.output_item.done").put("output_index", 0)
                .put("item", message(itemId, "completed", new JsonArray().add(part))));
        events.add(event("response.completed").put("response", finished));
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            // OpenAI's order of fields: type, sequence_number, then the event's own
            JsonObject event = new JsonObject().put("type", events.get(i).getString("type")).put("sequence_number", i)
                    .mergeIn(events.get(i));
            frames.add("event: " + event.getString("type") + "\ndata: " + event.encode() + "\n\n");
        }
        context.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
        DevMockChat.send(context, vertx, frames, 0);
    }

    private static JsonObject event(String type) {
        return new JsonObject().put("type", type);
    }

    /** An event about the message's first (and only) content part. */
    private static JsonObject inItem(String type, String itemId) {
        return event(type).put("item_id", itemId).put("output_index", 0).put("content_index", 0);
    }

    private static JsonObject message(String id, String status, JsonArray content) {
        return new JsonObject().put("id", id).put("type", "message").put("status", status).put("content", content)
                .put("role", "assistant");
    }

    /** A {@code response} object with the fields OpenAI's has, the request's settings echoed where it has them. */
    private static JsonObject response(JsonObject request, String id, long created, String status) {
        return new JsonObject().put("id", id).put("object", "response").put("created_at", created)
                .put("status", status).put("background", false).put("error", null).put("incomplete_details", null)
                .put("instructions", request.getValue("instructions"))
                .put("max_output_tokens", request.getValue("max_output_tokens"))
                .put("model", request.getString("model", "mock-model")).put("output", new JsonArray())
                .put("parallel_tool_calls", true)
                .put("previous_response_id", request.getValue("previous_response_id"))
                .put("reasoning", new JsonObject().put("effort", null).put("summary", null))
                .put("store", !Boolean.FALSE.equals(request.getValue("store"))).put("temperature", 1.0)
                .put("text", new JsonObject().put("format", new JsonObject().put("type", "text"))
                        .put("verbosity", "medium"))
                .put("tool_choice", "auto").put("tools", new JsonArray()).put("top_p", 1.0)
                .put("truncation", "disabled").put("usage", null).put("user", null)
                .put("metadata", new JsonObject());
    }

    private static JsonObject usage(int input, int output) {
        return new JsonObject().put("input_tokens", input)
                .put("input_tokens_details", new JsonObject().put("cached_tokens", 0).put("cache_write_tokens", 0))
                .put("output_tokens", output)
                .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0))
                .put("total_tokens", input + output);
    }
}
