package io.chatrelay.turn;

import com.fasterxml.jackson.databind.JsonNode;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.sse.SseEvent;

/**
 * Folds a provider's answer, streamed or whole, into the assistant message to store. One
 * implementation per provider protocol (chat completions, responses); one instance per
 * exchange.
 */
public interface AnswerFolder {

    /** Folds one streamed event; events that are not JSON are ignored. */
    void acceptEvent(SseEvent event);

    /** Folds a whole non-streamed answer. */
    void acceptBody(JsonNode body);

    /**
     * Whether this event closes the stream for the client: it is held back until the
     * assistant message is committed, so that a client that reads the conversation right
     * after it sees the message.
     */
    boolean endsStream(SseEvent event);

    /** Changes whenever the text to store changes (lets a draft writer skip idle ticks). */
    int version();

    String contentSoFar();

    /** Whether the provider reported an error inside a successful answer. */
    boolean sawUpstreamError();

    /** The message to store, with status final, error or aborted. */
    AssistantMessage toMessage(String status);
}
