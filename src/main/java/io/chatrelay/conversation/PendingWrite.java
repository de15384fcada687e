package io.chatrelay.conversation;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The final write of a turn's assistant message, as kept while the database is away: in the
 * retry queue of {@link FinalWrites}, or as a file in SPOOL_DIR ({@link WriteSpool}). It
 * carries the message's id, so that running it again never stores the message twice.
 *
 * @param spooled the file in SPOOL_DIR that holds it, or null when it is only in memory
 */
public record PendingWrite(Kind kind, UUID conversationId, UUID messageId, AssistantMessage message, Path spooled) {

    /** What the write does. */
    public enum Kind {
        /** Inserts the assistant message (final-only writes, the default). */
        FINAL_MESSAGE("assistant_message"),
        /** Gives the draft row its final state (PERSIST_STREAMING_DELTAS). */
        DRAFT_FINISH("assistant_draft_finish");

        private final String operation;

        Kind(String operation) {
            this.operation = operation;
        }

        /** The operation tag of the write metrics and the log lines. */
        public String operation() {
            return operation;
        }
    }

    public static PendingWrite finalMessage(UUID conversationId, UUID messageId, AssistantMessage message) {
        return new PendingWrite(Kind.FINAL_MESSAGE, conversationId, messageId, message, null);
    }

    public static PendingWrite draftFinish(UUID conversationId, UUID messageId, AssistantMessage message) {
        return new PendingWrite(Kind.DRAFT_FINISH, conversationId, messageId, message, null);
    }

    PendingWrite spooledAs(Path file) {
        return new PendingWrite(kind, conversationId, messageId, message, file);
    }

    /** Runs the write; both kinds are idempotent. The stage completes on a backend's thread. */
    CompletionStage<Void> applyTo(TranscriptStore store) {
        return switch (kind) {
            case FINAL_MESSAGE -> store.finishTurn(conversationId, messageId, message);
            case DRAFT_FINISH -> CompletableFuture.runAsync(() -> store.finishAssistantDraft(messageId, message),
                    Infrastructure.getDefaultWorkerPool());
        };
    }
}
