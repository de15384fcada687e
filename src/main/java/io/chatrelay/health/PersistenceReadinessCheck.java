package io.chatrelay.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.chatrelay.conversation.Transcripts;

/**
 * Ready only when transcripts can be stored: DOWN while the database is unreachable (or
 * DB_URL is unusable) and persistence is on; UP again as soon as it answers. Liveness
 * never looks at the database, so an outage does not get the pod restarted.
 */
@Readiness
@ApplicationScoped
public class PersistenceReadinessCheck implements HealthCheck {

    private final Transcripts transcripts;

    PersistenceReadinessCheck(Transcripts transcripts) {
        this.transcripts = transcripts;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("persistence")
                .status(transcripts.ready())
                .withData("backend", transcripts.backend().label())
                .build();
    }
}
