package io.chatrelay.conversation.postgres;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.chatrelay.error.Causes;

/**
 * Applies the Flyway migrations and tells whether PostgreSQL can be used. Start-up does
 * not fail when the database is down: readiness stays DOWN and every probe tries again,
 * so the instance recovers by itself once the database is reachable.
 */
@ApplicationScoped
public class SchemaMigrator {

    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class);
    private static final int VALIDATION_TIMEOUT_SECONDS = 2;

    private final Instance<Flyway> flyway;
    private final Instance<AgroalDataSource> dataSource;
    private volatile boolean migrated;
    private volatile boolean reportedDown;

    SchemaMigrator(Instance<Flyway> flyway, Instance<AgroalDataSource> dataSource) {
        this.flyway = flyway;
        this.dataSource = dataSource;
    }

    /** Migrates if that has not happened yet, then checks a connection. Blocking. */
    public boolean ensureMigrated() {
        try {
            if (!migrated) {
                migrate();
            }
            try (Connection connection = dataSource.get().getConnection()) {
                if (!connection.isValid(VALIDATION_TIMEOUT_SECONDS)) {
                    return reportDown("connection validation failed");
                }
            }
            if (reportedDown) {
                LOG.info("PostgreSQL is reachable again");
                reportedDown = false;
            }
            return true;
        } catch (SQLException e) {
            return reportDown("SQL state " + e.getSQLState());
        } catch (RuntimeException e) {
            return reportDown(describeRootCause(e));
        }
    }

    private synchronized void migrate() {
        if (migrated) {
            return;
        }
        var result = flyway.get().migrate();
        migrated = true;
        if (result.migrationsExecuted > 0) {
            LOG.infof("Database schema migrated to version %s", result.targetSchemaVersion);
        }
    }

    private boolean reportDown(String reason) {
        // Logged once per outage, without the exception text: it may quote SQL or the URL's credentials.
        if (!reportedDown) {
            LOG.errorf("PostgreSQL is unavailable (%s): readiness is DOWN until it is reachable;"
                    + " check DB_URL, DB_USER and DB_PASSWORD", reason);
            reportedDown = true;
        }
        return false;
    }

    /** The root cause's type, and its SQL state when it has one: never its message. */
    private static String describeRootCause(Throwable e) {
        Throwable cause = Causes.root(e);
        if (cause instanceof SQLException sql) {
            return cause.getClass().getSimpleName() + ", SQL state " + sql.getSQLState();
        }
        return cause.getClass().getSimpleName();
    }
}
