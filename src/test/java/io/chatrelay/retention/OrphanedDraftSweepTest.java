package io.chatrelay.retention;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.conversation.Transcripts;
import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.Db;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * PERSIST_STREAMING_DELTAS drafts of an instance that died: the orphan sweep marks them
 * interrupted with their text once their lease ran out, and leaves live drafts alone.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(OrphanedDraftSweepTest.Profile.class)
class OrphanedDraftSweepTest {

    public static class Profile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            // The lease outlasts the longest silence of a live stream (0.5 + 2.5 + 0.5 s), as start-up requires.
            return Map.of("relay.persistence.streaming-deltas", "true",
                    "relay.persistence.history-batch-flush-ms", "50",
                    "relay.persistence.streaming-lease", LEASE.toMillis() + "ms",
                    "relay.upstream.connect-timeout", "500ms",
                    "relay.upstream.first-byte-timeout", "2500ms",
                    "relay.tools.timeout", "500ms");
        }
    }

    private static final Duration LEASE = Duration.ofSeconds(4);
    /** Longer than half the lease, shorter than the provider's silence bound here (2.5 s). */
    private static final Duration SILENCE = Duration.ofMillis(2200);
    private static final String ASSISTANT = "select status, content #>> '{}', lease_until from messages"
            + " where conversation_id = ? and role = 'assistant'";

    @Inject
    OrphanedDraftSweeper sweeper;

    @Inject
    Transcripts transcripts;

    private final MockUpstream upstream = MockUpstream.shared();
    private String session;

    @BeforeEach
    void setUp() {
        upstream.reset();
        session = "orphans-" + UUID.randomUUID();
    }

    @Test
    void draftNoLongerRenewedIsMarkedInterruptedWithItsTextOnceItsLeaseRanOut() {
        UUID conversation = UUID.fromString(Api.createConversation(session));
        // As a dead instance leaves it: a draft with some text, which nobody appends to any more.
        UUID draft = transcripts.store().startAssistantDraft(conversation).orElseThrow();
        transcripts.store().appendAssistantDraft(draft, "half an ans");

        sweeper.sweep(Instant.now());
        assertEquals("streaming", Db.rows(ASSISTANT, conversation).get(0).get(0), "its lease still runs");

        assertTrue(sweeper.sweep(Instant.now().plus(LEASE).plusSeconds(1)) >= 1);

        List<Object> row = Db.rows(ASSISTANT, conversation).get(0);
        assertEquals(List.of("interrupted", "half an ans"), row.subList(0, 2));
        assertEquals(null, row.get(2), "a closed draft holds no lease");
        assertEquals("interrupted", Api.conversation(session, conversation.toString()).getString("messages[0].status"));
    }

    @Test
    void liveDraftIsRenewedByItsAppendsAloneAndIsNotTouched() {
        String conversationId = Api.createConversation(session);
        UUID conversation = UUID.fromString(conversationId);
        CompletableFuture<Void> more = new CompletableFuture<>();
        CompletableFuture<Void> end = new CompletableFuture<>();
        upstream.enqueue(Script.streamHead().write(Chunks.content("Hel")).await(more)
                .write(Chunks.content("lo")).await(end).write(Chunks.finish("stop")).write(Chunks.DONE).end());

        try (SseClient client = Api.stream(session, Api.chat("hi", true).put("conversation_id", conversationId))) {
            assertEquals(Chunks.content("Hel"), client.nextEvent());
            Instant firstLease = await().atMost(Duration.ofSeconds(5))
                    .until(() -> leaseOf(conversation), lease -> lease != null && "Hel".equals(contentOf(conversation)));
            // The provider is silent: nothing is written, the lease stays as the last append left it.
            await().during(SILENCE).atMost(SILENCE.plusSeconds(1))
                    .until(() -> firstLease.equals(leaseOf(conversation)));

            more.complete(null);
            assertEquals(Chunks.content("lo"), client.nextEvent());
            await().atMost(Duration.ofSeconds(5)).until(() -> leaseOf(conversation).isAfter(firstLease));

            sweeper.sweep(Instant.now());
            assertEquals(List.of("streaming", "Hello"), Db.rows(ASSISTANT, conversation).get(0).subList(0, 2));

            end.complete(null);
            assertEquals(Chunks.finish("stop"), client.nextEvent());
            assertEquals(Chunks.DONE, client.nextEvent());
        }
        List<Object> row = Db.rows(ASSISTANT, conversation).get(0);
        assertEquals(List.of("final", "Hello"), row.subList(0, 2));
        assertEquals(null, row.get(2));
    }

    private static String contentOf(UUID conversation) {
        List<List<Object>> rows = Db.rows(ASSISTANT, conversation);
        return rows.isEmpty() ? null : (String) rows.get(0).get(1);
    }

    private static Instant leaseOf(UUID conversation) {
        List<List<Object>> rows = Db.rows(ASSISTANT, conversation);
        if (rows.isEmpty() || rows.get(0).get(2) == null) {
            return null;
        }
        return ((Timestamp) rows.get(0).get(2)).toInstant();
    }
}
