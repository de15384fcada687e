package io.chatrelay.health;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link HealthAndMetricsTest} against the packaged service: probes, /healthz, OpenAPI and the Prometheus metrics. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class HealthAndMetricsIT extends HealthAndMetricsTest {
}
