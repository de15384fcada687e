package io.chatrelay.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;

/**
 * A tool the service runs itself when the model calls it. Adding a tool means adding one
 * {@code @ApplicationScoped} class that implements this interface; {@link ToolRegistry}
 * finds it.
 */
public interface ServerTool {

    /** The function name the model calls. */
    String name();

    /** The OpenAI function tool spec: {@code {"type":"function","function":{"name","description","parameters"}}}. */
    ObjectNode spec();

    /**
     * Runs the tool. Called on the event loop: blocking work must move to a worker thread.
     * Bad arguments and other expected failures fail with {@link ToolFailure}, whose
     * reason is shown to the model.
     *
     * @param arguments the model's arguments, already parsed into a JSON object
     * @return the result text handed back to the model
     */
    Uni<String> run(JsonNode arguments);
}
