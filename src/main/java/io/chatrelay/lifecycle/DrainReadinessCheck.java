package io.chatrelay.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready once a shutdown has begun, so that the load balancer stops sending new requests. */
@Readiness
@ApplicationScoped
public class DrainReadinessCheck implements HealthCheck {

    private final Drain drain;

    DrainReadinessCheck(Drain drain) {
        this.drain = drain;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("shutdown").status(!drain.draining()).build();
    }
}
