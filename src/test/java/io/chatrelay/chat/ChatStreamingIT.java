package io.chatrelay.chat;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ChatStreamingTest} against the packaged service: streamed and JSON chats relayed and stored in PostgreSQL. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class ChatStreamingIT extends ChatStreamingTest {
}
