package io.chatrelay.turn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.conversation.BlockingWrites;
import io.chatrelay.conversation.MessageRecord;
import io.chatrelay.conversation.MessageStatus;
import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.conversation.Transcripts;
import io.chatrelay.error.ApiException;
import io.chatrelay.session.Owner;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;

/**
 * Stored history, opted into with the request header {@code X-History: stored}: the
 * conversation's stored messages go to the provider between the request's leading
 * {@code system}/{@code developer} messages and the rest of its {@code messages}, so that a
 * client that keeps no history sends only what is new.
 *
 * <p>How stored messages are replayed, as OpenAI chat messages, by seq:
 * <ul>
 * <li>a user message with its content as sent;</li>
 * <li>an assistant message with its content (partial for {@code error} and {@code aborted}
 * turns: what the client saw) and its {@code tool_calls}, then one {@code role: tool}
 * message per call that has a stored {@code output};</li>
 * <li>a call without output (a client tool's, or one the loop did not run) is left out, as
 * the provider refuses a call without its result; except in the last stored message, when
 * the request itself starts with the results of those calls (a client answering its tool
 * calls);</li>
 * <li>an assistant message left with neither text nor calls (an {@code error} turn without
 * content) is left out, and so is a {@code streaming} draft of the escape hatch: its turn is
 * still being written;</li>
 * <li>at most HISTORY_MAX_MESSAGES of the most recent messages, counted as replayed, and
 * never starting with tool results cut off from the call they answer.</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class StoredHistory {

    public static final String HEADER = "X-History";
    private static final String STORED = "stored";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Transcripts transcripts;
    private final BlockingWrites writes;
    private final int maxMessages;

    StoredHistory(Transcripts transcripts, BlockingWrites writes, PersistenceConfig config) {
        // Fail start-up, naming the variable, rather than send no history at all.
        if (config.historyMaxMessages() < 1) {
            throw new IllegalArgumentException("HISTORY_MAX_MESSAGES must be at least 1, got "
                    + config.historyMaxMessages());
        }
        this.transcripts = transcripts;
        this.writes = writes;
        this.maxMessages = config.historyMaxMessages();
    }

    /** Whether the header asks for the stored history; a value other than {@code stored} is a 400. */
    public static boolean requested(String header) {
        if (header == null) {
            return false;
        }
        if (!STORED.equalsIgnoreCase(header.strip())) {
            throw ApiException.invalidRequest("invalid_value", HEADER, HEADER + " must be stored (or left out)");
        }
        return true;
    }

    /** 400 for {@code X-History: stored} on a request that names no conversation. */
    public static ApiException missingConversation() {
        return ApiException.invalidRequest("missing_conversation", "conversation_id", HEADER
                + ": stored needs a conversation: send conversation_id or the X-Conversation-Id header");
    }

    /** 501 for {@code X-History: stored} while nothing is stored, as for the conversations API. */
    static ApiException persistenceOff() {
        return new ApiException(501, "invalid_request_error", "not_implemented", HEADER,
                "Stored history needs conversation storage, which is disabled on this server"
                        + " (PERSIST_TRANSCRIPTS=false)");
    }

    /**
     * Reads the conversation's latest messages (one read, on a worker thread, bounded) and
     * puts them into the request's {@code messages}. Fails with 404 when the conversation is
     * not the owner's. Called before the turn's user message is stored, which the request
     * carries already.
     */
    Uni<Void> splice(Owner owner, ExchangeRequest request) {
        ArrayNode messages = (ArrayNode) request.upstreamBody().get("messages");
        int at = leadingInstructions(messages);
        Set<String> answered = answeredToolCalls(messages, at);
        return writes.read(() -> transcripts.store()
                .latestMessages(owner, request.conversationId(), maxMessages)
                .map(stored -> replay(stored, answered, maxMessages)))
                .invoke(history -> {
                    List<ObjectNode> replayed = history.orElseThrow(ApiException::conversationNotFound);
                    for (int i = 0; i < replayed.size(); i++) {
                        messages.insert(at + i, replayed.get(i));
                    }
                })
                .replaceWithVoid();
    }

    /** How many messages at the start are system or developer instructions. */
    static int leadingInstructions(ArrayNode messages) {
        int count = 0;
        while (count < messages.size()) {
            String role = messages.get(count).path("role").asText();
            if (!"system".equals(role) && !"developer".equals(role)) {
                break;
            }
            count++;
        }
        return count;
    }

    /** The calls answered by the tool results the request's own messages start with (after {@code from}). */
    static Set<String> answeredToolCalls(ArrayNode messages, int from) {
        Set<String> ids = new HashSet<>();
        for (int i = from; i < messages.size() && "tool".equals(messages.get(i).path("role").asText()); i++) {
            ids.add(messages.get(i).path("tool_call_id").asText());
        }
        return ids;
    }

    /**
     * The stored messages (by seq) as the provider gets them: at most {@code max}, the most
     * recent, never starting with a tool result. {@code answeredByRequest} names the calls of
     * the last stored message whose results the request brings.
     */
    static List<ObjectNode> replay(List<MessageRecord> stored, Set<String> answeredByRequest, int max) {
        List<ObjectNode> replayed = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            MessageRecord message = stored.get(i);
            switch (message.role()) {
                case "user" -> {
                    if (message.content() != null && !message.content().isNull()) {
                        ObjectNode user = JSON.objectNode().put("role", "user");
                        user.set("content", message.content());
                        replayed.add(user);
                    }
                }
                case "assistant" -> replayAssistant(message,
                        i == stored.size() - 1 ? answeredByRequest : Set.of(), replayed);
                default -> {
                    // only user and assistant messages are stored
                }
            }
        }
        int from = Math.max(0, replayed.size() - max);
        // A cut between a call and its results would leave results the provider cannot match to a call.
        while (from < replayed.size() && "tool".equals(replayed.get(from).path("role").asText())) {
            from++;
        }
        return List.copyOf(replayed.subList(from, replayed.size()));
    }

    private static void replayAssistant(MessageRecord message, Set<String> answeredByRequest,
            List<ObjectNode> replayed) {
        if (MessageStatus.STREAMING.equals(message.status())) {
            return;
        }
        ArrayNode calls = JSON.arrayNode();
        List<ObjectNode> results = new ArrayList<>();
        JsonNode stored = message.toolCalls();
        if (stored != null && stored.isArray()) {
            for (JsonNode call : stored) {
                String id = call.path("id").asText("");
                JsonNode output = call.get("output");
                boolean ran = output != null && !output.isNull();
                if (id.isEmpty() || (!ran && !answeredByRequest.contains(id))) {
                    continue;
                }
                calls.add(openAiCall(call, id));
                if (ran) {
                    results.add(JSON.objectNode().put("role", "tool").put("tool_call_id", id)
                            .put("content", output.isTextual() ? output.asText() : output.toString()));
                }
            }
        }
        boolean hasText = hasText(message.content());
        if (!hasText && calls.isEmpty()) {
            return;
        }
        ObjectNode assistant = JSON.objectNode().put("role", "assistant");
        assistant.set("content", hasText ? message.content() : JSON.nullNode());
        if (!calls.isEmpty()) {
            assistant.set("tool_calls", calls);
        }
        replayed.add(assistant);
        replayed.addAll(results);
    }

    /** OpenAI's shape of a call: the stored one minus its output. */
    private static ObjectNode openAiCall(JsonNode call, String id) {
        ObjectNode replayed = JSON.objectNode().put("id", id).put("type", call.path("type").asText("function"));
        JsonNode function = call.path("function");
        replayed.putObject("function").put("name", function.path("name").asText(""))
                .put("arguments", function.path("arguments").asText(""));
        return replayed;
    }

    private static boolean hasText(JsonNode content) {
        if (content == null || content.isNull()) {
            return false;
        }
        if (content.isTextual()) {
            return !content.asText().isEmpty();
        }
        return !content.isContainerNode() || !content.isEmpty();
    }
}
