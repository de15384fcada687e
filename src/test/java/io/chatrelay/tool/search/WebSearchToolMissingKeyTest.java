package io.chatrelay.tool.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.chatrelay.tool.ToolFailure;

class WebSearchToolMissingKeyTest {

    private static final TavilyRestClient NEVER_CALLED = (authorization, request) -> fail(
            "the search API must not be called without a key");

    @ParameterizedTest
    @ValueSource(strings = { "", "   " })
    void aMissingOrBlankKeyFailsWithoutAnHttpCall(String key) {
        Optional<String> configured = key.isEmpty() ? Optional.empty() : Optional.of(key);
        WebSearchTool tool = new WebSearchTool(new TavilyClient(NEVER_CALLED, configured));

        ToolFailure failure = assertThrows(ToolFailure.class, () -> tool.run(JsonNodeFactory.instance.objectNode()
                .put("query", "weather in Lisbon")).await().indefinitely());
        assertEquals("TAVILY_API_KEY is not configured", failure.getMessage());
    }
}
