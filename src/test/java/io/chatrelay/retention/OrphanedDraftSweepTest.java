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
            return Map.of("relay.persistence.streaming-deltas", "true",
                    "relay.persistence.history-batch-flush-ms", "50",
                    "relay.persistence.streaming-lease", "1s");
        }
    }

    private static final Duration LEASE = Duration.ofSeconds(1);
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
    void liveDraftKeepsRenewingItsLeaseAndIsNotTouched() {
        String conversationId = Api.createConversation(session);
        UUID conversation = UUID.fromString(conversationId);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        upstream.enqueue(Script.streamHead().write(Chunks.content("Hel")).await(gate)
                .write(Chunks.content("lo")).write(Chunks.finish("stop")).write(Chunks.DONE).end());

        try (SseClient client = Api.stream(session, Api.chat("hi", true).put("conversation_id", conversationId))) {
            assertEquals(Chunks.content("Hel"), client.nextEvent());
            Instant firstLease = await().atMost(Duration.ofSeconds(5))
                    .until(() -> leaseOf(conversation), lease -> lease != null);
            // The provider is silent: the draft is renewed all the same, before its lease runs out.
            await().atMost(LEASE.multipliedBy(3)).until(() -> leaseOf(conversation).isAfter(firstLease.plus(LEASE)));

            sweeper.sweep(Instant.now());
            List<Object> row = Db.rows(ASSISTANT, conversation).get(0);
            assertEquals(List.of("streaming", "Hel"), row.subList(0, 2));

            gate.complete(null);
            assertEquals(Chunks.content("lo"), client.nextEvent());
            assertEquals(Chunks.finish("stop"), client.nextEvent());
            assertEquals(Chunks.DONE, client.nextEvent());
        }
        List<Object> row = Db.rows(ASSISTANT, conversation).get(0);
        assertEquals(List.of("final", "Hello"), row.subList(0, 2));
        assertEquals(null, row.get(2));
    }

    private static Instant leaseOf(UUID conversation) {
        List<List<Object>> rows = Db.rows(ASSISTANT, conversation);
        if (rows.isEmpty() || rows.get(0).get(2) == null) {
            return null;
        }
        return ((Timestamp) rows.get(0).get(2)).toInstant();
    }
}
