package io.chatrelay.error;

import java.io.IOException;
import java.io.UncheckedIOException;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/**
 * Test-only endpoints that fail in each way the exception mappers tell apart. Every failure
 * carries {@link #SECRET} in its message, which must never reach a client or a log line.
 */
@Path("/test-failures")
@Produces(MediaType.APPLICATION_JSON)
public class FailingResource {

    public static final String SECRET = "SECRET-internal-detail";

    /** A record read by RESTEasy's Jackson reader: the one place a client's body becomes an entity. */
    public record Greeting(String name) {
    }

    /** Its getter fails, so the response cannot be serialised. */
    public static final class Unserialisable {
        public String getValue() {
            throw new IllegalStateException(SECRET);
        }
    }

    @POST
    @Path("/greeting")
    @Consumes(MediaType.APPLICATION_JSON)
    public Greeting greeting(Greeting greeting) {
        return greeting;
    }

    @GET
    @Path("/unserialisable")
    public Unserialisable unserialisable() {
        return new Unserialisable();
    }

    @GET
    @Path("/jackson-mapping")
    public String jacksonMapping() throws JsonMappingException {
        throw JsonMappingException.from((JsonGenerator) null, SECRET);
    }

    @GET
    @Path("/jackson-mismatched-input")
    public String jacksonMismatchedInput() throws MismatchedInputException {
        throw MismatchedInputException.from(null, String.class, SECRET);
    }

    @GET
    @Path("/storage")
    public String storage() {
        throw new StorageFailure(new IOException(SECRET));
    }

    @GET
    @Path("/io-unchecked")
    public String ioUnchecked() {
        throw new UncheckedIOException(new IOException(SECRET));
    }

    @GET
    @Path("/io-checked")
    public String ioChecked() throws IOException {
        throw new IOException(SECRET);
    }
}
