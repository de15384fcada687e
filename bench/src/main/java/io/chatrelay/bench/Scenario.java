package io.chatrelay.bench;

import java.time.Duration;

/**
 * One load shape measured on both sides: streamed or JSON, at a concurrency, for a round length
 * (and at most {@code maxRequests} per round, which is what makes the smoke's rounds tiny).
 */
record Scenario(String key, String label, boolean stream, int concurrency, Duration roundDuration,
        long maxRequests) {

    static Scenario stream(int concurrency, Duration round) {
        return new Scenario("stream-c" + concurrency, "stream c=" + concurrency, true, concurrency, round, Long.MAX_VALUE);
    }

    static Scenario json(int concurrency, Duration round) {
        return new Scenario("json-c" + concurrency, "JSON c=" + concurrency, false, concurrency, round, Long.MAX_VALUE);
    }

    Scenario limitedTo(long requests) {
        return new Scenario(key, label, stream, concurrency, roundDuration, requests);
    }

    Scenario lasting(Duration duration) {
        return new Scenario(key, label, stream, concurrency, duration, maxRequests);
    }
}
