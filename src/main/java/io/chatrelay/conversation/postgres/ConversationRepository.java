package io.chatrelay.conversation.postgres;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import io.chatrelay.conversation.ConversationCursor;
import io.chatrelay.session.Owner;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;

/**
 * Conversations, and the one place that commits new messages: a message takes its seq from
 * its conversation's row in the statement that inserts it (see {@link TurnInserts}), the
 * only place a seq is allocated. The turn's writes are committed together with other
 * turns' ({@link GroupCommit}); the others run alone. A committed message carries its seq.
 * Used only by {@link PostgresTranscriptStore}.
 */
@ApplicationScoped
public class ConversationRepository implements PanacheRepositoryBase<Conversation, UUID> {

    private final TurnInserts inserts;
    private final GroupCommit groupCommit;

    ConversationRepository(TurnInserts inserts, GroupCommit groupCommit) {
        this.inserts = inserts;
        this.groupCommit = groupCommit;
    }

    /**
     * Commits the conversation, with no messages, unless its session already has
     * {@code maxPerSession}.
     *
     * @return whether it was stored
     */
    boolean commitAlone(Conversation conversation, int maxPerSession) {
        return inserts.runAlone(TurnInserts.conversation(conversation, maxPerSession)).isPresent();
    }

    /**
     * Commits the conversation with {@code first} as its message 1, together with other
     * turns' writes, unless its session already has {@code maxPerSession}. The stage
     * completes with whether they were stored.
     */
    CompletionStage<Boolean> commitWithFirstMessage(Conversation conversation, Message first, int maxPerSession) {
        return groupCommit.submit(TurnInserts.conversationWithMessage(conversation, maxPerSession, first))
                .thenApply(seq -> {
                    seq.ifPresent(s -> conversation.lastSeq = s);
                    return tookSeq(first, seq);
                });
    }

    /**
     * Commits the message as its conversation's next seq, together with other turns' writes.
     * The stage completes with whether it was stored: not when the conversation is missing
     * or the message fails {@code admission}.
     */
    CompletionStage<Boolean> commit(Message message, MessageAdmission admission) {
        return groupCommit.submit(TurnInserts.message(message, admission))
                .thenApply(seq -> tookSeq(message, seq));
    }

    /** {@link #commit} alone, on the calling thread. */
    boolean commitAlone(Message message, MessageAdmission admission) {
        return tookSeq(message, inserts.runAlone(TurnInserts.message(message, admission)));
    }

    Optional<Conversation> findOwned(Owner owner, UUID id) {
        return find("id = :id and subject = :subject and sessionId = :session", owned(owner).and("id", id))
                .firstResultOptional();
    }

    /** The owner's conversations, newest activity first: a range of the owner's keyset index. */
    List<Conversation> listOwned(Owner owner, ConversationCursor after, int limit) {
        if (after == null) {
            return find("subject = :subject and sessionId = :session order by updatedAt desc, id desc", owned(owner))
                    .page(0, limit).list();
        }
        return find("subject = :subject and sessionId = :session"
                + " and (updatedAt < :at or (updatedAt = :at and id < :id)) order by updatedAt desc, id desc",
                owned(owner).and("at", after.updatedAt()).and("id", after.id()))
                .page(0, limit).list();
    }

    /** One answer fewer to come: see {@link MessageAdmission#answerReservations()}. */
    void releaseAnswerReservation(UUID id) {
        getEntityManager().createNativeQuery("update conversations set answers_pending = answers_pending - 1"
                + " where id = ?1 and answers_pending > 0")
                .setParameter(1, id)
                .executeUpdate();
    }

    long deleteOwned(Owner owner, UUID id) {
        return delete("id = :id and subject = :subject and sessionId = :session", owned(owner).and("id", id));
    }

    private static Parameters owned(Owner owner) {
        return Parameters.with("subject", owner.subject()).and("session", owner.session());
    }

    /** Gives the message the seq its insert returned, if it was inserted. */
    private static boolean tookSeq(Message message, OptionalInt seq) {
        seq.ifPresent(s -> message.seq = s);
        return seq.isPresent();
    }
}
