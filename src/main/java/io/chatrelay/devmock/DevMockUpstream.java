package io.chatrelay.devmock;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.chatrelay.upstream.BuiltInProvider;
import io.chatrelay.upstream.UpstreamConfig;
import io.quarkus.arc.profile.IfBuildProfile;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A stand-in OpenAI provider for the first run on a bare machine, under
 * {@code /dev/mock-upstream/v1}. It answers as the provider does, in OpenAI's formats, so that
 * the OpenAI SDKs and other OpenAI clients work against it:
 * <ul>
 * <li>{@code GET /models}, {@code GET /models/{id}}: one model, DEFAULT_MODEL;</li>
 * <li>{@code POST /chat/completions} ({@link DevMockChat}): echoes the last user message word by
 * word, calls {@code get_time} when it is offered and the user asks for the time, and answers a
 * tool result with a sentence that uses it;</li>
 * <li>{@code POST /responses} ({@link DevMockResponses}): echoes with the Responses API's full
 * event sequence.</li>
 * </ul>
 * It exists in dev and test builds only; the production build drops the beans and their class
 * files (see {@code quarkus.package.jar.user-configured-ignored-entries}).
 */
@Singleton
@IfBuildProfile(anyOf = { "dev", "test" })
public class DevMockUpstream implements BuiltInProvider {

    static final String BASE_PATH = "/dev/mock-upstream/v1";
    static final String PATH = BASE_PATH + "/chat/completions";
    static final String RESPONSES_PATH = BASE_PATH + "/responses";
    static final String MODELS_PATH = BASE_PATH + "/models";
    /** Time between two streamed words. */
    static final long WORD_INTERVAL_MS = 40;
    /** The mock model's creation time, fixed so that its answers do not change from run to run. */
    private static final long MODEL_CREATED = 1_700_000_000L;
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final String model;

    DevMockUpstream(UpstreamConfig config) {
        this.model = config.defaultModel();
    }

    void routes(@Observes Router router, Vertx vertx) {
        router.get(MODELS_PATH).handler(this::listModels);
        router.get(MODELS_PATH + "/:id").handler(this::retrieveModel);
        router.post(PATH).handler(BodyHandler.create()).handler(context -> DevMockChat.answer(context, vertx));
        router.post(RESPONSES_PATH).handler(BodyHandler.create())
                .handler(context -> DevMockResponses.respond(context, vertx));
    }

    @Override
    public boolean isAt(String baseUrl) {
        try {
            URI uri = URI.create(baseUrl);
            String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
            return uri.getHost() != null && LOOPBACK.contains(uri.getHost()) && path.equals(BASE_PATH);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void listModels(RoutingContext context) {
        json(context, 200, new JsonObject().put("object", "list").put("data", new JsonArray().add(modelObject())));
    }

    private void retrieveModel(RoutingContext context) {
        String id = context.pathParam("id");
        if (model.equals(id)) {
            json(context, 200, modelObject());
            return;
        }
        // OpenAI's answer for a model it does not know
        json(context, 404, new JsonObject().put("error", new JsonObject()
                .put("message", "The model '" + id + "' does not exist").put("type", "invalid_request_error")
                .put("param", "model").put("code", "model_not_found")));
    }

    private JsonObject modelObject() {
        return new JsonObject().put("id", model).put("object", "model").put("created", MODEL_CREATED)
                .put("owned_by", "chat-relay-dev-mock");
    }

    static void json(RoutingContext context, int status, JsonObject body) {
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    /** The text of a message's content: a string, or the {@code text} of its parts. */
    static String textOf(Object content) {
        if (content instanceof String s) {
            return s;
        }
        StringBuilder joined = new StringBuilder();
        if (content instanceof JsonArray parts) {
            parts.stream().filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
                    .forEach(part -> joined.append(part.getString("text", "")));
        }
        return joined.toString();
    }

    /** The text of the last {@code user} message of {@code messages} (chat messages or Responses input items). */
    static String lastUserText(JsonArray messages) {
        String text = "";
        for (int i = 0; i < messages.size(); i++) {
            if (messages.getValue(i) instanceof JsonObject message && "user".equals(message.getString("role"))) {
                text = textOf(message.getValue("content"));
            }
        }
        return text;
    }

    /** What the mock says back: the text, or a placeholder for an empty message. */
    static String echo(String text) {
        return text.isBlank() ? "(empty message)" : text;
    }

    /** Splits into words that keep their leading space, so that joining them gives the text back. */
    static List<String> words(String text) {
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

    /** A rough token count for {@code usage}: one per word. */
    static int tokens(String text) {
        return text.isBlank() ? 0 : text.strip().split("\\s+").length;
    }
}
