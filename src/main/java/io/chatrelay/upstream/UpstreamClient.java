package io.chatrelay.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.chatrelay.error.ApiException;
import io.chatrelay.error.Causes;
import io.chatrelay.metrics.RelayMetrics;
import io.netty.channel.ConnectTimeoutException;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Calls the OpenAI-compatible provider and hands back its answer as raw bytes.
 *
 * <p>This is the Vert.x HTTP client that Quarkus' reactive REST client itself runs on.
 * The REST client's {@code Multi} support parses {@code text/event-stream} into event
 * payloads and hides the status and headers; a relay that must forward every byte as
 * the provider sent it, and relay an error status with its body, needs the response
 * head and the unparsed body, which this level gives (see docs/adr/0002).
 */
// Started with the service, so that an invalid bound fails start-up rather than the first chat.
@Startup
@ApplicationScoped
public class UpstreamClient {

    private final HttpClient client;
    private final UpstreamConfig config;
    private final RelayMetrics metrics;
    private final URI base;
    private final UpstreamLimits limits;

    UpstreamClient(Vertx vertx, UpstreamConfig config, RelayMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.limits = UpstreamLimits.of(config);
        this.base = URI.create(config.baseUrl().endsWith("/") ? config.baseUrl() : config.baseUrl() + "/");
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setDecompressionSupported(false);
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(config.maxConnections()));
    }

    /**
     * POSTs a JSON body to {@code path} (relative to OPENAI_BASE_URL). The returned answer is
     * paused: its body flows only once it is subscribed to. Fails with 502 when the provider
     * cannot be reached and 504 when no response head arrives in time.
     */
    public Uni<UpstreamResponse> post(String path, Buffer body, boolean stream) {
        RequestOptions options = options(HttpMethod.POST, path)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, stream ? "text/event-stream" : "application/json");
        return call(options, body);
    }

    /**
     * GETs {@code path} (relative to OPENAI_BASE_URL; its segments already percent-encoded),
     * with the same key, time-outs and failures as {@link #post}.
     */
    public Uni<UpstreamResponse> get(String path) {
        return call(options(HttpMethod.GET, path).putHeader(HttpHeaders.ACCEPT, "application/json"), null);
    }

    /** A request to the provider with the service's key; a client's own Authorization never gets here. */
    private RequestOptions options(HttpMethod method, String path) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setAbsoluteURI(base.resolve(path).toString())
                .setIdleTimeout(config.firstByteTimeout().toMillis());
        config.apiKey().filter(key -> !key.isBlank())
                .ifPresent(key -> options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key));
        return options;
    }

    private Uni<UpstreamResponse> call(RequestOptions options, Buffer body) {
        return Uni.createFrom().deferred(() -> {
            PendingRequest pending = new PendingRequest();
            // The caller gave up (the client left): stop the provider, wherever the request is.
            return send(options, body, pending).onCancellation().invoke(pending::cancel);
        });
    }

    private Uni<UpstreamResponse> send(RequestOptions options, Buffer body, PendingRequest pending) {
        return Uni.createFrom().<UpstreamResponse> emitter(emitter -> {
            long started = System.nanoTime();
            client.request(options)
                    .compose(request -> {
                        if (!pending.sending(request)) {
                            // Cancelled while a connection was being found: never send it.
                            return Future.failedFuture(new CancellationException());
                        }
                        return (body == null ? request.send() : request.send(body)).map(response -> {
                            // Paused on the event loop that delivered the head, so no chunk is lost
                            // before the relay subscribes to the body.
                            response.pause();
                            return new UpstreamResponse(request, response, Vertx.currentContext(), limits);
                        });
                    })
                    .onSuccess(response -> {
                        if (pending.cancelled()) {
                            response.cancel();
                            return;
                        }
                        metrics.firstByte(Duration.ofNanos(System.nanoTime() - started));
                        metrics.upstreamOutcome(response.status() >= 400 ? "http_error" : "ok");
                        emitter.complete(response);
                    })
                    .onFailure(failure -> {
                        if (!pending.cancelled()) {
                            emitter.fail(translate(failure));
                        }
                    });
        });
    }

    /**
     * One request on its way, which the caller may give up at any moment: while a connection
     * is found (the request must then not go out at all), once it is sent, or as its head arrives.
     * Cancelling and sending may run on different threads; each checks the other's mark after
     * setting its own, so at least one of them resets the request.
     */
    private static final class PendingRequest {

        private final AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        private final AtomicBoolean cancelled = new AtomicBoolean();

        /** Records the request about to be sent; false (and reset) when it was cancelled already. */
        boolean sending(HttpClientRequest request) {
            sent.set(request);
            if (cancelled.get()) {
                request.reset();
                return false;
            }
            return true;
        }

        void cancel() {
            cancelled.set(true);
            HttpClientRequest request = sent.get();
            if (request != null) {
                request.reset();
            }
        }

        boolean cancelled() {
            return cancelled.get();
        }
    }

    private ApiException translate(Throwable failure) {
        if (isTimeout(failure)) {
            metrics.upstreamOutcome("timeout");
            return new ApiException(504, "upstream_error", "upstream_timeout", null,
                    "The upstream provider did not answer in time");
        }
        metrics.upstreamOutcome("unreachable");
        return new ApiException(502, "upstream_error", "upstream_unreachable", null,
                "The upstream provider could not be reached");
    }

    private static boolean isTimeout(Throwable failure) {
        return Causes.has(failure, TimeoutException.class, ConnectTimeoutException.class);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
