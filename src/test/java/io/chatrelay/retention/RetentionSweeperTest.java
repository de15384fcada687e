package io.chatrelay.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.chatrelay.conversation.TranscriptStore;

/** The sweeper's decisions, without a database: when it is off and how far one run goes. */
class RetentionSweeperTest {

    private static final Instant CUTOFF = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void zeroRetentionDaysTurnsTheSweepOff() {
        assertTrue(RetentionSweeper.cutoff(0, Instant.now()).isEmpty());
    }

    @Test
    void theCutoffIsRetentionDaysBeforeNow() {
        Instant now = Instant.parse("2025-03-31T12:00:00Z");
        assertEquals(Optional.of(now.minus(Duration.ofDays(30))), RetentionSweeper.cutoff(30, now));
    }

    @Test
    void batchesRunUntilOneComesBackShort() {
        FakeStore store = new FakeStore(500, 500, 3);
        assertEquals(List.of(500, 500, 3), run(store, 500, 100));
        assertEquals(3, store.calls);
    }

    @Test
    void aRunStopsAfterItsMaximumNumberOfBatches() {
        FakeStore store = new FakeStore(500, 500, 500, 500);
        assertEquals(List.of(500, 500, 500), run(store, 500, 3));
        assertEquals(3, store.calls);
    }

    @Test
    void aRunStepsAsideWhileAnotherInstanceSweeps() {
        FakeStore store = new FakeStore(500, TranscriptStore.ANOTHER_SWEEP_RUNNING, 500);
        assertEquals(List.of(500), run(store, 500, 100));
        assertEquals(2, store.calls);
    }

    private static List<Integer> run(FakeStore store, int batchSize, int maxBatches) {
        List<Integer> committed = new ArrayList<>();
        RetentionSweeper.deleteInBatches(store.proxy(), CUTOFF, batchSize, maxBatches, committed::add);
        return committed;
    }

    /** Answers deleteInactiveBefore with the given counts in turn; any other call is a test failure. */
    private static final class FakeStore {

        private final int[] answers;
        private int calls;

        FakeStore(int... answers) {
            this.answers = answers;
        }

        TranscriptStore proxy() {
            return (TranscriptStore) Proxy.newProxyInstance(TranscriptStore.class.getClassLoader(),
                    new Class<?>[] {TranscriptStore.class}, (self, method, args) -> {
                        if (!method.getName().equals("deleteInactiveBefore")) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        assertEquals(CUTOFF, args[0]);
                        return answers[calls++];
                    });
        }
    }
}
