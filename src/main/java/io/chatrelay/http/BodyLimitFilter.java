package io.chatrelay.http;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.chatrelay.error.ApiException;
import io.chatrelay.error.ErrorResponses;
import io.quarkus.vertx.http.runtime.filters.Filters;

/**
 * Refuses a body larger than MAX_BODY_BYTES with 413 in OpenAI's error shape, from its
 * Content-Length, before a byte of it is read. Bodies sent without a length are cut off
 * by the HTTP layer's own limit ({@code quarkus.http.limits.max-body-size}).
 */
@Singleton
public class BodyLimitFilter {

    /** After CORS (300), the drain (295) and the rate limit (290): a refusal still carries CORS headers. */
    private static final int PRIORITY = 280;
    private final long maxBodyBytes;

    BodyLimitFilter(@ConfigProperty(name = "quarkus.http.limits.max-body-size") long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    void register(@Observes Filters filters) {
        filters.register(context -> {
            String length = context.request().getHeader("Content-Length");
            if (length != null && exceeds(length)) {
                ErrorResponses.refuse(context.response(), tooLarge());
                return;
            }
            context.next();
        }, PRIORITY);
    }

    private ApiException tooLarge() {
        return new ApiException(413, "invalid_request_error", "body_too_large", null,
                "The request body is larger than the limit of " + maxBodyBytes + " bytes");
    }

    private boolean exceeds(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
