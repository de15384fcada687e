package io.chatrelay.conversation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.chatrelay.metrics.RelayMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.PostgresProxyResource;
import io.chatrelay.testing.SseClient;
import io.chatrelay.testing.TcpProxy;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The instance stops while the database is away and starts again once it is back: the final
 * write it could not store is spooled to SPOOL_DIR at shutdown and replayed at the next start.
 * The stop is the drain's step ({@link FinalWrites#shutdown}); the next start is a new
 * {@link FinalWrites} over the same SPOOL_DIR, as a new process has.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@WithTestResource(PostgresProxyResource.class)
@TestProfile(SpooledWritesTest.Profile.class)
class SpooledWritesTest {

    static final Path SPOOL = Path.of("target", "spool-" + UUID.randomUUID());

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("relay.persistence.spool-dir", SPOOL.toString(),
                    "relay.persistence.db-timeout", "2s",
                    "relay.persistence.final-write-timeout", "2s",
                    "quarkus.datasource.jdbc.acquisition-timeout", "1s");
        }
    }

    @Inject
    FinalWrites finalWrites;
    @Inject
    Transcripts transcripts;
    @Inject
    BlockingWrites writes;
    @Inject
    PersistenceConfig config;
    @Inject
    RelayMetrics metrics;
    @Inject
    ObjectMapper mapper;
    @Inject
    MeterRegistry registry;

    private final MockUpstream upstream = MockUpstream.shared();

    @Test
    void aWriteSpooledAtShutdownDuringAnOutageIsStoredAtTheNextStart() throws IOException {
        TcpProxy database = PostgresProxyResource.proxy();
        String session = "spool-" + UUID.randomUUID();
        String conversationId = Api.createConversation(session);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.reset();
        upstream.enqueue(Script.streamHead().write(Chunks.content("kept")).await(gate)
                .write(Chunks.content(" across a restart")).write(Chunks.finish("stop")).write(Chunks.DONE).end());
        try (SseClient client = Api.stream(session, Api.chat("remember", true).put("conversation_id", conversationId))) {
            assertEquals(200, client.status());
            client.nextEvent();
            database.cut();
            gate.complete(null);
            client.readToEnd();
        }
        assertEquals(1, finalWrites.pending());

        // The instance stops during the outage: a last try, then the spool.
        assertEquals(1, finalWrites.shutdown(Duration.ofSeconds(1)));
        assertEquals(0, finalWrites.pending());
        List<Path> files = spooled();
        assertEquals(1, files.size());
        assertTrue(files.get(0).getFileName().toString().endsWith(".json"));
        String file = Files.readString(files.get(0));
        assertTrue(file.contains(conversationId), file);

        // As if an earlier start had stored it and stopped before removing its file: stored once all the same.
        Path original = files.get(0);
        Files.copy(original, original.resolveSibling(original.getFileName().toString().replace(".json", "-again.json")));

        database.restore();
        assertEquals(1, Db.number("select count(*) from messages where conversation_id = ?::uuid", conversationId));

        // The next start, with the database back.
        FinalWrites restarted = new FinalWrites(transcripts, writes, config, metrics, new WriteSpool(config, mapper));
        try {
            assertEquals(2, restarted.replaySpool());
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(2,
                    Db.number("select count(*) from messages where conversation_id = ?::uuid", conversationId)));
            JsonPath stored = Api.conversation(session, conversationId);
            assertEquals(List.of(1, 2), stored.getList("messages.seq"));
            assertEquals("kept across a restart", stored.getString("messages[1].content"));
            assertEquals("final", stored.getString("messages[1].status"));
            await().atMost(Duration.ofSeconds(10)).until(() -> spooled().isEmpty() && restarted.pending() == 0);
            assertEquals(2, Db.number("select count(*) from messages where conversation_id = ?::uuid", conversationId));
        } finally {
            restarted.stopRetrying();
        }
    }

    @Test
    void aWriteBeyondTheQueuesBoundIsDroppedAndCounted() {
        TcpProxy database = PostgresProxyResource.proxy();
        PersistenceConfig oneSlot = withPendingBound(1);
        FinalWrites queue = new FinalWrites(transcripts, writes, oneSlot, metrics, new WriteSpool(oneSlot, mapper));
        double droppedBefore = dropped();
        database.cut();
        try {
            // Two conversations, so that the second write does not simply join the first one's place in line.
            queue.store(PendingWrite.finalMessage(UUID.randomUUID(), UUID.randomUUID(), AssistantMessage.empty("final")))
                    .await().atMost(Duration.ofSeconds(20));
            assertEquals(1, queue.pending());
            assertEquals(droppedBefore, dropped());

            queue.store(PendingWrite.finalMessage(UUID.randomUUID(), UUID.randomUUID(), AssistantMessage.empty("final")))
                    .await().atMost(Duration.ofSeconds(20));
            assertEquals(1, queue.pending(), "the queue holds its bound");
            assertEquals(droppedBefore + 1, dropped());
        } finally {
            queue.stopRetrying();
            database.restore();
        }
    }

    private double dropped() {
        return registry.counter("chatrelay.persistence.dropped").count();
    }

    /** The test's configuration, with a retry queue of {@code bound} writes. */
    private PersistenceConfig withPendingBound(int bound) {
        return (PersistenceConfig) Proxy.newProxyInstance(PersistenceConfig.class.getClassLoader(),
                new Class<?>[] { PersistenceConfig.class },
                (proxy, method, args) -> method.getName().equals("maxPendingWrites") ? bound : method.invoke(config, args));
    }

    private static List<Path> spooled() throws IOException {
        if (!Files.isDirectory(SPOOL)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(SPOOL)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }
}
