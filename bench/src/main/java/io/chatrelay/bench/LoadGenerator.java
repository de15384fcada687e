package io.chatrelay.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.VertxInternal;

/**
 * Closed-loop HTTP load on one target: {@code concurrency} lanes, each sending its next request
 * as soon as the previous one ended, until the round's duration is over or its request budget is
 * spent; then the requests in flight finish (bounded by a drain timeout, after which they are
 * reset and counted as errors). Every round therefore stops by itself.
 *
 * <p>Streaming requests record time to first chunk, total time, inter-event gaps and glued events
 * ({@link SseObserver}, {@link ReadCounter}); a stream counts as completed only when it ended with
 * {@code data: [DONE]} and no in-band error. JSON requests record latency and need a 200 with a
 * {@code chat.completion} body. Throughput counts only what completed inside the window, so the
 * drain tail does not flatter either side.
 *
 * <p>Threading: Vert.x runs a request's callbacks on the context that issued it, while the bytes
 * arrive on the event loop of the connection. If the two differ, a response can be delivered (even
 * ended) before its handlers are set, and a read number would be taken on the wrong thread. So each
 * lane is pinned to one event-loop context and issues its requests there, through a client used only
 * from that context: its pool then only holds connections created on that very event loop, and a
 * whole exchange (head, body, read counting) runs on one thread. Each pool is as large as the
 * biggest concurrency, so a lane never waits for a connection; connections are kept alive across
 * rounds, as a real client's would be.
 */
final class LoadGenerator implements AutoCloseable {

    /** A round on one target. {@code sessionPrefix} null: no {@code X-Session-Id} header. */
    record Round(String targetName, int port, boolean stream, int concurrency, Duration duration,
            long maxRequests, String sessionPrefix, boolean keepConversationIds, Duration drainTimeout) {
    }

    private static final String PATH = "/v1/chat/completions";
    /** Distinct session ids across the whole run: every persisted turn opens its own conversation. */
    private static final AtomicLong SESSIONS = new AtomicLong();

    private final Vertx vertx;
    /** One event-loop context per loop; lane {@code i} lives on {@code contexts[i % n]}. */
    private final List<Context> contexts = new ArrayList<>();
    /** One client per context, used only from that context (see the class comment). */
    private final List<HttpClient> clients = new ArrayList<>();

    LoadGenerator(int eventLoops, int maxConnections) {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        for (int i = 0; i < eventLoops; i++) {
            // A new context on the next event loop (getOrCreateContext would hand this thread the same
            // "sticky" context every time).
            contexts.add(((VertxInternal) vertx).createEventLoopContext());
            clients.add(vertx.httpClientBuilder()
                    .with(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(120).setPipelining(false)
                            .setTcpNoDelay(true).setConnectTimeout(5_000))
                    .with(new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(-1))
                    .withConnectHandler(ReadCounter::install)
                    .build());
        }
    }

    /** Runs one round; the future completes when every lane has stopped. */
    CompletableFuture<RoundStats> run(Round round) {
        return new RoundRun(round).start();
    }

