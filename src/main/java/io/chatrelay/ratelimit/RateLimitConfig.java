package io.chatrelay.ratelimit;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Per-client-address rate limit of {@code /v1/*} (see "Rate limiting and CORS" in API.md). */
@ConfigMapping(prefix = "relay.rate-limit")
public interface RateLimitConfig {

    /** Requests one client address may make per window (RATE_LIMIT_MAX); 0 turns rate limiting off. */
    @WithDefault("50")
    int max();

    /** Length of the window (RATE_LIMIT_WINDOW_SEC; a bare number is seconds). */
    @WithDefault("60")
    Duration window();

    /**
     * Client addresses whose buckets are kept in memory at most; beyond it the least
     * recently seen lose theirs (and start again with a full bucket).
     */
    @WithDefault("100000")
    long maxClients();
}
