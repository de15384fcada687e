package io.chatrelay.chat;

import java.util.List;
import java.util.Map;

import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/** What the client receives: decided before the first body byte is written. */
public record RelayedResponse(int status, Map<String, List<String>> headers, Multi<Buffer> body) {
}
