package io.chatrelay.chat;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link ToolLoopTest} against the packaged service: server tools run in a loop, web_search
 * through the search API's REST client.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class ToolLoopIT extends ToolLoopTest {
}
