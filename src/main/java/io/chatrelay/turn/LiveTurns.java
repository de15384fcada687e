package io.chatrelay.turn;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

/** The persisted turns that are open right now: opened, and their assistant message not yet stored. */
@ApplicationScoped
public class LiveTurns {

    private final Set<PersistedRecorder> open = ConcurrentHashMap.newKeySet();

    void add(PersistedRecorder turn) {
        open.add(turn);
    }

    void remove(PersistedRecorder turn) {
        open.remove(turn);
    }

    public int count() {
        return open.size();
    }

    /**
     * Stores every open turn with what it produced so far (status aborted) and waits for
     * those writes, at most {@code bound}. Blocking: for the shutdown thread only.
     *
     * @return how many turns were open
     */
    public int abortAll(Duration bound) {
        List<Uni<Void>> writes = open.stream().map(PersistedRecorder::abortNow).toList();
        if (!writes.isEmpty()) {
            Uni.join().all(writes).andCollectFailures().await().atMost(bound);
        }
        return writes.size();
    }
}
