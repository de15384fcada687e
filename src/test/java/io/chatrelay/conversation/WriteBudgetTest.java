package io.chatrelay.conversation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.Db.TableWrites;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The write budget of final-only persistence, counted by PostgreSQL itself
 * ({@code pg_stat_user_tables}), not by the service: one streamed turn inserts exactly two
 * message rows (user, then assistant), updates none, and writes nothing while deltas flow.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class WriteBudgetTest {

    /** PostgreSQL flushes a backend's statistics within a second of its transaction; wait longer. */
    private static final Duration STATS_SETTLE = Duration.ofMillis(1500);

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "budget-" + UUID.randomUUID();
    }

    @Test
    void oneStreamedTurnInsertsTwoMessageRowsAndNothingWhileDeltasFlow() {
        String conversationId = Api.createConversation(session);
        CompletableFuture<Void> secondHalf = new CompletableFuture<>();
        upstream.enqueue(Script.streamHead()
                .paced(Duration.ofMillis(10), Chunks.role(), Chunks.content("one"), Chunks.content(" two"))
                .await(secondHalf)
                .paced(Duration.ofMillis(10), Chunks.content(" three"), Chunks.finish("stop"), Chunks.usage(3, 3),
                        Chunks.DONE)
                .end());
        TableWrites before = settledMessageWrites();

        try (SseClient client = Api.stream(session, Api.chat("count", true).put("conversation_id", conversationId))) {
            client.nextEvent();
            client.nextEvent();
            client.nextEvent();
            // Mid-stream, held open: only the user message may have been written.
            assertStaysAt(before, new TableWrites(1, 0, 0));
            secondHalf.complete(null);
            client.readToEnd();
        }
        assertStaysAt(before, new TableWrites(2, 0, 0));
        assertEquals("one two three", Api.conversation(session, conversationId).getString("messages[1].content"));
    }

    @Test
    void oneNonStreamedTurnAlsoInsertsExactlyTwoMessageRows() {
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.json(200, Chunks.completion("done")));
        TableWrites before = settledMessageWrites();

        Api.as(session).body(Api.chat("go", false).put("conversation_id", conversationId).encode())
                .post("/v1/chat/completions").then().statusCode(200);

        assertStaysAt(before, new TableWrites(2, 0, 0));
    }

    private static void assertStaysAt(TableWrites before, TableWrites expectedDelta) {
        await().during(STATS_SETTLE).atMost(STATS_SETTLE.multipliedBy(4))
                .until(() -> Db.messageWrites().minus(before), expectedDelta::equals);
    }

    /** Waits until no other write to {@code messages} is still being reported, then reads the counters. */
    private static TableWrites settledMessageWrites() {
        AtomicReference<TableWrites> last = new AtomicReference<>(Db.messageWrites());
        await().during(STATS_SETTLE).atMost(Duration.ofSeconds(20))
                .until(() -> last.get().equals(last.getAndSet(Db.messageWrites())));
        return last.get();
    }
}
