package io.chatrelay.turn;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.chatrelay.conversation.BlockingWrites;
import io.chatrelay.conversation.FinalWrites;
import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.conversation.TranscriptStore;
import io.chatrelay.conversation.Transcripts;
import io.chatrelay.error.ApiException;
import io.chatrelay.session.Owner;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Starts the persisted side of a turn before the provider is called: checks that the
 * conversation is the owner's (or creates one), adds the stored history when the request
 * asks for it, enforces the limits, stores the user message, and picks how the assistant
 * message will be stored.
 */
@ApplicationScoped
public class TurnOpener {

    /** A turn once opened. {@code conversationId} is null when nothing is persisted. */
    public record OpenedTurn(UUID conversationId, TurnRecorder recorder) {

        static final OpenedTurn UNPERSISTED = new OpenedTurn(null, TurnRecorder.NONE);
    }

    private final Transcripts transcripts;
    private final BlockingWrites writes;
    private final FinalWrites finalWrites;
    private final PersistenceConfig config;
    private final Vertx vertx;
    private final LiveTurns live;
    private final StoredHistory history;

    TurnOpener(Transcripts transcripts, BlockingWrites writes, FinalWrites finalWrites, PersistenceConfig config,
            Vertx vertx, LiveTurns live, StoredHistory history) {
        this.finalWrites = finalWrites;
        this.live = live;
        this.history = history;
        this.transcripts = transcripts;
        this.writes = writes;
        this.config = config;
        this.vertx = vertx;
    }

    /**
     * Opens the turn. Fails with 400 when a conversation is named without an owner, 404
     * when it is not the owner's, 429 at a limit, 501 for stored history while nothing is
     * stored: all before the provider is called.
     */
    public Uni<OpenedTurn> open(Optional<Owner> owner, ExchangeRequest request) {
        if (owner.isEmpty()) {
            if (request.conversationId() != null) {
                return Uni.createFrom().failure(ApiException.invalidRequest("missing_session", null,
                        "A conversation needs a session: send the X-Session-Id header or the cf_session_id cookie"));
            }
            return Uni.createFrom().item(OpenedTurn.UNPERSISTED);
        }
        if (!owner.get().hasSession() && request.conversationId() == null) {
            // An authenticated client that names neither: relayed, not stored, as without auth.
            return Uni.createFrom().item(OpenedTurn.UNPERSISTED);
        }
        if (!transcripts.enabled()) {
            if (request.storedHistory()) {
                return Uni.createFrom().failure(StoredHistory.persistenceOff());
            }
            return Uni.createFrom().item(OpenedTurn.UNPERSISTED);
        }
        // The history is read before the turn's user message is stored, which the request carries
        // already: reading it afterwards would send that message twice. Its read also refuses a
        // conversation that is not the owner's before anything is written.
        Uni<UUID> opened = request.storedHistory()
                ? history.splice(owner.get(), request).chain(() -> openPersisted(owner.get(), request))
                : openPersisted(owner.get(), request);
        return opened.chain(conversationId -> recorderFor(conversationId)
                .map(recorder -> new OpenedTurn(conversationId, recorder)));
    }

    private Uni<UUID> openPersisted(Owner owner, ExchangeRequest request) {
        UUID conversationId = request.conversationId();
        JsonNode userContent = request.lastUserContent();
        if (userContent != null) {
            return writes.await(() -> transcripts.store().openTurn(owner, conversationId, request.model(),
                    userContent));
        }
        // No user message in the request (e.g. only a system prompt): nothing to store, but the
        // conversation must exist.
        return writes.call(() -> {
            TranscriptStore store = transcripts.store();
            if (conversationId == null) {
                return store.createConversation(owner, null, request.model()).id();
            }
            if (store.findConversation(owner, conversationId).isEmpty()) {
                throw ApiException.conversationNotFound();
            }
            return conversationId;
        });
    }

    private Uni<TurnRecorder> recorderFor(UUID conversationId) {
        TranscriptStore store = transcripts.store();
        if (!config.streamingDeltas()) {
            return Uni.createFrom().item(new FinalOnlyRecorder(conversationId, finalWrites, live));
        }
        return writes.call(() -> store.startAssistantDraft(conversationId))
                .map(draft -> draft.<TurnRecorder> map(messageId -> new DraftRecorder(conversationId, messageId,
                        store, writes, finalWrites, vertx, config.historyBatchFlushMs(), live))
                        .orElse(TurnRecorder.NONE));
    }
}
