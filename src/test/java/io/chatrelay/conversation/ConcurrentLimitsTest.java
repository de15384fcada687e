package io.chatrelay.conversation;

import static io.chatrelay.testing.Api.as;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The per-session and per-conversation limits hold exactly when many requests of one session
 * arrive at once: every request is released by one barrier, so they race for the last room.
 * Counted through the API, so that {@link FileJsonConcurrentLimitsTest} checks the other
 * backend the same way.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(ConcurrentLimitsTest.Profile.class)
class ConcurrentLimitsTest {

    static final int MAX_CONVERSATIONS = 3;
    static final int MAX_MESSAGES = 4;
    private static final int PARALLEL = 12;
    private static final int ROUNDS = 4;

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return limits();
        }

        static Map<String, String> limits() {
            return Map.of("relay.persistence.max-conversations-per-session", String.valueOf(MAX_CONVERSATIONS),
                    "relay.persistence.max-messages-per-conversation", String.valueOf(MAX_MESSAGES));
        }
    }

    private final MockUpstream upstream = MockUpstream.shared();
    private ExecutorService clients;

    @BeforeEach
    void setUp() {
        upstream.reset();
        clients = Executors.newFixedThreadPool(PARALLEL);
    }

    @AfterEach
    void tearDown() {
        clients.shutdownNow();
    }

    @Test
    void parallelFirstTurnsOfOneSessionLeaveExactlyTheLimitOfConversations() {
        for (int round = 0; round < ROUNDS; round++) {
            upstream.reset();
            String session = "first-turns-" + UUID.randomUUID();
            for (int i = 0; i < PARALLEL; i++) {
                upstream.enqueue(Script.json(200, Chunks.completion("answer")));
            }

            List<Response> answers = all(() -> as(session).body(Api.chat("hello", false).encode())
                    .post("/v1/chat/completions"));

            assertStatuses(answers, 200, MAX_CONVERSATIONS, "round " + round);
            assertEquals(MAX_CONVERSATIONS, conversationsOf(session), "round " + round);
            assertEquals(MAX_CONVERSATIONS, upstream.requestCount(), "refused turns never reach the provider");
        }
    }

    @Test
    void parallelCreatesOfOneSessionLeaveExactlyTheLimitOfConversations() {
        for (int round = 0; round < ROUNDS; round++) {
            String session = "creates-" + UUID.randomUUID();

            List<Response> answers = all(() -> as(session).body("{}").post("/v1/conversations"));

            assertStatuses(answers, 201, MAX_CONVERSATIONS, "round " + round);
            assertEquals(MAX_CONVERSATIONS, conversationsOf(session), "round " + round);
        }
    }

    /**
     * The provider holds every admitted turn until all requests were admitted or refused, so
     * that no answer is stored while the others are being checked: the answers still to come
     * must count against the limit.
     */
    @Test
    void parallelTurnsOnOneConversationLeaveExactlyTheLimitOfMessages() {
        for (int round = 0; round < ROUNDS; round++) {
            upstream.reset();
            String session = "messages-" + UUID.randomUUID();
            String conversationId = Api.createConversation(session);
            CompletableFuture<Void> gate = new CompletableFuture<>();
            for (int i = 0; i < PARALLEL; i++) {
                // The first event goes out at once: the provider is not silent past the first-byte time-out.
                upstream.enqueue(Script.streamHead().write(Chunks.content("an")).await(gate)
                        .write(Chunks.content("swer")).write(Chunks.finish("stop")).write(Chunks.DONE).end());
            }

            List<CompletableFuture<Response>> turns = start(() -> as(session)
                    .body(Api.chat("question", true).put("conversation_id", conversationId).encode())
                    .post("/v1/chat/completions"));
            await().atMost(Duration.ofSeconds(20)).until(() -> upstream.requestCount()
                    + turns.stream().filter(CompletableFuture::isDone).count() == PARALLEL);
            gate.complete(null);
            List<Response> answers = turns.stream().map(CompletableFuture::join).toList();

            int admitted = MAX_MESSAGES / 2;
            assertStatuses(answers, 200, admitted, "round " + round);
            List<Integer> seqs = Api.conversation(session, conversationId).getList("messages.seq");
            assertEquals(IntStream.rangeClosed(1, MAX_MESSAGES).boxed().toList(), seqs, "round " + round);
        }
    }

    /** Runs the request {@link #PARALLEL} times at once and waits for every answer. */
    private List<Response> all(Supplier<Response> request) {
        return start(request).stream().map(CompletableFuture::join).toList();
    }

    private List<CompletableFuture<Response>> start(Supplier<Response> request) {
        CyclicBarrier together = new CyclicBarrier(PARALLEL);
        return IntStream.range(0, PARALLEL).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
            try {
                together.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return request.get();
        }, clients)).toList();
    }

    /** {@code expected} answers with {@code status}, every other one the limit's 429. */
    private static void assertStatuses(List<Response> answers, int status, int expected, String round) {
        for (Response answer : answers) {
            if (answer.statusCode() != status) {
                assertEquals(429, answer.statusCode(), round);
                assertEquals("limit_exceeded", answer.jsonPath().getString("error.code"), round);
            }
        }
        assertEquals(expected, answers.stream().filter(a -> a.statusCode() == status).count(), round);
    }

    private static int conversationsOf(String session) {
        return as(session).queryParam("limit", 100).get("/v1/conversations")
                .then().statusCode(200).extract().jsonPath().getList("items").size();
    }
}
