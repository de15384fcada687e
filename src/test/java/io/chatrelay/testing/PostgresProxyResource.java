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
        return Map.of("relay.persistence.db-url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + database());
    }

    /** The database of TEST_DB_URL (as the %test profile uses it), "test" without it. */
    private static String database() {
        String url = System.getenv("TEST_DB_URL");
        if (url == null || url.isBlank()) {
            return "test";
        }
        String path = url.substring(url.lastIndexOf('/') + 1);
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
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
