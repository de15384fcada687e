package io.chatrelay.conversation.postgres;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.chatrelay.conversation.ConversationRecord;
import io.chatrelay.session.Owner;

/** Row of {@code conversations}; see V1__transcript_schema.sql. */
@Entity
@Table(name = "conversations")
public class Conversation {

    @Id
    public UUID id;

    /** The authenticated subject that owns it; empty while nobody authenticates (see {@link Owner}). */
    @Column(name = "owner_subject", nullable = false, length = 200)
    public String subject;

    /** The owner's session id; empty for an authenticated owner that sent none. */
    @Column(name = "session_id", nullable = false, length = 128)
    public String sessionId;

    public String title;

    public String model;

    @Column(nullable = false)
    public boolean pinned;

    /**
     * Moved only by the inserts' statements, which take the row lock; never written back from
     * an entity that read it earlier (a rename overlapping a turn would give its seq out again).
     */
    @Column(name = "last_seq", nullable = false, updatable = false)
    public int lastSeq;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** A conversation with no messages yet, not pinned. */
    static Conversation create(Owner owner, String title, String model, Instant createdAt) {
        Conversation c = new Conversation();
        c.id = UUID.randomUUID();
        c.subject = owner.subject();
        c.sessionId = owner.session();
        c.title = title;
        c.model = model;
        c.createdAt = createdAt;
        c.updatedAt = createdAt;
        return c;
    }

    Owner owner() {
        return new Owner(subject, sessionId);
    }

    ConversationRecord toRecord() {
        return new ConversationRecord(id, owner(), title, model, pinned, lastSeq, createdAt, updatedAt);
    }
}
