package io.chatrelay.conversation.filejson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.ConversationCursor;
import io.chatrelay.conversation.ConversationRecord;
import io.chatrelay.conversation.MessageRecord;
import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.error.ApiException;
import io.chatrelay.session.Owner;

class FileJsonTranscriptStoreTest {

    private static final Owner S1 = Owner.ofSession("s1");
    private static final Owner S2 = Owner.ofSession("s2");

    private final ObjectMapper mapper = new ObjectMapper().findAndRegisterModules();

    @TempDir
    Path dir;

    @Test
    void listsPagesExactlyAndCompletelyNewestFirst() {
        FileJsonTranscriptStore store = store(10, 6);
        List<ConversationRecord> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(store.createConversation(S1, "t" + i, "gpt"));
        }
        // Activity moves the oldest one to the top.
        store.recordUserMessage(S1, created.get(0).id(), TextNode.valueOf("hi"));

        List<ConversationRecord> expected = created.stream()
                .map(c -> store.findConversation(S1, c.id()).orElseThrow())
                .sorted(Comparator.comparing(ConversationRecord::updatedAt)
                        .thenComparing(ConversationRecord::id).reversed())
                .toList();
        assertEquals(created.get(0).id(), expected.get(0).id());

        List<ConversationRecord> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        ConversationCursor cursor = null;
        while (true) {
            List<ConversationRecord> page = store.listConversations(S1, cursor, 3);
            if (page.isEmpty()) {
                break;
            }
            pageSizes.add(page.size());
            seen.addAll(page);
            cursor = ConversationCursor.decode(ConversationCursor.after(page.get(page.size() - 1)).encode());
        }
        assertEquals(List.of(3, 3, 1), pageSizes);
        assertEquals(expected, seen);
    }

    @Test
    void createsAndFindsWithMicrosecondTimestamps() {
        FileJsonTranscriptStore store = store(3, 6);
        ConversationRecord c = store.createConversation(S1, "Title", "gpt-4o");
        assertEquals(S1, c.owner());
        assertEquals("Title", c.title());
        assertEquals("gpt-4o", c.model());
        assertFalse(c.pinned());
        assertEquals(0, c.lastSeq());
        assertEquals(0, c.createdAt().getNano() % 1000);
        assertEquals(c.createdAt(), c.updatedAt());
        assertEquals(Optional.of(c), store.findConversation(S1, c.id()));
        assertTrue(Files.exists(dir.resolve(c.id() + ".json")));
        assertTrue(store.checkAvailable());

        ConversationRecord updated = store.updateConversation(S1, c.id(), null, true).orElseThrow();
        assertEquals("Title", updated.title());
        assertTrue(updated.pinned());
        assertFalse(updated.updatedAt().isBefore(c.updatedAt()));
        updated = store.updateConversation(S1, c.id(), "Renamed", null).orElseThrow();
        assertEquals("Renamed", updated.title());
        assertTrue(updated.pinned());
    }

    @Test
    void theSameSessionIdUnderAnotherSubjectIsAnotherOwnerAcrossARestart() {
        Owner alice = new Owner("alice", "s1");
        Owner bob = new Owner("bob", "s1");
        FileJsonTranscriptStore store = store(3, 6);
        ConversationRecord c = store.createConversation(alice, "alice's", null);

        assertTrue(store.findConversation(bob, c.id()).isEmpty());
        assertTrue(store.findConversation(S1, c.id()).isEmpty(), "nor is it the anonymous owner's");
        assertFalse(store.deleteConversation(bob, c.id()));

        FileJsonTranscriptStore reloaded = store(3, 6);
        assertEquals(Optional.of(c), reloaded.findConversation(alice, c.id()));
        assertTrue(reloaded.findConversation(bob, c.id()).isEmpty());
        assertEquals(List.of(c), reloaded.listConversations(alice, null, 10));
    }

    @Test
    void aFileWrittenBeforeOwnersHadSubjectsBelongsToTheAnonymousSubject() throws Exception {
        ConversationRecord c = store(3, 6).createConversation(S1, "old", null);
        Path file = dir.resolve(c.id() + ".json");
        ObjectNode json = (ObjectNode) mapper.readTree(file.toFile());
        assertEquals("", json.remove("owner_subject").asText());
        mapper.writeValue(file.toFile(), json);

        FileJsonTranscriptStore reloaded = store(3, 6);
        assertEquals("old", reloaded.findConversation(S1, c.id()).orElseThrow().title());
        assertTrue(reloaded.findConversation(new Owner("alice", "s1"), c.id()).isEmpty());
    }

    @Test
    void isolatesSessions() {
        FileJsonTranscriptStore store = store(3, 6);
        ConversationRecord c = store.createConversation(S1, "mine", null);

        assertTrue(store.findConversation(S2, c.id()).isEmpty());
        assertTrue(store.listConversations(S2, null, 10).isEmpty());
        assertTrue(store.updateConversation(S2, c.id(), "stolen", true).isEmpty());
        assertFalse(store.deleteConversation(S2, c.id()));
        ApiException e = assertThrows(ApiException.class,
                () -> store.recordUserMessage(S2, c.id(), TextNode.valueOf("x")));
        assertEquals(404, e.status());
        assertEquals("conversation_not_found", e.code());

        ConversationRecord unchanged = store.findConversation(S1, c.id()).orElseThrow();
        assertEquals("mine", unchanged.title());
        assertEquals(0, unchanged.lastSeq());

        ApiException missing = assertThrows(ApiException.class,
                () -> store.recordUserMessage(S1, UUID.randomUUID(), TextNode.valueOf("x")));
        assertEquals(404, missing.status());
    }

    @Test
    void refusesConversationsPastTheSessionLimit() {
        FileJsonTranscriptStore store = store(3, 6);
        for (int i = 0; i < 3; i++) {
            store.createConversation(S1, null, null);
        }
        ApiException e = assertThrows(ApiException.class, () -> store.createConversation(S1, null, null));
        assertEquals(429, e.status());
        assertEquals("limit_exceeded", e.code());
        // Another session has its own allowance.
        store.createConversation(S2, null, null);
    }

    @Test
    void refusesTurnsWithoutRoomForBothMessagesButNeverAssistantMessages() {
        FileJsonTranscriptStore store = store(3, 6);
        UUID id = store.createConversation(S1, null, null).id();
        for (int turn = 0; turn < 2; turn++) {
            store.recordUserMessage(S1, id, TextNode.valueOf("q"));
            store.recordAssistantMessage(id, answer("a"));
        }
        MessageRecord fifth = store.recordUserMessage(S1, id, TextNode.valueOf("q"));
        assertEquals(5, fifth.seq());

        ApiException e = assertThrows(ApiException.class,
                () -> store.recordUserMessage(S1, id, TextNode.valueOf("q")));
        assertEquals(429, e.status());
        assertEquals("limit_exceeded", e.code());

        store.recordAssistantMessage(id, answer("a"));
        store.recordAssistantMessage(id, answer("late"));
        List<MessageRecord> messages = store.listMessages(id, 0, 100);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), messages.stream().map(MessageRecord::seq).toList());
        assertEquals(7, store.findConversation(S1, id).orElseThrow().lastSeq());
        assertEquals(List.of(6, 7), store.listMessages(id, 5, 10).stream().map(MessageRecord::seq).toList());
        assertEquals(List.of(1, 2), store.listMessages(id, 0, 2).stream().map(MessageRecord::seq).toList());
    }

    @Test
    void concurrentTurnsGetDistinctGaplessSeqs() throws Exception {
        FileJsonTranscriptStore store = store(3, 1000);
        UUID id = store.createConversation(S1, null, null).id();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    store.recordUserMessage(S1, id, TextNode.valueOf("q" + n));
                    store.recordAssistantMessage(id, answer("a" + n));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        List<Integer> expected = IntStream.rangeClosed(1, 16).boxed().toList();
        List<MessageRecord> messages = store.listMessages(id, 0, 100);
        assertEquals(expected, messages.stream().map(MessageRecord::seq).toList());
        assertEquals(16, new HashSet<>(messages.stream().map(MessageRecord::id).toList()).size());
        assertEquals(8, messages.stream().filter(m -> m.role().equals("user")).count());
        assertEquals(16, store.findConversation(S1, id).orElseThrow().lastSeq());

        FileJsonTranscriptStore reloaded = store(3, 1000);
        assertEquals(messages, reloaded.listMessages(id, 0, 100));
        assertEquals(16, reloaded.findConversation(S1, id).orElseThrow().lastSeq());
    }

    @Test
    void survivesANewInstanceAndKeepsContentShape() throws Exception {
        FileJsonTranscriptStore store = store(3, 6);
        ConversationRecord c = store.createConversation(S1, "persisted", "gpt");
        JsonNode parts = mapper.readTree("[{\"type\":\"text\",\"text\":\"what is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}]");
        MessageRecord user = store.recordUserMessage(S1, c.id(), parts);
        assertTrue(user.content().isArray());
        assertEquals(parts, user.content());
        JsonNode usage = mapper.readTree("{\"prompt_tokens\":5,\"completion_tokens\":7}");
        JsonNode toolCalls = mapper.readTree("[{\"id\":\"call_1\",\"type\":\"function\"}]");
        store.recordAssistantMessage(c.id(), new AssistantMessage(MessageStatus.FINAL, TextNode.valueOf("a cat"),
                "stop", toolCalls, usage, "chatcmpl-1"));
        store.recordUserMessage(S1, c.id(), TextNode.valueOf("plain"));
        store.recordAssistantMessage(c.id(), new AssistantMessage(MessageStatus.ABORTED, null, null, null, null,
                null));
        store.updateConversation(S1, c.id(), null, true);
        ConversationRecord before = store.findConversation(S1, c.id()).orElseThrow();
        List<MessageRecord> messagesBefore = store.listMessages(c.id(), 0, 100);

        FileJsonTranscriptStore reloaded = store(3, 6);
        assertEquals(Optional.of(before), reloaded.findConversation(S1, c.id()));
        assertEquals(List.of(before), reloaded.listConversations(S1, null, 10));
        List<MessageRecord> messages = reloaded.listMessages(c.id(), 0, 100);
        assertEquals(messagesBefore, messages);
        assertTrue(messages.get(0).content().isArray());
        assertEquals(parts, messages.get(0).content());
        assertEquals(usage, messages.get(1).usage());
        assertEquals(toolCalls, messages.get(1).toolCalls());
        assertEquals("chatcmpl-1", messages.get(1).responseId());
        assertTrue(messages.get(2).content().isTextual());
        assertEquals(MessageStatus.ABORTED, messages.get(3).status());
        assertNull(messages.get(3).content());

        // The next seq continues from what is on disk.
        assertEquals(5, reloaded.recordUserMessage(S1, c.id(), TextNode.valueOf("more")).seq());
    }

    @Test
    void skipsCorruptFilesAtLoad() throws Exception {
        FileJsonTranscriptStore store = store(3, 6);
        ConversationRecord c = store.createConversation(S1, "ok", null);
        Files.writeString(dir.resolve(UUID.randomUUID() + ".json"), "{not json", StandardCharsets.UTF_8);

        FileJsonTranscriptStore reloaded = store(3, 6);
        assertEquals(List.of(c), reloaded.listConversations(S1, null, 10));
    }

    @Test
    void deleteRemovesFileAndMessages() {
        FileJsonTranscriptStore store = store(3, 6);
        ConversationRecord c = store.createConversation(S1, null, null);
        store.recordUserMessage(S1, c.id(), TextNode.valueOf("q"));
        store.recordAssistantMessage(c.id(), answer("a"));
        Path file = dir.resolve(c.id() + ".json");
        assertTrue(Files.exists(file));

        assertTrue(store.deleteConversation(S1, c.id()));
        assertFalse(Files.exists(file));
        assertTrue(store.findConversation(S1, c.id()).isEmpty());
        assertTrue(store.listMessages(c.id(), 0, 100).isEmpty());
        assertTrue(store.listConversations(S1, null, 10).isEmpty());
        assertFalse(store.deleteConversation(S1, c.id()));

        // A turn that ends after the delete is dropped quietly and does not bring the file back.
        store.recordAssistantMessage(c.id(), answer("late"));
        assertTrue(store.startAssistantDraft(c.id()).isEmpty());
        assertFalse(Files.exists(file));
        assertTrue(store(3, 6).findConversation(S1, c.id()).isEmpty());
    }

    @Test
    void draftFlowReplacesContentThenFinalizes() {
        FileJsonTranscriptStore store = store(3, 6);
        ConversationRecord c = store.createConversation(S1, null, null);
        store.recordUserMessage(S1, c.id(), TextNode.valueOf("q"));
        UUID draft = store.startAssistantDraft(c.id()).orElseThrow();

        MessageRecord started = store.listMessages(c.id(), 1, 10).get(0);
        assertEquals(draft, started.id());
        assertEquals(2, started.seq());
        assertEquals("assistant", started.role());
        assertEquals(MessageStatus.STREAMING, started.status());
        assertEquals(TextNode.valueOf(""), started.content());

        store.appendAssistantDraft(draft, "Hel");
        assertEquals(TextNode.valueOf("Hel"), store.listMessages(c.id(), 1, 10).get(0).content());
        assertEquals(TextNode.valueOf("Hel"), store(3, 6).listMessages(c.id(), 1, 10).get(0).content());

        store.finishAssistantDraft(draft, new AssistantMessage(MessageStatus.FINAL, TextNode.valueOf("Hello"),
                "stop", null, null, "chatcmpl-2"));
        MessageRecord finished = store.listMessages(c.id(), 1, 10).get(0);
        assertEquals(draft, finished.id());
        assertEquals(2, finished.seq());
        assertEquals(MessageStatus.FINAL, finished.status());
        assertEquals(TextNode.valueOf("Hello"), finished.content());
        assertEquals("stop", finished.finishReason());
        assertEquals("chatcmpl-2", finished.responseId());
        assertEquals(started.createdAt(), finished.createdAt());
        assertEquals(2, store.findConversation(S1, c.id()).orElseThrow().lastSeq());
        assertEquals(List.of(finished), store(3, 6).listMessages(c.id(), 1, 10));

        // Unknown drafts are ignored, as a row that is gone would be.
        store.appendAssistantDraft(UUID.randomUUID(), "x");
    }

    @Test
    void retentionDeletesAgedUnpinnedConversationsOldestFirstInBoundedBatches() throws Exception {
        FileJsonTranscriptStore store = store(10, 6);
        UUID oldest = conversationWithATurn(store);
        UUID older = conversationWithATurn(store);
        UUID agedPinned = conversationWithATurn(store);
        UUID recent = conversationWithATurn(store);
        store.updateConversation(S1, agedPinned, null, true);
        Instant now = Instant.now();
        age(oldest, now.minus(Duration.ofDays(60)));
        age(older, now.minus(Duration.ofDays(40)));
        age(agedPinned, now.minus(Duration.ofDays(90)));
        // Timestamps are edited on disk, as the test database is for PostgreSQL: a new instance loads them.
        FileJsonTranscriptStore aged = store(10, 6);
        Instant cutoff = now.minus(Duration.ofDays(30));

        assertEquals(1, aged.deleteInactiveBefore(cutoff, 1));
        assertTrue(aged.findConversation(S1, oldest).isEmpty(), "the oldest goes first");
        assertTrue(aged.listMessages(oldest, 0, 10).isEmpty());
        assertFalse(Files.exists(dir.resolve(oldest + ".json")));
        assertTrue(aged.findConversation(S1, older).isPresent(), "one per batch");

        assertEquals(1, aged.deleteInactiveBefore(cutoff, 10));
        assertEquals(0, aged.deleteInactiveBefore(cutoff, 10));
        assertFalse(Files.exists(dir.resolve(older + ".json")));

        FileJsonTranscriptStore reloaded = store(10, 6);
        assertEquals(List.of(recent, agedPinned),
                reloaded.listConversations(S1, null, 10).stream().map(ConversationRecord::id).toList());
        assertEquals(2, reloaded.listMessages(agedPinned, 0, 10).size());
        assertEquals(2, reloaded.listMessages(recent, 0, 10).size());
    }

    private static UUID conversationWithATurn(FileJsonTranscriptStore store) {
        UUID id = store.createConversation(S1, null, null).id();
        store.recordUserMessage(S1, id, TextNode.valueOf("q"));
        store.recordAssistantMessage(id, answer("a"));
        return id;
    }

    private void age(UUID conversationId, Instant lastActivity) throws Exception {
        Path file = dir.resolve(conversationId + ".json");
        ObjectNode json = (ObjectNode) mapper.readTree(Files.readAllBytes(file));
        json.put("updated_at", lastActivity.toString());
        Files.write(file, mapper.writeValueAsBytes(json));
    }

    @Test
    void latestMessagesAreTheLastOnesBySeqAndOnlyForTheOwner() {
        FileJsonTranscriptStore store = store(10, 20);
        UUID id = store.createConversation(S1, null, "gpt").id();
        for (int i = 1; i <= 3; i++) {
            store.recordUserMessage(S1, id, TextNode.valueOf("question " + i));
            store.recordAssistantMessage(id, answer("answer " + i));
        }

        List<MessageRecord> latest = store.latestMessages(S1, id, 3).orElseThrow();
        assertEquals(List.of(4, 5, 6), latest.stream().map(MessageRecord::seq).toList());
        assertEquals("answer 2", latest.get(0).content().asText());
        assertEquals(6, store.latestMessages(S1, id, 100).orElseThrow().size());
        assertEquals(Optional.empty(), store.latestMessages(S2, id, 3), "another session's conversation");
        assertEquals(Optional.empty(), store.latestMessages(S1, UUID.randomUUID(), 3));

        // What a caller gets is its own copy: changing it leaves the transcript as it is.
        ObjectNode part = mapper.createObjectNode().put("type", "text").put("text", "parts");
        store.recordUserMessage(S1, id, mapper.createArrayNode().add(part));
        ((ObjectNode) store.latestMessages(S1, id, 1).orElseThrow().get(0).content().get(0)).put("text", "changed");
        assertEquals("parts", store.latestMessages(S1, id, 1).orElseThrow().get(0).content().get(0).path("text")
                .asText());
    }

    @Test
    void draftsLeftStreamingByADeadProcessAreMarkedInterruptedWithTheirText() {
        FileJsonTranscriptStore dead = store(10, 10);
        ConversationRecord c = dead.createConversation(S1, null, "gpt");
        dead.recordUserMessage(S1, c.id(), TextNode.valueOf("hi"));
        UUID orphan = dead.startAssistantDraft(c.id()).orElseThrow();
        dead.appendAssistantDraft(orphan, "half an ans");
        // The process's own live drafts are not orphans.
        assertEquals(0, dead.interruptOrphanedDrafts(Instant.now(), 10));

        FileJsonTranscriptStore restarted = store(10, 10);
        ConversationRecord other = restarted.createConversation(S1, null, "gpt");
        UUID live = restarted.startAssistantDraft(other.id()).orElseThrow();
        assertEquals(1, restarted.interruptOrphanedDrafts(Instant.now(), 10));
        assertEquals(0, restarted.interruptOrphanedDrafts(Instant.now(), 10));

        MessageRecord swept = restarted.listMessages(c.id(), 0, 10).get(1);
        assertEquals(orphan, swept.id());
        assertEquals(MessageStatus.INTERRUPTED, swept.status());
        assertEquals("half an ans", swept.content().asText());
        assertEquals(MessageStatus.STREAMING, restarted.listMessages(other.id(), 0, 10).get(0).status());
        assertEquals(live, restarted.listMessages(other.id(), 0, 10).get(0).id());
        // On disk too: a second restart reads it interrupted.
        assertEquals(MessageStatus.INTERRUPTED, store(10, 10).listMessages(c.id(), 0, 10).get(1).status());
    }

    private FileJsonTranscriptStore store(int maxConversations, int maxMessages) {
        return new FileJsonTranscriptStore(dir, new TestConfig(maxConversations, maxMessages), mapper);
    }

    private static AssistantMessage answer(String text) {
        return new AssistantMessage(MessageStatus.FINAL, TextNode.valueOf(text), "stop", null, null, null);
    }

    private static final class TestConfig implements PersistenceConfig {

        private final int maxConversations;
        private final int maxMessages;

        TestConfig(int maxConversations, int maxMessages) {
            this.maxConversations = maxConversations;
            this.maxMessages = maxMessages;
        }

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public boolean streamingDeltas() {
            return false;
        }

        @Override
        public Duration streamingLease() {
            return Duration.ofSeconds(30);
        }

        @Override
        public long historyBatchFlushMs() {
            return 250;
        }

        @Override
        public String dbUrl() {
            return "filejson:test";
        }

        @Override
        public Duration dbTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public String spoolDir() {
            return "target/spool";
        }

        @Override
        public int maxPendingWrites() {
            return 100;
        }

        @Override
        public Duration finalWriteTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public int concurrentWriteBatches() {
            return 2;
        }

        @Override
        public int maxConversationsPerSession() {
            return maxConversations;
        }

        @Override
        public int maxMessagesPerConversation() {
            return maxMessages;
        }

        @Override
        public int historyMaxMessages() {
            return 100;
        }

        @Override
        public int retentionDays() {
            return 30;
        }
    }
}
