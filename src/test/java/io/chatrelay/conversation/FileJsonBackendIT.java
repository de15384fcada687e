package io.chatrelay.conversation;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link FileJsonBackendTest} against the packaged service: transcripts as JSON files in its profile's directory. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class FileJsonBackendIT extends FileJsonBackendTest {
}
