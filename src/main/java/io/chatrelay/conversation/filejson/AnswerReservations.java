package io.chatrelay.conversation.filejson;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The answers that running turns will still add, per conversation: a turn's user message
 * reserves room for its answer and the answer takes it, so that the message limit counts the
 * answers of parallel turns before they arrive. Callers hold the conversation's lock.
 *
 * <p>Kept in memory only: this backend has one instance, so after a restart no turn is running.
 * An answer replayed from SPOOL_DIR then finds no reservation and takes none.
 */
final class AnswerReservations {

    private final Map<UUID, Integer> pending = new ConcurrentHashMap<>();

    int pending(UUID conversationId) {
        return pending.getOrDefault(conversationId, 0);
    }

    void reserve(UUID conversationId) {
        pending.merge(conversationId, 1, Integer::sum);
    }

    /** The answer arrived (or its draft started): its room is taken, no longer reserved. */
    void take(UUID conversationId) {
        pending.computeIfPresent(conversationId, (id, count) -> count > 1 ? count - 1 : null);
    }

    void forget(UUID conversationId) {
        pending.remove(conversationId);
    }
}
