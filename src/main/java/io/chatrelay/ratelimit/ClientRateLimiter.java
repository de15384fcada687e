package io.chatrelay.ratelimit;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One Bucket4j token bucket per client address, in this instance's memory only: each
 * replica counts on its own. Buckets live in a Caffeine cache bounded in size and idle
 * time, so a flood of distinct addresses cannot grow memory without bound.
 */
// Caffeine builds a cache from classes it generates per combination of builder options and
// finds them by name (Class.forName, then a constructor lookup). quarkus-caffeine registers
// those of Quarkus' own caches, which does not include this cache's entry class (PSAMS), so a
// native executable failed at start-up without it. Both classes of this builder's options are
// named here; ClientRateLimiterTest fails when the options and this list drift apart.
@RegisterForReflection(classNames = { ClientRateLimiter.CAFFEINE_CACHE_CLASS, ClientRateLimiter.CAFFEINE_NODE_CLASS })
public final class ClientRateLimiter {

    /** Caffeine's cache class for strong keys and values, a maximum size and idle expiry. */
    static final String CAFFEINE_CACHE_CLASS = "com.github.benmanes.caffeine.cache.SSMSA";
    /** Caffeine's entry class for the same options. */
    static final String CAFFEINE_NODE_CLASS = "com.github.benmanes.caffeine.cache.PSAMS";

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int max;
    private final Duration window;
    private final Cache<String, Bucket> buckets;

    public ClientRateLimiter(int max, Duration window, long maxClients) {
        this.max = max;
        this.window = window;
        // A bucket left alone for a whole window has been refilled completely, so
        // forgetting it then is the same as keeping it.
        this.buckets = newBucketCache(maxClients, window);
    }

    static Cache<String, Bucket> newBucketCache(long maxClients, Duration window) {
        return Caffeine.newBuilder().maximumSize(maxClients).expireAfterAccess(window).build();
    }

    /** Takes one request from the address's bucket. */
    public Decision tryAcquire(String clientAddress) {
        ConsumptionProbe probe = buckets.get(clientAddress, address -> newBucket()).tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return new Decision(true, max, probe.getRemainingTokens(), 0);
        }
        long retryAfter = Math.max(1, ceilDiv(probe.getNanosToWaitForRefill(), NANOS_PER_SECOND));
        return new Decision(false, max, 0, retryAfter);
    }

    private Bucket newBucket() {
        // Interval refill: RATE_LIMIT_MAX requests per window, all returned when it ends,
        // which is what the contract states (not a smoothed rate).
        return Bucket.builder().addLimit(Bandwidth.builder().capacity(max).refillIntervally(max, window).build())
                .build();
    }

    private static long ceilDiv(long value, long divisor) {
        return (value + divisor - 1) / divisor;
    }

    /**
     * The answer for one request: {@code retryAfterSeconds} is set (>= 1) when it is
     * refused.
     */
    public record Decision(boolean allowed, int limit, long remaining, long retryAfterSeconds) {
    }
}
