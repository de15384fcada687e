package io.chatrelay.health;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** Tracing in the packaged service: its exporter and the provider call's trace context. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class TracingIT extends TracingTest {
}
