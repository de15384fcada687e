package io.chatrelay.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class ConcurrentTurnsTest {

    private static final int TURNS = 8;

    private final MockUpstream upstream = MockUpstream.shared();

    @BeforeEach
    void setUp() {
        upstream.reset();
    }

    @Test
    void parallelStreamedTurnsOnOneConversationKeepEveryMessageWithUniqueSeqs() {
        String session = "parallel-" + UUID.randomUUID();
        String conversationId = Api.createConversation(session);
        for (int i = 0; i < TURNS; i++) {
            upstream.enqueue(Script.streamHead().paced(Duration.ofMillis(15), Chunks.content("answer"),
                    Chunks.content(" complete"), Chunks.finish("stop"), Chunks.DONE).end());
        }

        List<CompletableFuture<String>> turns = IntStream.range(0, TURNS)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                    try (SseClient client = Api.stream(session,
                            Api.chat("question " + i, true).put("conversation_id", conversationId))) {
                        return client.readToEnd();
                    }
                }))
                .toList();
        turns.forEach(turn -> assertTrue(turn.join().endsWith(Chunks.DONE)));

        JsonPath stored = Api.conversation(session, conversationId);
        List<Integer> seqs = stored.getList("messages.seq");
        assertEquals(IntStream.rangeClosed(1, 2 * TURNS).boxed().toList(), seqs);
        List<String> roles = stored.getList("messages.role");
        assertEquals(TURNS, roles.stream().filter("user"::equals).count());
        assertEquals(TURNS, roles.stream().filter("assistant"::equals).count());
        List<String> questions = new ArrayList<>();
        for (int i = 0; i < 2 * TURNS; i++) {
            if (roles.get(i).equals("assistant")) {
                assertEquals("answer complete", stored.getString("messages[" + i + "].content"));
                assertEquals("final", stored.getString("messages[" + i + "].status"));
            } else {
                questions.add(stored.getString("messages[" + i + "].content"));
            }
        }
        assertEquals(IntStream.range(0, TURNS).mapToObj(i -> "question " + i).sorted().toList(),
                questions.stream().sorted().toList());
    }
}
