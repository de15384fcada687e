package io.chatrelay.ratelimit;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link RateLimitTest} against the packaged service: its profile's per-address limit, buckets in a Caffeine cache. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class RateLimitIT extends RateLimitTest {
}
