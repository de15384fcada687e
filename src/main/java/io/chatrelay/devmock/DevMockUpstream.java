package io.chatrelay.devmock;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.quarkus.arc.profile.IfBuildProfile;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A stand-in OpenAI provider for the first run on a bare machine: it echoes the last user
 * message back word by word, as a stream or as one JSON answer, for chat completions and
 * for the Responses API. It exists in dev and test
 * builds only; the production build drops the bean and its class file (see
 * {@code quarkus.package.jar.user-configured-ignored-entries}).
 */
@Singleton
@IfBuildProfile(anyOf = { "dev", "test" })
public class DevMockUpstream {

    static final String PATH = "/dev/mock-upstream/v1/chat/completions";
    static final String RESPONSES_PATH = "/dev/mock-upstream/v1/responses";
    private static final long WORD_INTERVAL_MS = 40;

    void routes(@Observes Router router, Vertx vertx) {
        router.post(PATH).handler(BodyHandler.create()).handler(context -> answer(context, vertx));
        router.post(RESPONSES_PATH).handler(BodyHandler.create()).handler(context -> respond(context, vertx));
    }

    /** The Responses API: {@code input} is a string or a list of items with a role. */
    private static void respond(RoutingContext context, Vertx vertx) {
        JsonObject request = context.body().asJsonObject();
        Object input = request.getValue("input");
        JsonArray messages = input instanceof JsonArray items ? items
                : new JsonArray().add(new JsonObject().put("role", "user").put("content", String.valueOf(input)));
        List<String> words = words(lastUserText(messages));
        String id = "resp_mock_" + UUID.randomUUID().toString().replace("-", "");
        JsonObject response = new JsonObject().put("id", id).put("object", "response")
                .put("created_at", System.currentTimeMillis() / 1000).put("model", request.getString("model"))
                .put("status", "in_progress").put("output", new JsonArray());
        if (!request.getBoolean("stream", false)) {
            String text = String.join("", words);
            response.put("status", "completed").put("output_text", text).put("output", new JsonArray().add(
                    new JsonObject().put("type", "message").put("role", "assistant").put("content", new JsonArray()
                            .add(new JsonObject().put("type", "output_text").put("text", text)))));
            context.response().putHeader("Content-Type", "application/json").end(response.encode());
            return;
        }
        context.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
        context.response().write(responseEvent("response.created", new JsonObject().put("response", response)));
        streamResponseWords(context, vertx, words, 0, response);
    }

    private static void streamResponseWords(RoutingContext context, Vertx vertx, List<String> words, int next,
            JsonObject response) {
        if (context.response().closed()) {
            return;
        }
        if (next == words.size()) {
            response.put("status", "completed").put("output_text", String.join("", words));
            context.response().end(responseEvent("response.completed", new JsonObject().put("response", response)));
            return;
        }
        context.response().write(responseEvent("response.output_text.delta",
                new JsonObject().put("output_index", 0).put("content_index", 0).put("delta", words.get(next))));
        vertx.setTimer(WORD_INTERVAL_MS, t -> streamResponseWords(context, vertx, words, next + 1, response));
    }

    private static String responseEvent(String type, JsonObject fields) {
        return "event: " + type + "\ndata: " + fields.copy().put("type", type).encode() + "\n\n";
    }

    private static void answer(RoutingContext context, Vertx vertx) {
        JsonObject request = context.body().asJsonObject();
        String model = request.getString("model", "mock-model");
        List<String> words = words(lastUserText(request.getJsonArray("messages", new JsonArray())));
        String id = "chatcmpl-mock-" + UUID.randomUUID();
        long created = System.currentTimeMillis() / 1000;
        if (!request.getBoolean("stream", false)) {
            JsonObject message = new JsonObject().put("role", "assistant").put("content", String.join("", words));
            JsonObject completion = new JsonObject().put("id", id).put("object", "chat.completion")
                    .put("created", created).put("model", model)
                    .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
                            .put("finish_reason", "stop")));
            context.response().putHeader("Content-Type", "application/json").end(completion.encode());
            return;
        }
        context.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
        streamWords(context, vertx, words, 0, id, created, model);
    }

    private static void streamWords(RoutingContext context, Vertx vertx, List<String> words, int next, String id,
            long created, String model) {
        if (context.response().closed()) {
            return;
        }
        if (next == words.size()) {
            JsonObject last = chunk(id, created, model, new JsonObject(), "stop");
            context.response().write("data: " + last.encode() + "\n\n");
            context.response().end("data: [DONE]\n\n");
            return;
        }
        JsonObject delta = new JsonObject().put("content", words.get(next));
        if (next == 0) {
            delta.put("role", "assistant");
        }
        context.response().write("data: " + chunk(id, created, model, delta, null).encode() + "\n\n");
        vertx.setTimer(WORD_INTERVAL_MS, t -> streamWords(context, vertx, words, next + 1, id, created, model));
    }

    private static JsonObject chunk(String id, long created, String model, JsonObject delta, String finishReason) {
        return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("delta", delta).put("finish_reason", finishReason)));
    }

    private static String lastUserText(JsonArray messages) {
        String text = "";
        for (int i = 0; i < messages.size(); i++) {
            JsonObject message = messages.getJsonObject(i);
            if (!"user".equals(message.getString("role"))) {
                continue;
            }
            Object content = message.getValue("content");
            if (content instanceof String s) {
                text = s;
            } else if (content instanceof JsonArray parts) {
                StringBuilder joined = new StringBuilder();
                parts.stream().filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
                        .forEach(part -> joined.append(part.getString("text", "")));
                text = joined.toString();
            }
        }
        return text.isBlank() ? "(empty message)" : text;
    }

    /** Splits into words that keep their leading space, so that joining them gives the text back. */
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == ' ') {
                words.add(text.substring(start, i));
                start = i;
            }
        }
        return words;
    }
}
