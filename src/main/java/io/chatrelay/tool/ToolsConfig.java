package io.chatrelay.tool;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Server-side tools. */
@ConfigMapping(prefix = "relay.tools")
public interface ToolsConfig {

    /** Upstream calls one orchestrated turn may make (MAX_TOOL_ITERATIONS). */
    @WithDefault("10")
    int maxIterations();

    /** Longest run of one tool call; past it the call fails and the loop goes on. */
    @WithDefault("20s")
    Duration timeout();

    /** Key of the Tavily-compatible search API (TAVILY_API_KEY); web_search fails without it. */
    Optional<String> tavilyApiKey();

    /**
     * Time zone id that get_time reports in, e.g. {@code Europe/Berlin} or {@code UTC}; the
     * JVM's default zone when unset. An unknown id fails start-up.
     */
    Optional<String> timeZone();
}
