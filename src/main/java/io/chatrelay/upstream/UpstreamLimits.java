package io.chatrelay.upstream;

/**
 * How much of the provider's answer the service holds in memory at once: a provider that
 * never ends an event, or sends an endless JSON body, must not take the heap with it.
 *
 * @param maxEventBytes most bytes of one SSE event (MAX_UPSTREAM_EVENT_BYTES)
 * @param maxBodyBytes most bytes of an answer read whole (MAX_UPSTREAM_BODY_BYTES)
 */
public record UpstreamLimits(int maxEventBytes, int maxBodyBytes) {

    /** Fails with a message naming the variable when a bound is not a positive number of bytes. */
    public UpstreamLimits {
        if (maxEventBytes < 1) {
            throw new IllegalArgumentException("MAX_UPSTREAM_EVENT_BYTES must be at least 1, got " + maxEventBytes);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("MAX_UPSTREAM_BODY_BYTES must be at least 1, got " + maxBodyBytes);
        }
    }

    static UpstreamLimits of(UpstreamConfig config) {
        return new UpstreamLimits(config.maxEventBytes(), config.maxBodyBytes());
    }
}
