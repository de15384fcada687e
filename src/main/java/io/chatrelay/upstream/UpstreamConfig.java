package io.chatrelay.upstream;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where and how the OpenAI-compatible provider is reached. Each key is bound to the
 * environment variable named in API.md by {@code application.properties}.
 */
@ConfigMapping(prefix = "relay.upstream")
public interface UpstreamConfig {

    /** Base URL of the provider, e.g. {@code https://api.openai.com/v1} (OPENAI_BASE_URL). */
    String baseUrl();

    /** Bearer key sent upstream (OPENAI_API_KEY); never logged, never returned to a client. */
    Optional<String> apiKey();

    /** Model used when a request names none (DEFAULT_MODEL). */
    @WithDefault("gpt-4.1-mini")
    String defaultModel();

    /** Time allowed to open the TCP/TLS connection (UPSTREAM_CONNECT_TIMEOUT). */
    @WithDefault("10s")
    Duration connectTimeout();

    /**
     * Time allowed for the response head to arrive, and then between two body chunks
     * (UPSTREAM_FIRST_BYTE_TIMEOUT).
     */
    @WithDefault("120s")
    Duration firstByteTimeout();

    /**
     * Most bytes one SSE event of the provider may hold before its blank line
     * (MAX_UPSTREAM_EVENT_BYTES); past it the stream ends with an in-band error.
     */
    @WithDefault("1048576")
    int maxEventBytes();

    /**
     * Most bytes of an answer read whole: a JSON answer or an error body
     * (MAX_UPSTREAM_BODY_BYTES); past it the client gets a 502.
     */
    @WithDefault("16777216")
    int maxBodyBytes();

    /** Connections kept per upstream host; streams hold one each for their whole length. */
    @WithDefault("1000")
    int maxConnections();
}
