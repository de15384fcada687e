package io.chatrelay.conversation;

import static io.chatrelay.testing.Api.as;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.chatrelay.testing.Api;
import io.chatrelay.testing.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A rename or a pin never writes back the seq counter it read: a turn committed while the
 * PATCH was under way keeps its seq taken, so the next message does not collide with it (a
 * collision is a unique violation, and that message would be lost).
 */
@QuarkusTest
class PatchDuringTurnTest {

    @Test
    void aPatchOverlappingATurnLeavesTheTurnsSeqCounterAlone() throws Exception {
        String session = "patch-" + UUID.randomUUID();
        String conversationId = Api.createConversation(session);
        CompletableFuture<Integer> patched;
        try (Connection turn = Db.connect()) {
            turn.setAutoCommit(false);
            // Stands for a turn's insert: the row locked and its counter moved, not yet committed.
            try (PreparedStatement insert = turn.prepareStatement(
                    "update conversations set last_seq = last_seq + 1 where id = ?::uuid")) {
                insert.setString(1, conversationId);
                insert.executeUpdate();
            }
            patched = CompletableFuture.supplyAsync(() -> as(session).body("{\"title\":\"renamed\"}")
                    .patch("/v1/conversations/" + conversationId).statusCode());
            // The PATCH has read the row (counter 0) and waits for the turn's lock to write its own.
            await().atMost(Duration.ofSeconds(20)).until(() -> Db.number("select count(*) from pg_stat_activity"
                    + " where wait_event_type = 'Lock' and query like 'update conversations%'") == 1);
            turn.commit();
        }
        assertEquals(200, patched.get());
        assertEquals(1, Db.number("select last_seq from conversations where id = ?::uuid", conversationId));
        assertEquals("renamed", Api.conversation(session, conversationId).getString("title"));
    }
}
