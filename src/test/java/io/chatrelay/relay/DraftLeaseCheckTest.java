package io.chatrelay.relay;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.tool.ToolsConfig;
import io.chatrelay.upstream.UpstreamConfig;

/** The draft lease must outlast a live stream's longest silence; with the defaults it does. */
class DraftLeaseCheckTest {

    private static final UpstreamConfig UPSTREAM = config(UpstreamConfig.class,
            Map.of("connectTimeout", Duration.ofSeconds(10), "firstByteTimeout", Duration.ofSeconds(120)));
    private static final ToolsConfig TOOLS = config(ToolsConfig.class, Map.of("timeout", Duration.ofSeconds(20)));

    @Test
    void theDefaultLeaseOutlastsTheDefaultSilence() {
        assertDoesNotThrow(() -> new DraftLeaseCheck(persistence(true, Duration.ofMinutes(3)), UPSTREAM, TOOLS));
    }

    @Test
    void aLeaseThatASilentLiveStreamWouldOutlastFailsStartUpNamingTheSettings() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new DraftLeaseCheck(persistence(true, Duration.ofSeconds(150)), UPSTREAM, TOOLS));
        assertTrue(refused.getMessage().contains("STREAMING_LEASE (150s)"), refused.getMessage());
        assertTrue(refused.getMessage().contains("UPSTREAM_FIRST_BYTE_TIMEOUT"), refused.getMessage());
    }

    @Test
    void withoutTheEscapeHatchTheLeaseIsNotUsed() {
        assertDoesNotThrow(() -> new DraftLeaseCheck(persistence(false, Duration.ofSeconds(1)), UPSTREAM, TOOLS));
    }

    private static PersistenceConfig persistence(boolean streamingDeltas, Duration lease) {
        return config(PersistenceConfig.class, Map.of("streamingDeltas", streamingDeltas, "streamingLease", lease));
    }

    /** A configuration interface answering {@code values} by method name. */
    private static <T> T config(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
                (proxy, method, args) -> {
                    Object value = values.get(method.getName());
                    if (value == null) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return value;
                }));
    }
}
