package io.chatrelay.tool;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.common.annotation.NonBlocking;

/** {@code GET /v1/tools}: the server-side tools a request may name, with their specs. */
@Path("/v1/tools")
@Tag(name = "Tools")
@Produces(MediaType.APPLICATION_JSON)
public class ToolsResource {

    /** The tools' OpenAI function specs and their names, both sorted by name. */
    public record ToolList(List<ObjectNode> tools, @JsonProperty("available_tools") List<String> availableTools) {
    }

    private final ToolRegistry registry;

    ToolsResource(ToolRegistry registry) {
        this.registry = registry;
    }

    @GET
    @NonBlocking
    @Operation(summary = "List the server-side tools and their OpenAI function specs")
    public ToolList list() {
        List<ServerTool> tools = registry.all();
        return new ToolList(tools.stream().map(ServerTool::spec).toList(),
                tools.stream().map(ServerTool::name).toList());
    }
}
