package io.chatrelay.sdk;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * {@link OpenAiSdkTest} against the packaged service: the OpenAI Java SDK as a client of what
 * ships. The provider is the scriptable mock rather than the dev mock, which the production
 * build does not contain.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class OpenAiSdkIT extends OpenAiSdkTest {
}
