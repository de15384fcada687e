package io.chatrelay.conversation;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ConversationApiTest} against the packaged service: the conversations API, read and written as JSON. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class ConversationApiIT extends ConversationApiTest {
}
