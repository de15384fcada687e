package io.chatrelay.health;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.agroal.api.AgroalDataSource;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.PostgresProxyResource;
import io.chatrelay.testing.TcpProxy;

/**
 * What the tests of a database in trouble share: the database behind a {@link TcpProxy} that
 * they take away, a pool whose connections all went through it, and, after each test, the
 * database back and the service ready again.
 */
abstract class DatabaseTroubleFixture {

    static final int POOLED_CONNECTIONS = 5;

    @Inject
    AgroalDataSource dataSource;

    final MockUpstream upstream = MockUpstream.shared();
    TcpProxy database;
    String session;

    private final String sessionPrefix;
    private final Duration recovery;

    DatabaseTroubleFixture(String sessionPrefix, Duration recovery) {
        this.sessionPrefix = sessionPrefix;
        this.recovery = recovery;
    }

    @BeforeEach
    void setUp() throws SQLException {
        upstream.reset();
        database = PostgresProxyResource.proxy();
        session = sessionPrefix + UUID.randomUUID();
        fillThePool();
    }

    @AfterEach
    void bringTheDatabaseBack() {
        database.restore();
        awaitReady();
    }

    void awaitReady() {
        await().atMost(recovery).untilAsserted(() -> given().get("/q/health/ready")
                .then().statusCode(200).body("status", equalTo("UP")));
    }

    /**
     * Leaves several idle connections in the pool, as a busy instance has when trouble
     * starts: each of them is dead (or silent) once the proxy is cut (or hung).
     */
    private void fillThePool() throws SQLException {
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < POOLED_CONNECTIONS; i++) {
                held.add(dataSource.getConnection());
            }
        } finally {
            for (Connection connection : held) {
                connection.close();
            }
        }
    }
}
