package io.chatrelay.bench;

import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * A deliberately cheap OpenAI-compatible provider: {@code POST /v1/chat/completions}.
 *
 * <p>{@code "stream": true} answers {@code text/event-stream} with {@code chunks} content chunks
 * ({@code "delta":{"content":"tok "}}), then a chunk with {@code finish_reason: "stop"}, then
 * {@code data: [DONE]}. Every event, the first included, is its own write (one HTTP chunk, flushed
 * at once) and consecutive events are {@code intervalMs} apart, driven by a Vert.x periodic timer:
 * because even {@code [DONE]} is spaced out, any event a client sees glued to the previous one was
 * glued on the way, never by the mock. The first event leaves immediately, so time to first chunk
 * measures transport and proxy, not a simulated model. {@code "stream": false} answers the
 * equivalent {@code chat.completion} JSON at once, so JSON rounds measure request handling only.
 *
 * <p>{@code GET /health} answers 200 so that the bench can wait for the mock to be up.
 *
 * <p>The bench runs it in a JVM of its own with one event loop ({@link MockProcess}): its CPU is
 * then neither the relay's nor the load generator's, and one loop is plenty for a mock whose only
 * work is a few thousand small writes per second; {@link #start} also allows embedding it.
 */
public final class FastMockUpstream {

    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

    private final Vertx vertx;
    private final int chunks;
    private final long intervalMs;
    private final AtomicLong ids = new AtomicLong();

    private FastMockUpstream(Vertx vertx, int chunks, long intervalMs) {
        this.vertx = vertx;
        this.chunks = chunks;
        this.intervalMs = intervalMs;
    }

    /**
     * Usage: {@code FastMockUpstream [--port 0] [--chunks 20] [--interval-ms 10]}. Prints
     * {@code FastMockUpstream listening on 127.0.0.1:<port>} once it accepts connections.
     */
    public static void main(String[] argv) {
        Args args = Args.parse(argv);
        int port = args.intValue("port", 0);
        int chunks = args.intValue("chunks", 20);
        long intervalMs = args.intValue("interval-ms", 10);
        // One event loop: the mock must stay cheap and its CPU time easy to attribute.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        // The bench normally stops us; if the bench JVM itself is killed, do not linger.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        start(vertx, port, chunks, intervalMs).onSuccess(server -> System.out.printf(
                "FastMockUpstream listening on 127.0.0.1:%d (%d chunks, %d ms apart)%n",
                server.actualPort(), chunks, intervalMs))
                .onFailure(err -> {
                    err.printStackTrace();
                    System.exit(1);
                });
    }

    /** Starts the mock on 127.0.0.1 ({@code port} 0 picks a free one). */
    public static Future<HttpServer> start(Vertx vertx, int port, int chunks, long intervalMs) {
        if (chunks < 1 || intervalMs < 0) {
            throw new IllegalArgumentException("chunks must be >= 1 and interval-ms >= 0");
        }
        FastMockUpstream mock = new FastMockUpstream(vertx, chunks, intervalMs);
        // Many concurrent idle-ish connections: a deep accept backlog avoids SYN drops at c=500.
        return vertx.createHttpServer(new HttpServerOptions().setAcceptBacklog(4096).setTcpNoDelay(true))
                .requestHandler(mock::handle).listen(port, "127.0.0.1");
    }

    private void handle(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET && "/health".equals(request.path())) {
            request.response().end("ok");
            return;
        }
        if (request.method() != HttpMethod.POST || !"/v1/chat/completions".equals(request.path())) {
            request.response().setStatusCode(404).end();
            return;
        }
        request.body().onSuccess(body -> {
            JsonObject json;
            try {
                json = body.toJsonObject();
            } catch (DecodeException | ClassCastException e) {
                error(request.response(), 400, "body is not a JSON object");
                return;
            }
            if (json == null) {
                error(request.response(), 400, "body is not a JSON object");
                return;
            }
            String model = json.getValue("model") instanceof String s ? s : "bench-model";
            if (Boolean.TRUE.equals(json.getValue("stream"))) {
                stream(request.response(), model);
            } else {
                completion(request.response(), model);
            }
        });
    }

    private void stream(HttpServerResponse response, String model) {
        String prefix = "data: {\"id\":\"chatcmpl-bench-" + ids.incrementAndGet()
                + "\",\"object\":\"chat.completion.chunk\",\"created\":" + System.currentTimeMillis() / 1000
                + ",\"model\":" + Json.encode(model) + ",\"choices\":[{\"index\":0,\"delta\":";
        Buffer content = Buffer.buffer(prefix + "{\"content\":\"tok \"},\"finish_reason\":null}]}\n\n");
        Buffer stop = Buffer.buffer(prefix + "{},\"finish_reason\":\"stop\"}]}\n\n");
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache");
        // Events 0..chunks-1 are content, event `chunks` is the stop chunk, event `chunks+1` is [DONE].
        int lastEvent = chunks + 1;
        if (intervalMs == 0) {
            // Only for checking the glue counter: everything back to back, still one write per event.
            for (int k = 0; k < lastEvent; k++) {
                response.write(k < chunks ? content : stop);
            }
            response.end(DONE);
            return;
        }
        response.write(content);
        int[] next = {1};
        long timer = vertx.setPeriodic(intervalMs, id -> {
            if (response.closed()) {
                // The client (or the relay) went away: stop writing into a dead connection.
                vertx.cancelTimer(id);
                return;
            }
            int k = next[0]++;
            if (k < chunks) {
                response.write(content);
            } else if (k == chunks) {
                response.write(stop);
            } else {
                vertx.cancelTimer(id);
                response.end(DONE);
            }
        });
        response.closeHandler(v -> vertx.cancelTimer(timer));
    }

    private void completion(HttpServerResponse response, String model) {
        String text = "tok ".repeat(chunks);
        String body = "{\"id\":\"chatcmpl-bench-" + ids.incrementAndGet()
                + "\",\"object\":\"chat.completion\",\"created\":" + System.currentTimeMillis() / 1000
                + ",\"model\":" + Json.encode(model)
                + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text
                + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" + chunks
                + ",\"total_tokens\":" + (chunks + 5) + "}}";
        response.putHeader("Content-Type", "application/json").end(body);
    }

    private static void error(HttpServerResponse response, int status, String message) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .end("{\"error\":{\"message\":" + Json.encode(message)
                        + ",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
    }
}
