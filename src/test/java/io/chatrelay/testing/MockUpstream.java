package io.chatrelay.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * A scriptable OpenAI-compatible provider on a dynamic port: each request takes the next
 * queued {@link Script} (or answers with a short default stream) and every request is
 * recorded with its headers, body, and whether the relay closed it early.
 */
public final class MockUpstream {

    private static final Map<String, MockUpstream> INSTANCES = new ConcurrentHashMap<>();

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final ConcurrentLinkedQueue<Script> scripts = new ConcurrentLinkedQueue<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

    private MockUpstream() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The LLM provider of this JVM, started on first use. */
    public static MockUpstream shared() {
        return named("provider");
    }

    /** The Tavily-compatible search API of this JVM, started on first use. */
    public static MockUpstream searchApi() {
        return named("search");
    }

    /** A server that no request may reach: tests point URLs at it and expect it untouched. */
    public static MockUpstream bystander() {
        return named("bystander");
    }

    private static MockUpstream named(String name) {
        return INSTANCES.computeIfAbsent(name, n -> {
            try {
                return new MockUpstream();
            } catch (Exception e) {
                throw new IllegalStateException("mock " + n + " did not start", e);
            }
        });
    }

    /** The provider's base URL, as OPENAI_BASE_URL would name it. */
    public String baseUrl() {
        return rootUrl() + "/v1";
    }

    public String rootUrl() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** Forgets queued scripts and recorded requests. */
    public void reset() {
        scripts.clear();
        requests.clear();
    }

