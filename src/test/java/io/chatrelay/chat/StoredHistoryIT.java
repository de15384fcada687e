package io.chatrelay.chat;

import io.chatrelay.testing.PackagedServiceResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link StoredHistoryTest} against the packaged service: X-History: stored read from PostgreSQL. */
@QuarkusIntegrationTest
@WithTestResource(PackagedServiceResource.class)
class StoredHistoryIT extends StoredHistoryTest {
}
