package io.chatrelay.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class GetTimeToolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-26T12:20:05.789Z");

    private static JsonNode args(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void reportsIsoInstantHumanFormAndZone() throws Exception {
        GetTimeTool tool = new GetTimeTool(Clock.fixed(NOW, ZoneId.of("Europe/Berlin")));

        assertEquals("2026-11-26T13:20:05+01:00 (Thursday, 26 November 2026, 13:20:05, time zone Europe/Berlin)",
                tool.run(args("{}")).await().indefinitely());
    }

    @Test
    void utcIsWrittenWithZ() throws Exception {
        GetTimeTool tool = new GetTimeTool(Clock.fixed(NOW, ZoneId.of("UTC")));

        assertEquals("2026-11-26T12:20:05Z (Thursday, 26 November 2026, 12:20:05, time zone UTC)",
                tool.run(args("{}")).await().indefinitely());
    }

    @Test
    void rejectsAnyArgument() throws Exception {
        GetTimeTool tool = new GetTimeTool(Clock.fixed(NOW, ZoneId.of("UTC")));

        ToolFailure failure = assertThrows(ToolFailure.class,
                () -> tool.run(args("{\"zone\":\"Europe/Paris\"}")).await().indefinitely());
        assertEquals("takes no arguments", failure.getMessage());
    }

    @Test
    void specDeclaresNoParameters() {
        JsonNode spec = new GetTimeTool(Clock.systemUTC()).spec();

        assertEquals("function", spec.path("type").asText());
        assertEquals("get_time", spec.path("function").path("name").asText());
        assertFalse(spec.path("function").path("description").asText().isBlank());
        JsonNode parameters = spec.path("function").path("parameters");
        assertEquals("object", parameters.path("type").asText());
        assertTrue(parameters.path("properties").isObject());
        assertEquals(0, parameters.path("properties").size());
        assertFalse(parameters.path("additionalProperties").asBoolean(true));
    }

    @Test
    void zoneComesFromConfigOrTheJvm() {
        assertEquals(ZoneId.of("Asia/Tokyo"), GetTimeTool.zone(Optional.of(" Asia/Tokyo ")));
        assertEquals(ZoneId.systemDefault(), GetTimeTool.zone(Optional.empty()));
        assertEquals(ZoneId.systemDefault(), GetTimeTool.zone(Optional.of(" ")));
    }

    @Test
    void unknownZoneFailsWithAMessageNamingTheKey() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> GetTimeTool.zone(Optional.of("Mars/Olympus")));
        assertTrue(failure.getMessage().contains("relay.tools.time-zone"), failure.getMessage());
        assertTrue(failure.getMessage().contains("Mars/Olympus"), failure.getMessage());
    }
}
