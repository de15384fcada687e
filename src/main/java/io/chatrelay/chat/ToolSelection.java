package io.chatrelay.chat;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.chatrelay.tool.ServerTool;
import io.chatrelay.tool.ToolRegistry;

/**
 * Decides whether a chat request asks for server-side tools and, if so, gives the
 * provider their full specs. A request names a server tool by its name alone
 * ({@code "tools": ["get_time"]}) or by a function tool whose name is a server tool's; the
 * server's spec then replaces whatever the client sent. Other tools are the client's and
 * stay exactly as sent.
 */
@ApplicationScoped
public class ToolSelection {

    private final ToolRegistry registry;

    ToolSelection(ToolRegistry registry) {
        this.registry = registry;
    }

    /** Rewrites {@code tools} in place; true when at least one server tool was named. */
    public boolean applyServerTools(ObjectNode body) {
        JsonNode tools = body.get("tools");
        if (tools == null || !tools.isArray()) {
            return false;
        }
        boolean any = false;
        ArrayNode rewritten = body.arrayNode();
        for (JsonNode tool : tools) {
            ServerTool server = registry.find(nameOf(tool)).orElse(null);
            if (server != null) {
                rewritten.add(server.spec());
                any = true;
            } else {
                rewritten.add(tool);
            }
        }
        if (any) {
            body.set("tools", rewritten);
        }
        return any;
    }

    private static String nameOf(JsonNode tool) {
        if (tool.isTextual()) {
            return tool.asText();
        }
        JsonNode name = tool.path("function").path("name");
        return "function".equals(tool.path("type").asText("function")) && name.isTextual() ? name.asText() : null;
    }
}
