package io.chatrelay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.Config;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * What an {@code XxxIT} adds to its {@code XxxTest}: the settings that the {@code %test}
 * profile gives {@code @QuarkusTest}, for the packaged service (the jar, or the native
 * executable with {@code -Dnative}) that {@code @QuarkusIntegrationTest} launches.
 * <p>
 * The packaged service runs in its {@code prod} profile, as it does in production
 * ({@code quarkus.test.integration-test-profile} keeps its default), so that what the ITs
 * prove is what ships: the production build with its production configuration, its schema
 * migrated by the service's own start-up migration (SchemaMigrator) rather than by
 * {@code %test}'s migrate-at-start. Only the settings the tests rely on are added, as system
 * properties of the launched process, with the values {@code @QuarkusTest} gets: the
 * {@code %test} profile of application.properties (with TEST_DB_URL, TEST_DB_USER and
 * TEST_DB_PASSWORD from the environment), then the test profile's overrides. Quarkus also
 * sets them as this JVM's system properties, so {@link Db} reads the same database URL and
 * user as the service.
 * <p>
 * Not passed: {@code %test}'s Flyway and Hibernate validation settings (entity/DDL drift is
 * the {@code @QuarkusTest} suite's job) and {@code quarkus.http.test-port=0}, which this JVM
 * itself reads to launch the service on a free port.
 */
public class PackagedServiceResource implements QuarkusTestResourceLifecycleManager {

    /** {@code %test} settings of application.properties that tests depend on. */
    private static final List<String> TEST_SETTINGS = List.of(
            "relay.persistence.db-url",
            "quarkus.datasource.username",
            "quarkus.datasource.password",
            // the 504 and timeout tests wait for it
            "relay.upstream.first-byte-timeout",
            "relay.persistence.final-write-timeout",
            // a packaged service must not spool into the working directory
            "relay.persistence.spool-dir",
            // the suite sends far more than 50 requests a minute from one address
            "relay.rate-limit.max",
            // a background retention sweep would race the assertions on the shared database
            "quarkus.scheduler.enabled",
            // the launcher stops the service after the last IT of a configuration
            "relay.shutdown.drain-timeout",
            "quarkus.shutdown.timeout");

    private String testProfile;

    @Override
    public void setContext(Context context) {
        testProfile = context.testProfile();
    }

    @Override
    public Map<String, String> start() {
        Config config = testProfileConfig();
        Map<String, String> settings = new HashMap<>();
        for (String name : TEST_SETTINGS) {
            config.getOptionalValue(name, String.class).ifPresent(value -> settings.put(name, value));
        }
        // prod listens on every interface; a test service only needs the loopback
        settings.put("quarkus.http.host", "127.0.0.1");
        settings.putAll(testProfileOverrides());
        return settings;
    }

    /**
     * application.properties and the environment as the {@code %test} profile reads them. Not
     * this JVM's own configuration: its system properties may still hold what the resources of
     * an earlier launch passed on (a file backend's directory, say).
     */
    private static Config testProfileConfig() {
        try {
            return new SmallRyeConfigBuilder().withProfile("test").addDefaultInterceptors()
                    .withSources(new PropertiesConfigSource(PackagedServiceResource.class.getClassLoader()
                            .getResource("application.properties"), 250))
                    .withSources(new EnvConfigSource(System.getenv(), 300))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The test profile's overrides, passed on again: a resource's values would otherwise
     * replace them in the launched service, and only a resource's values also become this
     * JVM's system properties, where a test reads them (FileJsonBackendTest's directory).
     * They come from a second instance of the profile; FileJsonBackendTest's makes a directory
     * of its own, and that one is what the service and the test both use.
     */
    private Map<String, String> testProfileOverrides() {
        if (testProfile == null) {
            return Map.of();
        }
        try {
            Class<?> type = Class.forName(testProfile, true, Thread.currentThread().getContextClassLoader());
            return ((QuarkusTestProfile) type.getDeclaredConstructor().newInstance()).getConfigOverrides();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("test profile " + testProfile + " cannot be created", e);
        }
    }

    @Override
    public void stop() {
        // nothing was started
    }
}
