package io.chatrelay.testing;

import java.lang.annotation.Annotation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Before the first Quarkus test class starts the service, checks that the test database
 * answers, and otherwise fails every such class with a message that names the database it
 * tried and how to provide one, instead of Quarkus' "Failed to start quarkus" over a stack
 * of driver exceptions. Registered for every test class by JUnit's extension autodetection
 * (META-INF/services, switched on in pom.xml); the check runs once per test JVM.
 */
public class TestDatabaseCheck implements BeforeAllCallback {

    /** Where the {@code %test} profile of application.properties points the service. */
    static final String URL = env("TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = env("TEST_DB_USER", "postgres");
    private static final int LOGIN_TIMEOUT_SECONDS = 5;

    private static Optional<String> problem;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!startsTheService(context.getRequiredTestClass())) {
            return;
        }
        problem().ifPresent(reason -> {
            throw new IllegalStateException("""
                    The tests need PostgreSQL, and %s as user %s does not answer (%s).
                    Start a local PostgreSQL with a database named "test" (createdb test), or point the tests at \
                    another one with TEST_DB_URL, TEST_DB_USER and TEST_DB_PASSWORD (README, "Tests")."""
                    .formatted(URL, USER, reason));
        });
    }

    /**
     * Compared by name: Quarkus loads its test classes, and their annotations, in a class
     * loader of its own.
     */
    private static boolean startsTheService(Class<?> testClass) {
        for (Class<?> type = testClass; type != null; type = type.getSuperclass()) {
            for (Annotation annotation : type.getAnnotations()) {
                String name = annotation.annotationType().getName();
                if (name.equals(QuarkusTest.class.getName()) || name.equals(QuarkusIntegrationTest.class.getName())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static synchronized Optional<String> problem() {
        if (problem == null) {
            problem = connectionProblem();
        }
        return problem;
    }

    private static Optional<String> connectionProblem() {
        DriverManager.setLoginTimeout(LOGIN_TIMEOUT_SECONDS);
        try (Connection connection = DriverManager.getConnection(URL, USER, env("TEST_DB_PASSWORD", ""))) {
            return Optional.empty();
        } catch (SQLException e) {
            // The driver's own message names the cause (refused, unknown database, authentication).
            return Optional.of(e.getMessage());
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
