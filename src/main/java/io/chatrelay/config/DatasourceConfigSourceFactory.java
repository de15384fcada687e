package io.chatrelay.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.chatrelay.conversation.PersistenceBackend;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Points the JDBC datasource at DB_URL only when transcripts go to PostgreSQL. With
 * PERSIST_TRANSCRIPTS=false or a {@code filejson:} DB_URL no JDBC URL is set and the
 * datasource, Hibernate ORM and Flyway stay inactive: nothing tries to connect.
 * Its ordinal is below application.properties and the environment, so an explicit
 * {@code QUARKUS_DATASOURCE_JDBC_URL} still wins. Hibernate ORM does not follow an inactive
 * datasource by itself, hence its explicit switch.
 */
public class DatasourceConfigSourceFactory implements ConfigSourceFactory {

    private static final int ORDINAL = 200;
    private static final Duration DEFAULT_DB_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        boolean enabled = !"false".equalsIgnoreCase(valueOf(context, "relay.persistence.enabled"));
        String dbUrl = valueOf(context, "relay.persistence.db-url");
        Map<String, String> derived = new HashMap<>();
        if (PersistenceBackend.of(enabled, dbUrl) == PersistenceBackend.POSTGRESQL) {
            derived.put("quarkus.datasource.jdbc.url", dbUrl);
            // pgjdbc takes whole seconds: a database that accepts the connection but never answers
            // (hung, not down) frees the waiting thread after DB_TIMEOUT instead of never.
            String seconds = Long.toString(wholeSeconds(valueOf(context, "relay.persistence.db-timeout")));
            derived.put("quarkus.datasource.jdbc.additional-jdbc-properties.connectTimeout", seconds);
            derived.put("quarkus.datasource.jdbc.additional-jdbc-properties.socketTimeout", seconds);
        } else {
            derived.put("quarkus.hibernate-orm.active", "false");
            derived.put("quarkus.flyway.active", "false");
        }
        return List.of(new PropertiesConfigSource(derived, "chat-relay-datasource", ORDINAL));
    }

    /** DB_TIMEOUT rounded up to whole seconds, at least 1; 5 when unset or unreadable. */
    static long wholeSeconds(String dbTimeout) {
        Duration timeout;
        try {
            timeout = dbTimeout == null || dbTimeout.isBlank() ? DEFAULT_DB_TIMEOUT
                    : DurationConverter.parseDuration(dbTimeout.trim());
        } catch (RuntimeException e) {
            timeout = DEFAULT_DB_TIMEOUT;
        }
        if (timeout == null) {
            timeout = DEFAULT_DB_TIMEOUT;
        }
        long millis = Math.max(1, timeout.toMillis());
        return (millis + 999) / 1000;
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    private static String valueOf(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null ? null : value.getValue();
    }
}
