package io.chatrelay.relay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.RestResponse;

import io.chatrelay.conversation.AssistantMessage;
import io.chatrelay.error.ApiException;
import io.chatrelay.session.Owner;
import io.chatrelay.turn.AnswerFolder;
import io.chatrelay.turn.TurnRecorder;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * The one log line of a finished exchange: endpoint, conversation, a hash of the owner
 * (never the session id or subject itself), outcome, finish reason, provider status, bytes sent and
 * duration. Never message content or keys. The same fields go to the MDC, so that JSON
 * logs carry them as fields. One instance per request.
 */
final class ExchangeLog {

    private static final Logger LOG = Logger.getLogger("io.chatrelay.exchange");
    private static final String[] FIELDS = { "endpoint", "conversation_id", "session_hash", "status",
            "finish_reason", "upstream_status", "bytes", "duration_ms" };

    private final String endpoint;
    private final String sessionHash;
    private final long started = System.nanoTime();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicBoolean written = new AtomicBoolean();
    private volatile UUID conversationId;
    private volatile int upstreamStatus;
    private volatile String status;
    private volatile String finishReason;

    ExchangeLog(String endpoint, Optional<Owner> owner) {
        this.endpoint = endpoint;
        this.sessionHash = owner.map(o -> hash(o.key())).orElse(null);
    }

    void conversation(UUID id) {
        conversationId = id;
    }

    void upstreamStatus(int httpStatus) {
        upstreamStatus = httpStatus;
    }

    /** The recorder, seen from the log: the stored outcome names the exchange's status. */
    TurnRecorder observe(TurnRecorder recorder) {
        return new TurnRecorder() {
            @Override
            public void progressed(AnswerFolder answer) {
                recorder.progressed(answer);
            }

            @Override
            public void onShutdown(Runnable stopUpstream) {
                recorder.onShutdown(stopUpstream);
            }

            @Override
            public Uni<Void> finish(AssistantMessage message) {
                if (status == null) {
                    status = message.status();
                    finishReason = message.finishReason();
                }
                return recorder.finish(message);
            }
        };
    }

    /**
     * The response, counted as it goes out: the line is written when a stream has ended, or
     * at once for a whole body.
     */
    @SuppressWarnings("unchecked")
    RestResponse<?> counting(RestResponse<?> response) {
        if (response.getEntity() instanceof Multi<?> stream) {
            Multi<Buffer> counted = ChunkStage.map((Multi<Buffer>) stream, chunk -> {
                bytes.addAndGet(chunk.length());
                return chunk;
            }).onTermination().invoke(this::write);
            return RestResponse.ResponseBuilder.fromResponse((RestResponse<Object>) response).entity(counted).build();
        }
        if (response.getEntity() instanceof Buffer whole) {
            bytes.set(whole.length());
        }
        write();
        return response;
    }

    /** The exchange failed before its response began (404, 429, 502, ...). */
    void failed(Throwable failure) {
        if (status == null) {
            status = "refused";
        }
        if (upstreamStatus == 0 && failure instanceof ApiException api) {
            finishReason = api.code();
        }
        write();
    }

    private void write() {
        if (!written.compareAndSet(false, true)) {
            return;
        }
        long durationMs = (System.nanoTime() - started) / 1_000_000;
        Object[] values = { endpoint, conversationId, sessionHash, status, finishReason,
                upstreamStatus == 0 ? null : upstreamStatus, bytes.get(), durationMs };
        for (int i = 0; i < FIELDS.length; i++) {
            if (values[i] != null) {
                MDC.put(FIELDS[i], values[i]);
            }
        }
        try {
            LOG.infof("exchange finished endpoint=%s conversation=%s session=%s status=%s finish_reason=%s"
                    + " upstream_status=%s bytes=%d duration_ms=%d", values);
        } finally {
            for (String field : FIELDS) {
                MDC.remove(field);
            }
        }
    }

    /** A short, stable, non-reversible name for an owner in logs. */
    static String hash(String session) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(session.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
