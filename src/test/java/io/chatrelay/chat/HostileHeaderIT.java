package io.chatrelay.chat;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link HostileHeaderTest} against the packaged service: its HTTP server's own bounds and refusals. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class HostileHeaderIT extends HostileHeaderTest {
}
