package io.chatrelay.conversation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@link ConcurrentLimitsTest} on the JSON-file backend. */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@TestProfile(FileJsonConcurrentLimitsTest.Profile.class)
class FileJsonConcurrentLimitsTest extends ConcurrentLimitsTest {

    public static class Profile implements QuarkusTestProfile {

        private final Path directory = createDirectory();

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(ConcurrentLimitsTest.Profile.limits());
            overrides.put("relay.persistence.db-url", PersistenceBackend.FILEJSON_PREFIX + directory);
            return overrides;
        }

        private static Path createDirectory() {
            try {
                return Files.createTempDirectory(Files.createDirectories(Path.of("target")), "filejson-limits-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
