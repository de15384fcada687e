package io.chatrelay.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Chunks;
import io.chatrelay.testing.MockUpstream;
import io.chatrelay.testing.MockUpstream.Script;
import io.chatrelay.testing.MockUpstreamResource;
import io.chatrelay.testing.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(MockUpstreamResource.class)
class ExchangeLogTest {

    private final MockUpstream upstream = MockUpstream.shared();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger exchangeLogger = Logger.getLogger("io.chatrelay.exchange");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage() == null ? "" : formatted(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() {
        upstream.reset();
        exchangeLogger.addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        exchangeLogger.removeHandler(capture);
    }

    @Test
    void oneLinePerExchangeWithOutcomeAndNoContentOrSessionId() {
        String session = "secret-session-" + UUID.randomUUID();
        String conversationId = Api.createConversation(session);
        upstream.enqueue(Script.stream(Chunks.content("private answer"), Chunks.finish("stop"), Chunks.DONE));

        try (SseClient client = Api.stream(session, Api.chat("private question", true)
                .put("conversation_id", conversationId))) {
            client.readToEnd();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.contains(conversationId)));
        List<String> mine = lines.stream().filter(l -> l.contains(conversationId)).toList();
        assertEquals(1, mine.size(), String.join("\n", lines));
        String line = mine.get(0);
        assertTrue(line.contains("endpoint=chat/completions"), line);
        assertTrue(line.contains("status=final"), line);
        assertTrue(line.contains("finish_reason=stop"), line);
        assertTrue(line.contains("upstream_status=200"), line);
        assertTrue(line.contains("session=" + ExchangeLog.hash(session)), line);
        assertTrue(line.matches(".*bytes=[1-9][0-9]* duration_ms=[0-9]+.*"), line);
        assertFalse(line.contains(session), "the raw session id is never logged");
        assertFalse(line.contains("private"), "message content is never logged");
        assertFalse(line.contains(MockUpstreamResource.UPSTREAM_KEY));
    }

    @Test
    void refusedExchangeIsLoggedWithItsReason() {
        String session = "refused-" + UUID.randomUUID();
        String unknown = UUID.randomUUID().toString();

        Api.as(session).body(Api.chat("hi", false).put("conversation_id", unknown).encode())
                .post("/v1/chat/completions").then().statusCode(404);

        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream()
                .anyMatch(l -> l.contains("session=" + ExchangeLog.hash(session))));
        String line = lines.stream().filter(l -> l.contains("session=" + ExchangeLog.hash(session))).findFirst()
                .orElseThrow();
        assertTrue(line.contains("status=refused"), line);
        assertTrue(line.contains("finish_reason=conversation_not_found"), line);
    }

    private static String formatted(LogRecord record) {
        Object[] parameters = record.getParameters();
        return parameters == null ? record.getMessage() : String.format(record.getMessage(), parameters);
    }
}
