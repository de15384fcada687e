package io.chatrelay.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the relay at the shared mock provider and mock search API, with known keys. */
public class MockUpstreamResource implements QuarkusTestResourceLifecycleManager {

    public static final String UPSTREAM_KEY = "sk-test-upstream-key";
    public static final String SEARCH_KEY = "tvly-test-key";

    @Override
    public Map<String, String> start() {
        return Map.of("relay.upstream.base-url", MockUpstream.shared().baseUrl(),
                "relay.upstream.api-key", UPSTREAM_KEY,
                "quarkus.rest-client.tavily.url", MockUpstream.searchApi().rootUrl(),
                "relay.tools.tavily-api-key", SEARCH_KEY);
    }

    @Override
    public void stop() {
        // shared by every test class of this JVM; the JVM's exit ends it
    }
}
