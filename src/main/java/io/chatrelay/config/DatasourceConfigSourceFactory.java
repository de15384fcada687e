package io.chatrelay.config;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.chatrelay.conversation.PersistenceBackend;
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

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        boolean enabled = !"false".equalsIgnoreCase(valueOf(context, "relay.persistence.enabled"));
        String dbUrl = valueOf(context, "relay.persistence.db-url");
        Map<String, String> derived = PersistenceBackend.of(enabled, dbUrl) == PersistenceBackend.POSTGRESQL
                ? Map.of("quarkus.datasource.jdbc.url", dbUrl)
                : Map.of("quarkus.hibernate-orm.active", "false", "quarkus.flyway.active", "false");
        return List.of(new PropertiesConfigSource(derived, "chat-relay-datasource", ORDINAL));
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
