package io.chatrelay.relay;

import java.util.List;
import java.util.Map;

/**
 * What the client receives: status and headers decided before the first body byte is
 * written. {@link RelayedResponseWriter} sends it.
 */
public record RelayedResponse(int status, Map<String, List<String>> headers, RelayedBody body) {
}
