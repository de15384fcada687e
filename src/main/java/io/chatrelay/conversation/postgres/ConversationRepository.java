package io.chatrelay.conversation.postgres;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.chatrelay.conversation.ConversationCursor;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;

/** Queries on {@code conversations}; used only by {@link PostgresTranscriptStore}. */
@ApplicationScoped
public class ConversationRepository implements PanacheRepositoryBase<Conversation, UUID> {

    Optional<Conversation> findOwned(String sessionId, UUID id) {
        return find("id = :id and sessionId = :session",
                Parameters.with("id", id).and("session", sessionId)).firstResultOptional();
    }

    List<Conversation> listBySession(String sessionId, ConversationCursor after, int limit) {
        if (after == null) {
            return find("sessionId = :session order by updatedAt desc, id desc",
                    Parameters.with("session", sessionId)).page(0, limit).list();
        }
        return find("sessionId = :session and (updatedAt < :at or (updatedAt = :at and id < :id))"
                + " order by updatedAt desc, id desc",
                Parameters.with("session", sessionId).and("at", after.updatedAt()).and("id", after.id()))
                .page(0, limit).list();
    }

    /**
     * Hands out the next seq: the update takes the conversation's row lock, so concurrent
     * turns on one conversation queue here for the length of one short transaction and
     * each gets its own number. {@code maxSeq} refuses the allocation past a limit.
     *
     * @return the seq, or empty when the conversation is missing, not the session's
     *         (when {@code sessionId} is given) or full
     */
    Optional<Integer> allocateSeq(UUID id, String sessionId, int maxSeq, Instant now) {
        String ownership = sessionId == null ? "" : " and sessionId = :session";
        Parameters params = Parameters.with("id", id).and("now", now).and("max", maxSeq);
        if (sessionId != null) {
            params = params.and("session", sessionId);
        }
        int updated = update("lastSeq = lastSeq + 1, updatedAt = :now where id = :id and lastSeq < :max"
                + ownership, params);
        if (updated == 0) {
            return Optional.empty();
        }
        return Optional.of(getEntityManager()
                .createQuery("select c.lastSeq from Conversation c where c.id = :id", Integer.class)
                .setParameter("id", id)
                .getSingleResult());
    }

    long deleteOwned(String sessionId, UUID id) {
        return delete("id = :id and sessionId = :session", Parameters.with("id", id).and("session", sessionId));
    }
}
