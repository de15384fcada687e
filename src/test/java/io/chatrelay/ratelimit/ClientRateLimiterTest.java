package io.chatrelay.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.github.benmanes.caffeine.cache.Cache;

import io.github.bucket4j.Bucket;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The limiter's own rules, and the native-image registration of the Caffeine classes its
 * cache is built from: a native executable finds them only when they are registered, and a
 * missing one shows only when that executable starts. This test reads which classes Caffeine
 * really picked for the limiter's builder options, so a change of those options that is not
 * followed by the registration fails here, on the JVM.
 */
class ClientRateLimiterTest {

    @Test
    void theCaffeineClassesOfTheBucketCacheAreRegisteredForReflection() throws Exception {
        Set<String> registered = Set.of(
                ClientRateLimiter.class.getAnnotation(RegisterForReflection.class).classNames());
        Cache<String, Bucket> cache = ClientRateLimiter.newBucketCache(10, Duration.ofMinutes(1));
        cache.put("192.0.2.1", Bucket.builder()
                .addLimit(limit -> limit.capacity(1).refillIntervally(1, Duration.ofMinutes(1))).build());

        // Caffeine's manual cache wraps the generated cache class, whose map holds generated entry classes.
        Object generatedCache = field(cache, "cache");
        Object entry = ((Map<?, ?>) field(generatedCache, "data")).values().iterator().next();

        assertEquals(Set.of(generatedCache.getClass().getName(), entry.getClass().getName()), registered,
                "the classes Caffeine picked (expected) and those registered on ClientRateLimiter");
    }

    @Test
    void refusesOnceTheWindowsRequestsAreSpentAndSaysWhenToRetry() {
        ClientRateLimiter limiter = new ClientRateLimiter(2, Duration.ofSeconds(30), 100);

        assertTrue(limiter.tryAcquire("192.0.2.1").allowed());
        ClientRateLimiter.Decision last = limiter.tryAcquire("192.0.2.1");
        ClientRateLimiter.Decision refused = limiter.tryAcquire("192.0.2.1");

        assertEquals(0, last.remaining());
        assertFalse(refused.allowed());
        assertTrue(refused.retryAfterSeconds() >= 1 && refused.retryAfterSeconds() <= 30, "retry after "
                + refused.retryAfterSeconds());
        assertTrue(limiter.tryAcquire("192.0.2.2").allowed(), "every address has its own bucket");
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
            try {
                Field field = type.getDeclaredField(name);
                field.setAccessible(true);
                return field.get(target);
            } catch (NoSuchFieldException e) {
                // declared further up
            }
        }
        throw new NoSuchFieldException(name);
    }
}
