package io.chatrelay.conversation;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import com.fasterxml.jackson.databind.JsonNode;

import io.chatrelay.error.ApiException;
import io.chatrelay.json.RequestJson;
import io.chatrelay.session.Owner;
import io.chatrelay.session.OwnerResolver;
import io.vertx.ext.web.RoutingContext;

/**
 * The conversations API. Every call acts for an owner (a session, or with authentication on
 * the subject, refined by a session if one is sent) and sees only that owner's
 * conversations; another owner's conversation is indistinguishable from a missing one.
 * Methods block on the store, so they run on worker threads (Quarkus' default for
 * non-reactive return types).
 */
@Path("/v1/conversations")
@Tag(name = "Conversations")
@Produces(MediaType.APPLICATION_JSON)
public class ConversationResource {

    private static final int DEFAULT_LIST_LIMIT = 20;
    private static final int MAX_LIST_LIMIT = 100;
    private static final int DEFAULT_MESSAGE_LIMIT = 50;
    private static final int MAX_MESSAGE_LIMIT = 200;

    private final Transcripts transcripts;
    private final OwnerResolver owners;
    private final RequestJson json;

    ConversationResource(Transcripts transcripts, OwnerResolver owners, RequestJson json) {
        this.transcripts = transcripts;
        this.owners = owners;
        this.json = json;
    }

    @POST
    @Operation(summary = "Create a conversation")
    public Response create(byte[] body, RoutingContext context) {
        TranscriptStore store = transcripts.store();
        Owner owner = owners.require(context);
        JsonNode fields = json.optionalObject(body);
        ConversationRecord created = store.createConversation(owner, optionalText(fields, "title"),
                optionalText(fields, "model"));
        return Response.status(201).entity(ConversationView.of(created)).build();
    }

    @GET
    @Operation(summary = "List the owner's conversations, newest activity first")
    public ConversationPage list(@RestQuery String limit, @RestQuery String cursor, RoutingContext context) {
        TranscriptStore store = transcripts.store();
        Owner owner = owners.require(context);
        int pageSize = boundedInt(limit, "limit", 1, MAX_LIST_LIMIT, DEFAULT_LIST_LIMIT);
        ConversationCursor after = cursor == null || cursor.isEmpty() ? null : ConversationCursor.decode(cursor);
        // One extra row tells whether another page exists without a count query.
        List<ConversationRecord> rows = store.listConversations(owner, after, pageSize + 1);
        boolean more = rows.size() > pageSize;
        List<ConversationRecord> page = more ? rows.subList(0, pageSize) : rows;
        String next = more ? ConversationCursor.after(page.get(page.size() - 1)).encode() : null;
        return new ConversationPage(page.stream().map(ConversationView::of).toList(), next);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a conversation and a page of its messages, by seq")
    public ConversationDetail get(@RestPath String id, @RestQuery("after_seq") String afterSeq,
            @RestQuery String limit, RoutingContext context) {
        TranscriptStore store = transcripts.store();
        Owner owner = owners.require(context);
        UUID conversationId = ConversationIds.parse(id, "id");
        int after = boundedInt(afterSeq, "after_seq", 0, Integer.MAX_VALUE, 0);
        int pageSize = boundedInt(limit, "limit", 1, MAX_MESSAGE_LIMIT, DEFAULT_MESSAGE_LIMIT);
        ConversationRecord conversation = store.findConversation(owner, conversationId)
                .orElseThrow(ApiException::conversationNotFound);
        List<MessageRecord> rows = store.listMessages(conversationId, after, pageSize + 1);
        boolean more = rows.size() > pageSize;
        List<MessageRecord> page = more ? rows.subList(0, pageSize) : rows;
        Integer next = more ? page.get(page.size() - 1).seq() : null;
        return ConversationDetail.of(conversation, page.stream().map(MessageView::of).toList(), next);
    }

    @PATCH
    @Path("/{id}")
    @Operation(summary = "Rename or pin a conversation")
    public ConversationView update(@RestPath String id, byte[] body, RoutingContext context) {
        TranscriptStore store = transcripts.store();
        Owner owner = owners.require(context);
        UUID conversationId = ConversationIds.parse(id, "id");
        JsonNode fields = json.optionalObject(body);
        String title = optionalText(fields, "title");
        Boolean pinned = optionalBoolean(fields, "pinned");
        return store.updateConversation(owner, conversationId, title, pinned)
                .map(ConversationView::of)
                .orElseThrow(ApiException::conversationNotFound);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a conversation and its messages")
    public Response delete(@RestPath String id, RoutingContext context) {
        TranscriptStore store = transcripts.store();
        Owner owner = owners.require(context);
        UUID conversationId = ConversationIds.parse(id, "id");
        if (!store.deleteConversation(owner, conversationId)) {
            throw ApiException.conversationNotFound();
        }
        return Response.noContent().build();
    }

    private static String optionalText(JsonNode fields, String name) {
        JsonNode value = fields.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.invalidRequest("invalid_value", name, name + " must be a string");
        }
        String problem = StorableText.problem(value.textValue());
        if (problem != null) {
            throw ApiException.invalidRequest("invalid_value", name, name + " " + problem);
        }
        return value.textValue();
    }

    private static Boolean optionalBoolean(JsonNode fields, String name) {
        JsonNode value = fields.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw ApiException.invalidRequest("invalid_value", name, name + " must be true or false");
        }
        return value.asBoolean();
    }

    private static int boundedInt(String raw, String name, int min, int max, int fallback) {
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        String range = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer from " + min + " to " + max;
        throw ApiException.invalidRequest("invalid_value", name, name + " must be " + range);
    }
}