    /** Queues scripts, answered in order by the next requests. */
    public void enqueue(Script... next) {
        Collections.addAll(scripts, next);
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    public RecordedRequest lastRequest() {
        return requests.get(requests.size() - 1);
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            RecordedRequest recorded = new RecordedRequest(request.method().name(), request.path(),
                    request.headers().entries().stream().collect(Collectors.toMap(
                            e -> e.getKey().toLowerCase(), Map.Entry::getValue, (a, b) -> a + "," + b)),
                    body.toString(StandardCharsets.UTF_8), new CompletableFuture<>(), new AtomicLong());
            request.connection().closeHandler(v -> recorded.closed().complete(null));
            requests.add(recorded);
            Script script = scripts.poll();
            if (script == null) {
                script = Script.stream(Chunks.content("ok"), Chunks.finish("stop"), Chunks.DONE);
            }
            run(script.steps(), 0, request.response(), recorded);
        });
    }

    private void run(List<Step> steps, int index, HttpServerResponse response, RecordedRequest recorded) {
        if (index == steps.size() || recorded.closed().isDone()) {
            return;
        }
        Step step = steps.get(index);
        Runnable next = () -> run(steps, index + 1, response, recorded);
        switch (step) {
            case Step.Head head -> {
                response.setStatusCode(head.status());
                head.headers().forEach(response::putHeader);
                if (head.chunked()) {
                    response.setChunked(true);
                }
                next.run();
            }
            case Step.Write write -> response.write(Buffer.buffer(write.bytes())).onComplete(done -> {
                recorded.written().addAndGet(write.bytes().length);
                next.run();
            });
            case Step.Repeat repeat -> writeRepeatedly(repeat, repeat.times(), response, recorded, next);
            case Step.Delay delay -> vertx.setTimer(Math.max(1, delay.duration().toMillis()), t -> next.run());
            case Step.Await await -> await.gate().whenComplete((v, e) -> vertx.runOnContext(x -> next.run()));
            case Step.End end -> response.end();
            case Step.Reset reset -> response.reset();
            case Step.Stall stall -> {
                // never answers; the relay's timeout or the test ends it
            }
        }
    }

    /** Writes the piece {@code left} more times, each once the last was taken, unless the relay closed first. */
    private void writeRepeatedly(Step.Repeat repeat, int left, HttpServerResponse response, RecordedRequest recorded,
            Runnable next) {
        if (left == 0 || recorded.closed().isDone()) {
            next.run();
            return;
        }
        response.write(Buffer.buffer(repeat.bytes())).onComplete(done -> {
            if (done.failed()) {
                return; // the relay closed the connection
            }
            recorded.written().addAndGet(repeat.bytes().length);
            // A write may complete at once: go on from the event loop, not deeper in this stack.
            vertx.runOnContext(ignored -> writeRepeatedly(repeat, left - 1, response, recorded, next));
        });
    }

    /**
     * One request as the provider saw it; {@code closed} completes when its connection
     * closes, {@code written} counts the answer's bytes whose write completed.
     */
    public record RecordedRequest(String method, String path, Map<String, String> headers, String body,
            CompletableFuture<Void> closed, AtomicLong written) {

        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    sealed interface Step {
        record Head(int status, Map<String, String> headers, boolean chunked) implements Step {
        }

        record Write(byte[] bytes) implements Step {
        }

        record Repeat(byte[] bytes, int times) implements Step {
        }

        record Delay(Duration duration) implements Step {
        }

        record Await(CompletableFuture<?> gate) implements Step {
        }

        record End() implements Step {
        }

        record Reset() implements Step {
        }

        record Stall() implements Step {
        }
    }

    /** What the provider does for one request, step by step. */
    public static final class Script {

        private final List<Step> steps = new ArrayList<>();

        private Script() {
        }

        /** A {@code text/event-stream} answer with these raw events, sent back to back, then the end. */
        public static Script stream(String... events) {
            Script script = streamHead();
            for (String event : events) {
                script.write(event);
            }
            return script.end();
        }

        /** Starts a 200 {@code text/event-stream} answer; add steps, then {@link #end()} or {@link #reset()}. */
        public static Script streamHead() {
            Script script = new Script();
            script.steps.add(new Step.Head(200, Map.of("Content-Type", "text/event-stream"), true));
            return script;
        }

        /** Starts a chunked answer (no Content-Length) with this status and JSON content type. */
        public static Script chunkedJsonHead(int status) {
            Script script = new Script();
            script.steps.add(new Step.Head(status, Map.of("Content-Type", "application/json"), true));
            return script;
        }

        /** A complete answer with this status and JSON body. */
        public static Script json(int status, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            Script script = new Script();
            script.steps.add(new Step.Head(status, Map.of("Content-Type", "application/json",
                    "Content-Length", String.valueOf(bytes.length)), false));
            script.steps.add(new Step.Write(bytes));
            return script.end();
        }

        /** A complete answer with this status, these headers and body (Content-Length is added). */
        public static Script whole(int status, Map<String, String> headers, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            Map<String, String> head = new LinkedHashMap<>(headers);
            head.put("Content-Length", String.valueOf(bytes.length));
            Script script = new Script();
            script.steps.add(new Step.Head(status, head, false));
            script.steps.add(new Step.Write(bytes));
            return script.end();
        }

        /** Closes the connection without answering, not even a status line. */
        public static Script hangUp() {
            Script script = new Script();
            script.steps.add(new Step.Reset());
            return script;
        }

        /** Never answers, not even a status line. */
        public static Script stall() {
            Script script = new Script();
            script.steps.add(new Step.Stall());
            return script;
        }

        public Script write(String raw) {
            steps.add(new Step.Write(raw.getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        /** Writes {@code raw} {@code times} times, each write once the last was taken; stops early when the relay closes. */
        public Script repeat(String raw, int times) {
            steps.add(new Step.Repeat(raw.getBytes(StandardCharsets.UTF_8), times));
            return this;
        }

        public Script delay(Duration duration) {
            steps.add(new Step.Delay(duration));
            return this;
        }

        /** Waits until the test opens the gate. */
        public Script await(CompletableFuture<?> gate) {
            steps.add(new Step.Await(gate));
            return this;
        }

        /** Sends the events with {@code gap} between them. */
        public Script paced(Duration gap, String... events) {
            for (String event : events) {
                delay(gap).write(event);
            }
            return this;
        }

        public Script end() {
            steps.add(new Step.End());
            return this;
        }

        /** Breaks the connection mid-answer. */
        public Script reset() {
            steps.add(new Step.Reset());
            return this;
        }

        List<Step> steps() {
            return steps;
        }
    }
}
