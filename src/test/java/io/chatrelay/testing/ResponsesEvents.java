package io.chatrelay.testing;

import static io.chatrelay.testing.Chunks.quote;

import java.util.ArrayList;
import java.util.List;

/**
 * Raw SSE events and bodies in the exact format of OpenAI's Responses API: named events
 * whose data repeats the name as {@code type}, numbered by {@code sequence_number}.
 */
public final class ResponsesEvents {

    public static final String MESSAGE_ID = "msg_67ccd2bf17f0819081ff3bb2cf6508e6";

    private ResponsesEvents() {
    }

    public static String created(String responseId) {
        return event("response.created", 0, "\"response\":" + response(responseId, "in_progress", "[]", "null",
                "null"));
    }

    public static String inProgress(String responseId) {
        return event("response.in_progress", 1, "\"response\":" + response(responseId, "in_progress", "[]", "null",
                "null"));
    }

    public static String outputItemAdded() {
        return event("response.output_item.added", 2, "\"output_index\":0,\"item\":{\"id\":\"" + MESSAGE_ID
                + "\",\"type\":\"message\",\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}");
    }

    public static String contentPartAdded() {
        return event("response.content_part.added", 3, "\"item_id\":\"" + MESSAGE_ID
                + "\",\"output_index\":0,\"content_index\":0,"
                + "\"part\":{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"\"}");
    }

    public static String delta(int sequence, String text) {
        return event("response.output_text.delta", sequence, "\"item_id\":\"" + MESSAGE_ID
                + "\",\"output_index\":0,\"content_index\":0,\"delta\":" + quote(text) + ",\"logprobs\":[]");
    }

    public static String textDone(int sequence, String text) {
        return event("response.output_text.done", sequence, "\"item_id\":\"" + MESSAGE_ID
                + "\",\"output_index\":0,\"content_index\":0,\"text\":" + quote(text) + ",\"logprobs\":[]");
    }

    public static String contentPartDone(int sequence, String text) {
        return event("response.content_part.done", sequence, "\"item_id\":\"" + MESSAGE_ID
                + "\",\"output_index\":0,\"content_index\":0,\"part\":" + outputText(text));
    }

    public static String outputItemDone(int sequence, String text) {
        return event("response.output_item.done", sequence, "\"output_index\":0,\"item\":" + message(text));
    }

    /**
     * A whole stream as OpenAI sends it for a message of these text deltas: created, in_progress,
     * the item and part added, the deltas, the text, part and item done, completed.
     */
    public static String[] sequence(String responseId, String... deltas) {
        String text = String.join("", deltas);
        List<String> events = new ArrayList<>(List.of(created(responseId),
                inProgress(responseId), outputItemAdded(), contentPartAdded()));
        int sequence = events.size();
        for (String delta : deltas) {
            events.add(delta(sequence++, delta));
        }
        events.add(textDone(sequence++, text));
        events.add(contentPartDone(sequence++, text));
        events.add(outputItemDone(sequence++, text));
        events.add(completed(sequence, responseId, text, 5, deltas.length));
        return events.toArray(String[]::new);
    }

    public static String completed(int sequence, String responseId, String text, int input, int output) {
        return event("response.completed", sequence, "\"response\":" + response(responseId, "completed",
                output(text), "null", usage(input, output)));
    }

    public static String incomplete(int sequence, String responseId, String text, String reason) {
        return event("response.incomplete", sequence, "\"response\":" + response(responseId, "incomplete",
                output(text), "{\"reason\":" + quote(reason) + "}", usage(5, 16)));
    }

    public static String failed(int sequence, String responseId, String message) {
        return event("response.failed", sequence, "\"response\":" + response(responseId, "failed", "[]", "null",
                "null").replace("\"error\":null", "\"error\":{\"code\":\"server_error\",\"message\":"
                        + quote(message) + "}"));
    }

    /** A whole non-streamed {@code response} object, as the raw API returns it (no {@code output_text}). */
    public static String body(String responseId, String text, int input, int output) {
        return response(responseId, "completed", output(text), "null", usage(input, output));
    }

    private static String event(String type, int sequence, String fields) {
        return "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":" + sequence + ","
                + fields + "}\n\n";
    }

    private static String response(String id, String status, String output, String incompleteDetails,
            String usage) {
        return "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":1741476542,\"status\":\"" + status
                + "\",\"background\":false,\"error\":null,\"incomplete_details\":" + incompleteDetails
                + ",\"instructions\":null,\"max_output_tokens\":null,\"model\":\"gpt-4.1-2025-04-14\",\"output\":"
                + output + ",\"parallel_tool_calls\":true,\"previous_response_id\":null,"
                + "\"reasoning\":{\"effort\":null,\"summary\":null},\"store\":true,\"temperature\":1.0,"
                + "\"text\":{\"format\":{\"type\":\"text\"},\"verbosity\":\"medium\"},\"tool_choice\":\"auto\","
                + "\"tools\":[],\"top_p\":1.0,\"truncation\":\"disabled\",\"usage\":" + usage
                + ",\"user\":null,\"metadata\":{}}";
    }

    private static String output(String text) {
        return "[" + message(text) + "]";
    }

    private static String message(String text) {
        return "{\"id\":\"" + MESSAGE_ID + "\",\"type\":\"message\",\"status\":\"completed\",\"content\":["
                + outputText(text) + "],\"role\":\"assistant\"}";
    }

    private static String outputText(String text) {
        return "{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":" + quote(text) + "}";
    }

    private static String usage(int input, int output) {
        return "{\"input_tokens\":" + input + ",\"input_tokens_details\":{\"cached_tokens\":0,\"cache_write_tokens\":0},\"output_tokens\":"
                + output + ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":" + (input + output)
                + "}";
    }
}
