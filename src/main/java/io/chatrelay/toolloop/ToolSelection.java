package io.chatrelay.toolloop;

import java.util.HashSet;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.error.ApiException;
import io.chatrelay.tool.ServerTool;
import io.chatrelay.tool.ToolRegistry;

/**
 * Decides whether a chat request asks for server-side tools and, if so, gives the
 * provider their full specs. A request names a server tool by its name alone
 * ({@code "tools": ["get_time"]}) or by a function tool whose name is a server tool's; the
 * server's spec then replaces whatever the client sent. Other function tools are the
 * client's and stay exactly as sent.
 */
@ApplicationScoped
public class ToolSelection {

    /**
     * Who runs a call the model makes in this request.
     *
     * @param usesServerTools whether the request named at least one server tool
     * @param clientTools names of the function tools the client declared
     */
    public record ToolPlan(boolean usesServerTools, Set<String> clientTools) {

        static final ToolPlan NONE = new ToolPlan(false, Set.of());

        /** A call of a tool the client declared is the client's to run; any other the server answers. */
        boolean isClientCall(ObjectNode call) {
            return clientTools.contains(call.path("function").path("name").asText());
        }
    }

    private final ToolRegistry registry;

    ToolSelection(ToolRegistry registry) {
        this.registry = registry;
    }

    /**
     * Rewrites {@code tools} in place and says who runs which calls. A bare name that is not
     * a server tool is refused with 400 before anything happens.
     */
    public ToolPlan plan(ObjectNode body) {
        JsonNode tools = body.get("tools");
        if (tools == null || !tools.isArray()) {
            return ToolPlan.NONE;
        }
        boolean usesServerTools = false;
        Set<String> clientTools = new HashSet<>();
        ArrayNode rewritten = body.arrayNode();
        for (JsonNode tool : tools) {
            if (tool.isTextual() && !registry.isServerTool(tool.asText())) {
                throw ApiException.invalidRequest("invalid_value", "tools", "'" + tool.asText()
                        + "' is not a server tool; GET /v1/tools lists them");
            }
            ServerTool server = registry.find(nameOf(tool)).orElse(null);
            if (server != null) {
                rewritten.add(server.spec());
                usesServerTools = true;
            } else {
                rewritten.add(tool);
                JsonNode name = tool.path("function").path("name");
                if (name.isTextual()) {
                    clientTools.add(name.asText());
                }
            }
        }
        if (usesServerTools) {
            body.set("tools", rewritten);
        }
        return new ToolPlan(usesServerTools, Set.copyOf(clientTools));
    }

    private static String nameOf(JsonNode tool) {
        if (tool.isTextual()) {
            return tool.asText();
        }
        JsonNode name = tool.path("function").path("name");
        return "function".equals(tool.path("type").asText("function")) && name.isTextual() ? name.asText() : null;
    }
}
