package io.chatrelay.conversation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
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
 * ({@code pg_stat_user_tables}) and its row versions, not by the service: one streamed turn
 * inserts exactly two message rows (user, then assistant), updates none, and writes
 * nothing while deltas flow.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class WriteBudgetTest {

    /**
     * An idle backend reports its pending statistics at most PGSTAT_IDLE_INTERVAL (10 s)
     * after its last transaction, so counters that stayed put for longer are complete.
     */
    private static final Duration STATS_SETTLE = Duration.ofSeconds(11);

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
        String userRowVersion;

        try (SseClient client = Api.stream(session, Api.chat("count", true).put("conversation_id", conversationId))) {
            client.nextEvent();
            client.nextEvent();
            client.nextEvent();
            // Mid-stream, deltas delivered and more to come: the user row is the only row.
            List<List<Object>> rows = messageRows(conversationId);
            assertEquals(1, rows.size(), "only the user message exists while deltas flow");
            assertEquals("user", rows.get(0).get(1));
            userRowVersion = (String) rows.get(0).get(2);
            secondHalf.complete(null);
            client.readToEnd();
        }

        List<List<Object>> rows = messageRows(conversationId);
        assertEquals(List.of(1, 2), rows.stream().map(row -> row.get(0)).toList());
        assertEquals(userRowVersion, rows.get(0).get(2), "the user row was never rewritten");
        assertEquals(new TableWrites(2, 0, 0), settledMessageWrites().minus(before),
                "PostgreSQL counted two inserts (user, assistant) and no update for the turn");
        assertEquals("one two three", Api.conversation(session, conversationId).getString("messages[1].content"));
    }

    /** seq, role and row version ({@code xmin}: changes with every UPDATE) of a conversation's messages. */
    private static List<List<Object>> messageRows(String conversationId) {
        return Db.rows("select seq, role, xmin::text from messages where conversation_id = ?::uuid order by seq",
                conversationId);
    }

    /** Waits until no other write to {@code messages} is still being reported, then reads the counters. */
    private static TableWrites settledMessageWrites() {
        AtomicReference<TableWrites> last = new AtomicReference<>(Db.messageWrites());
        await().during(STATS_SETTLE).atMost(STATS_SETTLE.multipliedBy(4))
                .until(() -> last.get().equals(last.getAndSet(Db.messageWrites())));
        return last.get();
    }
}
