package io.chatrelay.tool;

/**
 * An expected failure of a tool (bad arguments, missing key, provider error). Its message
 * is the reason shown to the model as {@code Tool <name> failed: <reason>}: it must not
 * carry keys or internal details.
 */
public class ToolFailure extends RuntimeException {

    public ToolFailure(String reason) {
        super(reason, null, false, false);
    }
}
