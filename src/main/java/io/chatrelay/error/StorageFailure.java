package io.chatrelay.error;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The transcript store's own files could not be read or written (the file backend, the
 * write spool). Marked apart from other I/O failures because it alone means "storage is
 * unavailable" (503 {@code persistence_unavailable}); any other I/O failure that reaches the
 * exception mappers is the service's own error (500).
 */
public final class StorageFailure extends UncheckedIOException {

    public StorageFailure(IOException cause) {
        super("Transcript storage could not read or write its files", cause);
    }
}