    @Override
    public void close() {
        try {
            for (HttpClient client : clients) {
                client.close().toCompletionStage().toCompletableFuture().get();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            // closing at the end of the run; nothing left to measure
        }
    }

    private static Buffer body(boolean stream) {
        return Buffer.buffer("{\"model\":\"bench-model\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello from the chat-relay bench\"}]}");
    }

    /** State of one round: its lanes, its deadline, its requests in flight. */
    private final class RoundRun {

        private final Round round;
        private final RoundStats stats = new RoundStats();
        private final Buffer body;
        private final CompletableFuture<RoundStats> result = new CompletableFuture<>();
        private final AtomicLong issued = new AtomicLong();
        private final AtomicInteger lanes = new AtomicInteger();
        private final AtomicBoolean finished = new AtomicBoolean();
        private final Set<HttpClientRequest> inFlight = ConcurrentHashMap.newKeySet();
        private long startNanos;
        private long deadlineNanos;
        private long hardStopTimer;

        RoundRun(Round round) {
            this.round = round;
            this.body = body(round.stream());
        }

        CompletableFuture<RoundStats> start() {
            startNanos = System.nanoTime();
            deadlineNanos = startNanos + round.duration().toNanos();
            lanes.set(round.concurrency());
            // The hard stop bounds the round even if a target stops answering mid-stream.
            hardStopTimer = vertx.setTimer(round.duration().plus(round.drainTimeout()).toMillis(), t -> {
                for (HttpClientRequest request : inFlight) {
                    stats.error("not finished at hard stop");
                    request.reset();
                }
                finish();
            });
            for (int i = 0; i < round.concurrency(); i++) {
                int lane = i % contexts.size();
                contexts.get(lane).runOnContext(v -> next(lane));
            }
            return result;
        }

        /** A lane sends its next request, or stops when the window or the budget is used up. */
        private void next(int lane) {
            if (finished.get() || System.nanoTime() >= deadlineNanos
                    || issued.incrementAndGet() > round.maxRequests()) {
                if (lanes.decrementAndGet() == 0) {
                    finish();
                }
                return;
            }
            stats.issued.increment();
            new Exchange(lane).send();
        }

        private void finish() {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            vertx.cancelTimer(hardStopTimer);
            long end = Math.min(System.nanoTime(), deadlineNanos);
            stats.windowSeconds = (end - startNanos) / 1e9;
            result.complete(stats);
        }

        /** One request: its timing and its single outcome (completed or one error). */
        private final class Exchange {

            private final int lane;
            private final long start = System.nanoTime();
            private boolean over;
            private HttpClientRequest request;

            Exchange(int lane) {
                this.lane = lane;
            }

            void send() {
                RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                        .setPort(round.port()).setURI(PATH)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Accept", round.stream() ? "text/event-stream" : "application/json")
                        // A silent target fails the request instead of holding its lane forever.
                        .setIdleTimeout(30_000);
                if (round.sessionPrefix() != null) {
                    options.putHeader("X-Session-Id", round.sessionPrefix() + "-" + SESSIONS.incrementAndGet());
                }
                clients.get(lane).request(options).compose(req -> {
                    request = req;
                    inFlight.add(req);
                    return req.send(body);
                }).onComplete(ar -> {
                    if (ar.failed()) {
                        fail("request failed: " + ar.cause().getClass().getSimpleName());
                    } else {
                        onResponse(ar.result());
                    }
                });
            }

            private void onResponse(HttpClientResponse response) {
                if (response.statusCode() != 200) {
                    int status = response.statusCode();
                    response.body().onComplete(ignored -> fail("HTTP " + status));
                    return;
                }
                String conversationId = response.getHeader("X-Conversation-Id");
                if (round.stream()) {
                    ReadCounter counter = ReadCounter.of(response.request().connection());
                    SseObserver sse = new SseObserver(stats, start);
                    response.handler(buffer -> sse.onBuffer(buffer, System.nanoTime(),
                            counter == null ? -1 : counter.reads()));
                    response.exceptionHandler(err -> fail("stream broken: " + err.getClass().getSimpleName()));
                    response.endHandler(v -> {
                        if (sse.inBandError()) {
                            fail("in-band error event");
                        } else if (!sse.done()) {
                            fail("stream ended without [DONE]");
                        } else {
                            succeed(conversationId);
                        }
                    });
                } else {
                    response.body().onComplete(ar -> {
                        if (ar.failed()) {
                            fail("body failed: " + ar.cause().getClass().getSimpleName());
                        } else if (ar.result().toString().indexOf("\"chat.completion\"") < 0) {
                            fail("not a chat.completion");
                        } else {
                            succeed(conversationId);
                        }
                    });
                }
            }

            private void succeed(String conversationId) {
                if (!settle()) {
                    return;
                }
                long now = System.nanoTime();
                stats.totalMicros.recordValue(SseObserver.micros(now - start));
                stats.completed.increment();
                if (now <= deadlineNanos) {
                    stats.completedInWindow.increment();
                }
                if (round.sessionPrefix() != null) {
                    if (conversationId == null) {
                        stats.missingConversationId.increment();
                    } else if (round.keepConversationIds()) {
                        stats.conversationIds.add(conversationId);
                    }
                }
                next(lane);
            }

            private void fail(String kind) {
                if (!settle()) {
                    return;
                }
                stats.error(kind);
                next(lane);
            }

            /** True exactly once per exchange, so that end and exception handlers cannot both count. */
            private boolean settle() {
                if (over || finished.get()) {
                    over = true;
                    return false;
                }
                over = true;
                if (request != null) {
                    inFlight.remove(request);
                }
                return true;
            }
        }
    }
}
