package io.chatrelay.responses;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ResponsesTest} against the packaged service: the Responses API, streamed and not. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class ResponsesIT extends ResponsesTest {
}
