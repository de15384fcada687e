package io.chatrelay.models;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ModelsTest} against the packaged service: the models endpoints relayed to the provider. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class ModelsIT extends ModelsTest {
}
