package io.chatrelay.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Routes the service's datasource through a {@link TcpProxy} in front of the local
 * PostgreSQL, so that a test can take the database away and bring it back while the
 * service runs. User, password and database stay those of the %test profile (TEST_DB_URL).
 */
public class PostgresProxyResource implements QuarkusTestResourceLifecycleManager {

    private static volatile TcpProxy proxy;

    /** The proxy of the running test application. */
    public static TcpProxy proxy() {
        TcpProxy current = proxy;
        if (current == null) {
            throw new IllegalStateException("PostgresProxyResource is not started");
        }
        return current;
    }

    @Override
    public Map<String, String> start() {
        try {
            proxy = new TcpProxy("127.0.0.1", 5432);
        } catch (Exception e) {
            throw new IllegalStateException("the PostgreSQL proxy did not start", e);
        }
        // The test database (TEST_DB_URL), reached through the proxy.
        return Map.of("relay.persistence.db-url",
                TestDatabaseCheck.URL.replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/"));
    }

    @Override
    public void stop() {
        TcpProxy current = proxy;
        proxy = null;
        if (current != null) {
            try {
                current.close();
            } catch (Exception e) {
                // the JVM is shutting the test application down; nothing is left to clean
            }
        }
    }
}
