package io.chatrelay.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Tracing switched on the way an operator does it (the SDK enabled, an OTLP endpoint): a
 * relayed chat is exported as spans to the collector, and the provider call carries the
 * trace context. Tracing is off by default; the other tests run with it off.
 */
@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
@WithTestResource(TracingTest.Collector.class)
class TracingTest {

    private final MockUpstream upstream = MockUpstream.shared();

    @BeforeEach
    void setUp() {
        upstream.reset();
    }

    @Test
    void aRelayedChatIsExportedToTheCollectorAndTheProviderCallCarriesItsTrace() {
        upstream.enqueue(Script.json(200, Chunks.completion("traced")));

        Api.as("tracing-session").body(Api.chat("trace me", false).encode()).post("/v1/chat/completions")
                .then().statusCode(200);

        String traceparent = upstream.lastRequest().header("traceparent");
        assertNotNull(traceparent, "the provider request carries a W3C trace context");
        assertTrue(traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"), traceparent);
        await().atMost(Duration.ofSeconds(15)).until(() -> !Collector.EXPORTS.isEmpty());
        assertEquals("/v1/traces", Collector.EXPORTS.get(0));
    }

    /** A stand-in OTLP/HTTP collector that records the paths it was sent spans on. */
    public static class Collector implements QuarkusTestResourceLifecycleManager {

        static final List<String> EXPORTS = new CopyOnWriteArrayList<>();

        private HttpServer server;
        private Map<String, String> settings = Map.of();

        @Override
        public Map<String, String> start() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/", exchange -> {
                try (InputStream body = exchange.getRequestBody()) {
                    body.readAllBytes();
                }
                EXPORTS.add(exchange.getRequestURI().getPath());
                // An empty protobuf message is a valid ExportTraceServiceResponse.
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            settings = Map.of("quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                    "quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "quarkus.otel.bsp.schedule.delay", "100ms");
            return settings;
        }

        @Override
        public void stop() {
            server.stop(0);
            // Quarkus leaves a resource's settings in this JVM's system properties, and an
            // integration test passes them on to the services launched after it: tracing must
            // not follow into the other tests' services.
            settings.keySet().forEach(System::clearProperty);
        }
    }
}
