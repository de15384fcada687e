package io.chatrelay.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the relay at the shared {@link MockUpstream} with a known upstream key. */
public class MockUpstreamResource implements QuarkusTestResourceLifecycleManager {

    public static final String UPSTREAM_KEY = "sk-test-upstream-key";

    @Override
    public Map<String, String> start() {
        return Map.of("relay.upstream.base-url", MockUpstream.shared().baseUrl(),
                "relay.upstream.api-key", UPSTREAM_KEY);
    }

    @Override
    public void stop() {
        // shared by every test class of this JVM; the JVM's exit ends it
    }
}
