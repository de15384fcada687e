package io.chatrelay.relay;

import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;
import org.jboss.resteasy.reactive.server.vertx.VertxResteasyReactiveRequestContext;

import io.vertx.core.http.HttpServerResponse;

/**
 * Sends a {@link RelayedResponse}: sets its status and headers on the Vert.x response, then
 * hands the connection to its body, which writes and ends it asynchronously while the
 * request stays suspended (the pattern of RESTEasy's own writer for Vert.x files). The
 * status and headers are the relayed ones alone: no response filter of RESTEasy applies
 * to these responses (the service has none; its filters work on the Vert.x response).
 */
@Provider
@Produces(MediaType.WILDCARD)
public class RelayedResponseWriter implements ServerMessageBodyWriter<RelayedResponse> {

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target,
            MediaType mediaType) {
        return RelayedResponse.class.equals(type);
    }

    @Override
    public void writeResponse(RelayedResponse relayed, Type genericType, ServerRequestContext context) {
        VertxResteasyReactiveRequestContext request = (VertxResteasyReactiveRequestContext) context;
        request.suspend();
        HttpServerResponse response = request.vertxServerResponse();
        // RESTEasy would write its own negotiated head over ours just before the head goes out.
        request.serverResponse().setPreCommitListener(null);
        response.setStatusCode(relayed.status());
        for (Map.Entry<String, List<String>> header : relayed.headers().entrySet()) {
            response.putHeader(header.getKey(), header.getValue());
        }
        context.serverResponse().addCloseHandler(relayed.body()::clientLeft);
        relayed.body().writeTo(response).onComplete(ignored -> request.resume());
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return RelayedResponse.class.equals(type);
    }

    @Override
    public void writeTo(RelayedResponse relayed, Class<?> type, Type genericType, Annotation[] annotations,
            MediaType mediaType, MultivaluedMap<String, Object> headers, OutputStream out) {
        throw new UnsupportedOperationException("A relayed response is written to the Vert.x response only");
    }
}
