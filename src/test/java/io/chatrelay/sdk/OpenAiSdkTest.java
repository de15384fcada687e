package io.chatrelay.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.RecordedRequest;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.ResponsesEvents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * The official OpenAI Java SDK, as a user runs it, with the service's {@code /v1} as its base
 * URL and a key of its own: streamed and JSON chat completions, a Responses stream folded by
 * the SDK's accumulator, the models, and an error the service produces, surfacing as the SDK's
 * typed exception. The provider is the scriptable mock, which sends what OpenAI sends.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class OpenAiSdkTest {

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;
    private OpenAIClient client;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "sdk-" + UUID.randomUUID();
        client = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + RestAssured.port + "/v1")
                .apiKey("sk-client-own-key")
                .putHeader("X-Session-Id", session)
                // every request is answered once; a retry would take the next script
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void streamedChatCompletionIsAssembledByTheSdk() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.stream(Chunks.role(), Chunks.content("Hello"), Chunks.content(", w\u00f6rld"),
                Chunks.content("!"), Chunks.finish("stop"), Chunks.usage(9, 3), Chunks.DONE));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("gpt-test")
                .addUserMessage("Say hello")
                // the service's own field, sent as SDKs send fields they do not know
                .putAdditionalBodyProperty("conversation_id", JsonValue.from(conversationId))
                .build();

        StringBuilder streamed = new StringBuilder();
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                accumulator.accumulate(chunk);
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append));
            });
        }

        assertEquals("Hello, w\u00f6rld!", streamed.toString());
        ChatCompletion completion = accumulator.chatCompletion();
        assertEquals("Hello, w\u00f6rld!", completion.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, completion.choices().get(0).finishReason());
        assertEquals(12, completion.usage().orElseThrow().totalTokens());

        RecordedRequest sent = upstream.lastRequest();
        assertEquals("/v1/chat/completions", sent.path());
        assertEquals("Bearer " + MockUpstreamResource.UPSTREAM_KEY, sent.header("Authorization"));
        assertTrue(!sent.body().contains("conversation_id"), sent.body());
        JsonPath stored = Api.conversation(session, conversationId);
        assertEquals("Say hello", stored.getString("messages[0].content"));
        assertEquals("Hello, w\u00f6rld!", stored.getString("messages[1].content"));
    }

    @Test
    void jsonChatCompletionIsParsedByTheSdk() {
        upstream.enqueue(Script.json(200, Chunks.completion("Paris.")));

        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-test").addUserMessage("Capital of France?").build());

        assertEquals("Paris.", completion.choices().get(0).message().content().orElseThrow());
        assertEquals(7, completion.usage().orElseThrow().totalTokens());
        assertEquals("Bearer " + MockUpstreamResource.UPSTREAM_KEY, upstream.lastRequest().header("Authorization"));
    }

    @Test
    void responsesStreamIsFoldedByTheSdksAccumulator() {
        upstream.enqueue(Script.stream(ResponsesEvents.sequence("resp_sdk_stream", "Hel", "lo", " w\u00f6rld")));
        ResponseCreateParams params = ResponseCreateParams.builder().model("gpt-test").input("Say hello").build();

        StringBuilder deltas = new StringBuilder();
        List<String> snapshots = new ArrayList<>();
        // With snapshots the accumulator rebuilds the message from the item, part and delta events.
        ResponseAccumulator accumulator = ResponseAccumulator.createWithSnapshots();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
            stream.stream().forEach(event -> {
                // every event is one the SDK knows, with all its required fields
                event.validate();
                accumulator.accumulate(event);
                event.outputTextDelta().ifPresent(delta -> {
                    deltas.append(delta.delta());
                    snapshots.add(outputText(accumulator.snapshot().orElseThrow()));
                });
            });
        }

        assertEquals("Hello w\u00f6rld", deltas.toString());
        assertEquals(List.of("Hel", "Hello", "Hello w\u00f6rld"), snapshots);
        Response response = accumulator.response();
        assertEquals("resp_sdk_stream", response.id());
        assertEquals("Hello w\u00f6rld", outputText(response));
        assertEquals(response, accumulator.reconstructedResponse());
        assertEquals("/v1/responses", upstream.lastRequest().path());
    }

    /** The text of a response's first output message. */
    static String outputText(Response response) {
        return response.output().get(0).asMessage().content().get(0).asOutputText().text();
    }

    @Test
    void modelsAreListedAndRetrievedThroughTheSdk() {
        String list = "{\"object\":\"list\",\"data\":["
                + "{\"id\":\"gpt-4.1-mini\",\"object\":\"model\",\"created\":1744318173,\"owned_by\":\"system\"},"
                + "{\"id\":\"ft:gpt-4o-mini:acme:support:AbC123\",\"object\":\"model\",\"created\":1727131766,"
                + "\"owned_by\":\"acme\"}]}";
        String one = "{\"id\":\"ft:gpt-4o-mini:acme:support:AbC123\",\"object\":\"model\",\"created\":1727131766,"
                + "\"owned_by\":\"acme\"}";
        upstream.enqueue(Script.json(200, list), Script.json(200, one));

        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        Model model = client.models().retrieve("ft:gpt-4o-mini:acme:support:AbC123");

        assertEquals(List.of("gpt-4.1-mini", "ft:gpt-4o-mini:acme:support:AbC123"), ids);
        assertEquals("acme", model.ownedBy());
        List<RecordedRequest> sent = upstream.requests();
        assertEquals("/v1/models", sent.get(0).path());
        // the SDK encodes the colons; the service passes the id on with plain ones
        assertEquals("/v1/models/ft:gpt-4o-mini:acme:support:AbC123", sent.get(1).path());
        sent.forEach(request -> assertEquals("Bearer " + MockUpstreamResource.UPSTREAM_KEY,
                request.header("Authorization")));
    }

    @Test
    void serviceErrorSurfacesAsTheSdksTypedExceptionWithItsMessage() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("gpt-test").addUserMessage("hi").reasoningEffort(ReasoningEffort.of("extreme")).build();

        BadRequestException refused = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(params));

        assertEquals(400, refused.statusCode());
        assertEquals("400: reasoning_effort must be one of none, minimal, low, medium, high, xhigh",
                refused.getMessage());
        assertEquals("invalid_value", refused.code().orElseThrow());
        assertEquals("reasoning_effort", refused.param().orElseThrow());
        assertEquals("invalid_request_error", refused.type().orElseThrow());
        assertEquals(0, upstream.requestCount(), "refused before the provider is called");
    }
}
