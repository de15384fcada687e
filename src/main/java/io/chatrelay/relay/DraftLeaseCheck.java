package io.chatrelay.relay;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.chatrelay.conversation.PersistenceConfig;
import io.chatrelay.tool.ToolsConfig;
import io.chatrelay.upstream.UpstreamConfig;
import io.quarkus.runtime.Startup;

/**
 * With PERSIST_STREAMING_DELTAS, a draft's lease is renewed only by the appends its stream
 * makes anyway, so it must outlast the longest time a live stream can go without text: a
 * provider call's connection and first byte (or the gap between two chunks, which has the
 * same bound), after a tool call in the tool loop. The relay ends a stream silent for longer
 * itself. A shorter lease would let the orphan sweep take live drafts for those of a dead
 * instance: start-up fails instead, naming the settings.
 */
@Startup
@ApplicationScoped
class DraftLeaseCheck {

    DraftLeaseCheck(PersistenceConfig persistence, UpstreamConfig upstream, ToolsConfig tools) {
        if (!persistence.streamingDeltas()) {
            return;
        }
        Duration longestSilence = upstream.connectTimeout().plus(upstream.firstByteTimeout()).plus(tools.timeout());
        if (persistence.streamingLease().compareTo(longestSilence) <= 0) {
            throw new IllegalArgumentException("STREAMING_LEASE (" + persistence.streamingLease().toSeconds()
                    + "s) must be longer than the longest silence of a live stream: UPSTREAM_CONNECT_TIMEOUT"
                    + " + UPSTREAM_FIRST_BYTE_TIMEOUT + relay.tools.timeout (" + longestSilence.toSeconds() + "s)");
        }
    }
}
