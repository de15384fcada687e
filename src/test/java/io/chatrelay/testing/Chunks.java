package io.chatrelay.testing;

/** Raw SSE events in the exact format of OpenAI's chat completion stream. */
public final class Chunks {

    public static final String DONE = "data: [DONE]\n\n";
    private static final String HEAD = "{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1700000000,\"model\":\"gpt-test\",\"system_fingerprint\":null,\"choices\":[";

    private Chunks() {
    }

    public static String content(String text) {
        return event("{\"index\":0,\"delta\":{\"content\":" + quote(text)
                + "},\"logprobs\":null,\"finish_reason\":null}");
    }

    public static String role() {
        return event("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                + "\"finish_reason\":null}");
    }

    public static String finish(String reason) {
        return event("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":" + quote(reason) + "}");
    }

    /** The first fragment of a tool call: its index, id and function name, no arguments yet. */
    public static String toolCallStart(int index, String id, String name) {
        return event("{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":" + index + ",\"id\":" + quote(id)
                + ",\"type\":\"function\",\"function\":{\"name\":" + quote(name) + ",\"arguments\":\"\"}}]},"
                + "\"logprobs\":null,\"finish_reason\":null}");
    }

    /** A later fragment of a tool call's arguments. */
    public static String toolCallArguments(int index, String fragment) {
        return event("{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":" + index
                + ",\"function\":{\"arguments\":" + quote(fragment) + "}}]},\"logprobs\":null,\"finish_reason\":null}");
    }

    /** A complete non-streamed chat.completion that asks for one tool call. */
    public static String toolCallCompletion(String id, String name, String arguments) {
        return "{\"id\":\"chatcmpl-tools\",\"object\":\"chat.completion\",\"created\":1700000000,"
                + "\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":null,\"tool_calls\":[{\"id\":" + quote(id) + ",\"type\":\"function\",\"function\":"
                + "{\"name\":" + quote(name) + ",\"arguments\":" + quote(arguments) + "}}]},"
                + "\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}";
    }

    /** The usage chunk OpenAI sends after finish_reason when stream_options.include_usage is set. */
    public static String usage(int prompt, int completion) {
        return "data: " + HEAD + "],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + "}}\n\n";
    }

    /** A complete non-streamed chat.completion. */
    public static String completion(String text) {
        return "{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"gpt-test\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(text)
                + ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";
    }

    private static String event(String choice) {
        return "data: " + HEAD + choice + "]}\n\n";
    }

    public static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
