package io.chatrelay.error;

import java.io.IOException;
import java.sql.SQLException;
import java.util.stream.Collectors;

import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.vertx.core.http.HttpServerRequest;

/**
 * The one place where exceptions become HTTP answers. Every answer uses OpenAI's error
 * envelope so that SDKs surface the message; nothing internal (type names, stack traces,
 * SQL) ever reaches the client. Route filters that refuse a request before RESTEasy sees it
 * write the same envelope through {@link ErrorResponses}.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    /** The current request (a request-scoped proxy). */
    private final HttpServerRequest request;

    ErrorMappers(HttpServerRequest request) {
        this.request = request;
    }

    @ServerExceptionMapper
    public Response apiError(ApiException e) {
        return render(e.status(), e.toBody());
    }

    /**
     * A Jackson failure that gets here is the service's own (a response it cannot serialise):
     * a client's malformed body never does, it is a 400 already ({@link RequestBodyReading},
     * or the endpoints' own parsing). Declared for the Jackson types themselves so that the
     * REST layer's built-in mappers for some of them (which answer 400) never run.
     */
    @ServerExceptionMapper({ JacksonException.class, MismatchedInputException.class })
    public Response serverSideJson(Exception e) {
        return unexpected(e);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return render(404, OpenAiError.of("Unknown endpoint", "invalid_request_error", null, "unknown_url"));
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return render(405, OpenAiError.of("Method not allowed on this endpoint",
                "invalid_request_error", null, "method_not_allowed"));
    }

    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e) {
        return render(415, OpenAiError.of("Send the request body as application/json",
                "invalid_request_error", null, "unsupported_media_type"));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e);
        }
        return render(status, OpenAiError.of("The request could not be processed",
                "invalid_request_error", null, "invalid_request"));
    }

    @ServerExceptionMapper(priority = Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        if (e instanceof IOException && request.response().ended()) {
            // The HTTP server refused the body while RESTEasy read it (a chunked body over
            // MAX_BODY_BYTES): it answered 413 and closed the connection. Nothing is left to answer,
            // and a client's oversized body is no error of the service. No entity: nothing is written.
            LOG.debugf("Request body read ended by the HTTP server's own answer (%s)", typeChain(e));
            return Response.status(request.response().getStatusCode()).build();
        }
        // Messages may quote SQL, URLs or content: only type names are logged.
        if (isStorageFailure(e)) {
            LOG.errorf("Transcript storage failed while serving a request (%s)", typeChain(e));
            return apiError(ApiException.persistenceUnavailable());
        }
        LOG.errorf("Unhandled error while serving a request (%s)", typeChain(e));
        return render(500, OpenAiError.of("The server had an error while processing your request",
                "server_error", null, "internal_error"));
    }

    /**
     * The database or the file backend failed: storage is unavailable (503). Any other I/O
     * failure (the provider's is a 502 of its own before it gets here) is a 500.
     */
    private static boolean isStorageFailure(Throwable e) {
        return Causes.has(e, SQLException.class, PersistenceException.class, StorageFailure.class);
    }

    /** "outer <- cause <- root", fully qualified class names. */
    private static String typeChain(Throwable e) {
        return Causes.chain(e).stream().map(t -> t.getClass().getName()).collect(Collectors.joining(" <- "));
    }

    public static Response render(int status, OpenAiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
