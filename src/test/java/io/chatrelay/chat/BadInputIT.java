package io.chatrelay.chat;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link BadInputTest} against the packaged service: every refusal in OpenAI's error envelope. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class BadInputIT extends BadInputTest {
}
