package io.chatrelay.health;

import java.lang.management.ManagementFactory;

import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.conversation.Transcripts;
import io.chatrelay.upstream.BuiltInProvider;
import io.chatrelay.upstream.UpstreamConfig;

/**
 * {@code GET /healthz}: a summary for humans and dashboards; the probes are under /q/health.
 * {@code provider} is {@code openai-compatible}, or {@code dev-mock} when OPENAI_BASE_URL
 * names the stand-in provider of dev and test builds, so that nobody mistakes its echoes for
 * a model's answers.
 */
@Path("/healthz")
@Tag(name = "Health")
public class HealthzResource {

    public record Healthz(String status, @JsonProperty("uptime_s") long uptimeSeconds, String provider, String model,
            Persistence persistence) {
    }

    public record Persistence(boolean enabled, String backend,
            @JsonProperty("streaming_deltas") boolean streamingDeltas,
            @JsonProperty("retention_days") int retentionDays) {
    }

    private final Transcripts transcripts;
    private final PersistenceConfig persistence;
    private final UpstreamConfig upstream;
    private final String provider;

    HealthzResource(Transcripts transcripts, PersistenceConfig persistence, UpstreamConfig upstream,
            Instance<BuiltInProvider> builtIn) {
        this.transcripts = transcripts;
        this.persistence = persistence;
        this.upstream = upstream;
        this.provider = builtIn.stream().anyMatch(mock -> mock.isAt(upstream.baseUrl())) ? "dev-mock"
                : "openai-compatible";
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Healthz healthz() {
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
        return new Healthz("ok", uptime, provider, upstream.defaultModel(),
                new Persistence(transcripts.enabled(), transcripts.backend().label(), persistence.streamingDeltas(),
                        persistence.retentionDays()));
    }
}
