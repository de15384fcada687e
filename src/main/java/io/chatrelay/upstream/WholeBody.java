package io.chatrelay.upstream;

import java.util.concurrent.atomic.AtomicBoolean;

import io.chatrelay.error.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;

/**
 * Reads a paused provider answer whole, never holding more than {@code maxBytes}: a declared
 * Content-Length over the bound is refused before a byte is read, and a body without one
 * is refused at the first chunk that would pass it. Either way the provider's connection is
 * closed, so that it stops sending. Failures are the 502s the client gets.
 */
final class WholeBody {

    static final String TOO_LARGE = "The upstream provider's answer was larger than the relay accepts";
    static final String CUT_OFF = "The upstream provider's answer was cut off";

    private WholeBody() {
    }

    static Uni<Buffer> read(HttpClientRequest request, HttpClientResponse response, int maxBytes) {
        return Uni.createFrom().emitter(emitter -> {
            long declared = declaredLength(response);
            if (declared > maxBytes) {
                request.reset();
                emitter.fail(failure(TOO_LARGE));
                return;
            }
            // Sized for the declared body when there is one, so that appending never copies.
            Buffer body = Buffer.buffer(declared > 0 ? (int) declared : 1024);
            AtomicBoolean over = new AtomicBoolean();
            response.handler(chunk -> {
                if (over.get()) {
                    return;
                }
                if (body.length() + chunk.length() > maxBytes) {
                    if (over.compareAndSet(false, true)) {
                        request.reset();
                        emitter.fail(failure(TOO_LARGE));
                    }
                    return;
                }
                body.appendBuffer(chunk);
            });
            response.exceptionHandler(failure -> {
                if (over.compareAndSet(false, true)) {
                    emitter.fail(failure(CUT_OFF));
                }
            });
            response.endHandler(ignored -> {
                if (over.compareAndSet(false, true)) {
                    emitter.complete(body);
                }
            });
            response.resume();
        });
    }

    /** The Content-Length the provider declared, or -1 when it declared none (or nonsense). */
    private static long declaredLength(HttpClientResponse response) {
        String value = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static ApiException failure(String message) {
        return new ApiException(502, "upstream_error", "upstream_error", null, message);
    }
}
