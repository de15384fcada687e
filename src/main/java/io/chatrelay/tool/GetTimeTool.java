package io.chatrelay.tool;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;

/**
 * {@code get_time}: the current date and time in the configured time zone
 * ({@code relay.tools.time-zone}), so that the model need not guess "today".
 */
// Created at start-up so that a mistyped time zone fails the boot, not the first call.
@Startup
@ApplicationScoped
public class GetTimeTool implements ServerTool {

    static final String NAME = "get_time";
    static final String ZONE_KEY = "relay.tools.time-zone";

    // The model reads this, so English words regardless of the server's locale.
    private static final DateTimeFormatter HUMAN = DateTimeFormatter.ofPattern("EEEE, d MMMM uuuu, HH:mm:ss",
            Locale.ENGLISH);
    private static final ObjectNode SPEC = spec(JsonNodeFactory.instance);

    private final Clock clock;

    @Inject
    GetTimeTool(ToolsConfig config) {
        this(Clock.system(zone(config.timeZone())));
    }

    /** For tests: reads the time and the zone from {@code clock}. */
    GetTimeTool(Clock clock) {
        this.clock = clock;
    }

    /**
     * The zone named by {@code relay.tools.time-zone}, or the JVM's zone when it is unset.
     *
     * @throws IllegalArgumentException naming the key when the id is not a known zone
     */
    static ZoneId zone(Optional<String> configured) {
        Optional<String> id = configured.map(String::strip).filter(s -> !s.isEmpty());
        if (id.isEmpty()) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(id.get());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(ZONE_KEY + " (RELAY_TOOLS_TIME_ZONE) is not a time zone id: '"
                    + id.get() + "'; use a region such as Europe/Berlin, or UTC");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ObjectNode spec() {
        // Callers may add to the spec they get; the shared one stays intact.
        return SPEC.deepCopy();
    }

    @Override
    public Uni<String> run(JsonNode arguments) {
        if (arguments.size() > 0) {
            return Uni.createFrom().failure(new ToolFailure("takes no arguments"));
        }
        ZonedDateTime now = ZonedDateTime.now(clock).truncatedTo(ChronoUnit.SECONDS);
        return Uni.createFrom().item(now.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " ("
                + now.format(HUMAN) + ", time zone " + now.getZone().getId() + ")");
    }

    private static ObjectNode spec(JsonNodeFactory nodes) {
        ObjectNode parameters = nodes.objectNode().put("type", "object");
        parameters.putObject("properties");
        parameters.put("additionalProperties", false);
        ObjectNode spec = nodes.objectNode().put("type", "function");
        spec.putObject("function")
                .put("name", NAME)
                .put("description", "Current date and time of the server's time zone: ISO-8601 with offset,"
                        + " weekday and date in words, and the time zone id.")
                .set("parameters", parameters);
        return spec;
    }
}
