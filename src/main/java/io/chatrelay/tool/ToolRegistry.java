package io.chatrelay.tool;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

/** The server-side tools, by name, and the one way to run a call of one. */
@ApplicationScoped
public class ToolRegistry {

    private static final Logger LOG = Logger.getLogger(ToolRegistry.class);

    private final Map<String, ServerTool> tools;
    private final ToolsConfig config;
    private final ObjectMapper json;

    ToolRegistry(Instance<ServerTool> discovered, ToolsConfig config, ObjectMapper json) {
        this.tools = discovered.stream().collect(Collectors.toUnmodifiableMap(ServerTool::name, Function.identity()));
        this.config = config;
        this.json = json;
    }

    public Optional<ServerTool> find(String name) {
        return Optional.ofNullable(name).map(tools::get);
    }

    public boolean isServerTool(String name) {
        return name != null && tools.containsKey(name);
    }

    /** All tools, by name. */
    public List<ServerTool> all() {
        return tools.values().stream().sorted(Comparator.comparing(ServerTool::name)).toList();
    }

    /**
     * Runs one call the model made. Never fails: a bad arguments string, an unknown tool, a
     * failing or slow tool all become the result {@code Tool <name> failed: <reason>}, which
     * goes back to the model so that it can recover.
     */
    public Uni<String> execute(String name, String argumentsJson) {
        ServerTool tool = tools.get(name);
        if (tool == null) {
            return Uni.createFrom().item(failed(name, "unknown tool"));
        }
        JsonNode arguments;
        try {
            arguments = argumentsJson == null || argumentsJson.isBlank() ? json.createObjectNode()
                    : json.readTree(argumentsJson);
        } catch (IOException e) {
            return Uni.createFrom().item(failed(name, "arguments are not valid JSON"));
        }
        if (!arguments.isObject()) {
            return Uni.createFrom().item(failed(name, "arguments must be a JSON object"));
        }
        return Uni.createFrom().deferred(() -> tool.run(arguments))
                .ifNoItem().after(config.timeout()).failWith(() -> new ToolFailure(
                        "timed out after " + config.timeout().toSeconds() + " s"))
                .onFailure().recoverWithItem(failure -> failed(name, reason(name, failure)));
    }

    private static String reason(String name, Throwable failure) {
        if (failure instanceof ToolFailure) {
            return failure.getMessage();
        }
        // An unexpected error: its text may hold internals, so the model gets a generic reason.
        LOG.warnf("Tool %s failed unexpectedly (%s)", name, failure.getClass().getName());
        return "internal error";
    }

    private static String failed(String name, String reason) {
        return "Tool " + name + " failed: " + reason;
    }
}
