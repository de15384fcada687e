package io.chatrelay.turn;

import io.chatrelay.conversation.AssistantMessage;
import io.smallrye.mutiny.Uni;

/** Stores the assistant side of one exchange. One instance per request. */
public interface TurnRecorder {

    /** For requests that are not persisted (no session, or persistence off). */
    TurnRecorder NONE = message -> Uni.createFrom().voidItem();

    /** Called on the event loop after each forwarded event; must not block. */
    default void progressed(AnswerFolder answer) {
    }

    /** What stops the provider's side of this exchange if a shutdown has to cut it short. */
    default void onShutdown(Runnable stopUpstream) {
    }

    /**
     * Stores the outcome of the exchange. Completes once it is committed or the bounded
     * wait gave up; never fails. Only the first call has an effect.
     */
    Uni<Void> finish(AssistantMessage message);
}
