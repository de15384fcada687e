package io.chatrelay.chat;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link HostileBodyTest} against the packaged service. Its log lines are those of another
 * process there, so the check that an oversized chunked body logs no error holds only in the test.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class HostileBodyIT extends HostileBodyTest {
}
