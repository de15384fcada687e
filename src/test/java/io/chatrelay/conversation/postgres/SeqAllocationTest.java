package io.chatrelay.conversation.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.TextNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.conversation.MessageRecord;
import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.session.Owner;
import io.chatrelay.testing.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * One seq allocator for every message, against the real PostgreSQL: drafts (the
 * PERSIST_STREAMING_DELTAS rows) and final messages, user and assistant, committed alone or
 * together with other turns' writes, take their seqs from the same counter on the
 * conversation row, so interleaved on one conversation they get distinct seqs without gaps.
 */
@QuarkusTest
class SeqAllocationTest {

    /** Every kind of write that takes a seq, in the order the sequential test runs them. */
    private enum Write {
        OPEN_TURN, DRAFT, FINISH_TURN, USER_MESSAGE, ASSISTANT_MESSAGE
    }

    private static final int THREADS = 8;
    private static final int ROUNDS = 8;
    private static final String ROWS = "select seq, id, role, status from messages where conversation_id = ?"
            + " order by seq";

    @Inject
    PostgresTranscriptStore store;

    private final Owner session = Owner.ofSession("seqs-" + UUID.randomUUID());
    /** What the facade told of the messages it stored: drafts' ids, user messages' records. */
    private final Queue<UUID> drafts = new ConcurrentLinkedQueue<>();
    private final Queue<MessageRecord> userMessages = new ConcurrentLinkedQueue<>();

    @Test
    void everyWriteTakesTheNextSeqWhetherDraftOrFinal() {
        UUID conversation = store.createConversation(session, null, "m").id();
        for (Write write : Write.values()) {
            run(write, conversation);
        }

        List<List<Object>> rows = Db.rows(ROWS, conversation);
        assertEquals(List.of(1, 2, 3, 4, 5), column(rows, 0));
        assertEquals(List.of("user", "assistant", "assistant", "user", "assistant"), column(rows, 2));
        assertEquals(List.of("final", "streaming", "final", "final", "final"), column(rows, 3));
        assertEquals(drafts.peek(), rows.get(1).get(1));
        assertEquals(4, userMessages.peek().seq());
        assertEquals(rows.get(3).get(1), userMessages.peek().id());
        assertEquals(5, lastSeq(conversation));
    }

    @Test
    void draftsAndFinalMessagesInterleavedOnOneConversationGetDistinctGaplessSeqs() {
        UUID conversation = store.createConversation(session, null, "m").id();
        List<Write> writes = IntStream.range(0, ROUNDS).boxed()
                .flatMap(round -> Stream.of(Write.values())).toList();

        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            List<CompletableFuture<Void>> running = writes.stream()
                    .map(write -> CompletableFuture.runAsync(() -> {
                        awaitQuietly(start);
                        run(write, conversation);
                    }, threads))
                    .toList();
            start.countDown();
            running.forEach(CompletableFuture::join);
        } finally {
            threads.shutdown();
        }

        List<List<Object>> rows = Db.rows(ROWS, conversation);
        assertEquals(IntStream.rangeClosed(1, writes.size()).boxed().toList(), column(rows, 0));
        assertEquals(writes.size(), lastSeq(conversation));
        Map<Object, Integer> seqById = rows.stream()
                .collect(Collectors.toMap(row -> row.get(1), row -> (Integer) row.get(0)));
        assertEquals(ROUNDS, drafts.size());
        for (UUID draft : drafts) {
            assertEquals("streaming", rows.get(seqById.get(draft) - 1).get(3), "draft " + draft);
        }
        assertEquals(ROUNDS, userMessages.size());
        for (MessageRecord user : userMessages) {
            assertEquals(seqById.get(user.id()), user.seq(), "the seq recordUserMessage returned");
        }
        assertEquals(4L * ROUNDS, rows.stream().filter(row -> "final".equals(row.get(3))).count());
    }

    private void run(Write write, UUID conversation) {
        switch (write) {
            case OPEN_TURN -> store.openTurn(session, conversation, "m", question()).toCompletableFuture().join();
            case DRAFT -> drafts.add(store.startAssistantDraft(conversation).orElseThrow());
            case FINISH_TURN -> store.finishTurn(conversation, answer()).toCompletableFuture().join();
            case USER_MESSAGE -> userMessages.add(store.recordUserMessage(session, conversation, question()));
            case ASSISTANT_MESSAGE -> store.recordAssistantMessage(conversation, answer());
        }
    }

    private static TextNode question() {
        return TextNode.valueOf("question");
    }

    private static AssistantMessage answer() {
        return new AssistantMessage(MessageStatus.FINAL, TextNode.valueOf("answer"), "stop", null, null, null);
    }

    private static List<Object> column(List<List<Object>> rows, int index) {
        return rows.stream().map(row -> row.get(index)).toList();
    }

    private static long lastSeq(UUID conversation) {
        return Db.number("select last_seq from conversations where id = ?", conversation);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
