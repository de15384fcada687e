package io.chatrelay.turn;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated request for the provider (chat completion or response), before any of it
 * is stored or sent.
 *
 * @param upstreamBody what goes to the provider: the client's body without our own fields
 * @param conversationId the conversation named by the client, or null
 * @param lastUserContent content of the last {@code user} message, stored as the turn's user message
 * @param storedHistory {@code X-History: stored}: the conversation's stored messages go upstream before the
 *        request's own (see {@link StoredHistory})
 */
public record ExchangeRequest(ObjectNode upstreamBody, boolean stream, UUID conversationId, JsonNode lastUserContent,
        String model, boolean storedHistory) {

    /** A request that carries its whole history itself. */
    public ExchangeRequest(ObjectNode upstreamBody, boolean stream, UUID conversationId, JsonNode lastUserContent,
            String model) {
        this(upstreamBody, stream, conversationId, lastUserContent, model, false);
    }
}
