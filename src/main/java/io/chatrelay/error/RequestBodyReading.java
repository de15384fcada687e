package io.chatrelay.error;

import java.io.IOException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

import com.fasterxml.jackson.core.JacksonException;

/**
 * Marks a Jackson failure that happens while RESTEasy reads a client's request body into an
 * entity as the client's malformed body (400 {@code invalid_json}). It is the one Jackson
 * failure that is the client's fault: any other one that reaches {@link ErrorMappers} (a
 * response that cannot be serialised, a stored document that cannot be read) is the
 * service's own error.
 */
@Provider
public class RequestBodyReading implements ReaderInterceptor {

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        try {
            return context.proceed();
        } catch (JacksonException e) {
            throw malformed();
        } catch (WebApplicationException e) {
            // Quarkus' Jackson reader wraps a syntax error in a 400 of its own.
            if (e.getCause() instanceof JacksonException) {
                throw malformed();
            }
            throw e;
        }
    }

    private static ApiException malformed() {
        return ApiException.invalidRequest("invalid_json", null, "The request body is not valid JSON");
    }
}
