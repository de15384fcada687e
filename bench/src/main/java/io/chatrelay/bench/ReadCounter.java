package io.chatrelay.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Counts the network reads of one client connection, so that the load generator can tell
 * which SSE events arrived in the same read ("glued").
 *
 * <p>Why a Netty handler: Vert.x hands the response body over one HTTP chunk at a time, so two
 * events that the relay wrote as two chunks but that reached the client in one TCP read would
 * look separate at the Vert.x level. Installed first in the pipeline, in front of the HTTP
 * codec, this handler sees each {@code channelRead} of raw bytes (one {@code read()} of the
 * socket with Netty's NIO transport) and numbers it; the body handler, which Vert.x runs
 * synchronously inside that same {@code channelRead} on the same event loop, reads the number.
 * This uses Vert.x's internal {@link ConnectionBase}, which is why the bench pins the Vert.x
 * version the service uses.
 */
final class ReadCounter extends ChannelInboundHandlerAdapter {

    static final String NAME = "chatrelay-bench-read-counter";

    /** Written and read only on the connection's event loop. */
    private long reads;

    long reads() {
        return reads;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reads++;
        ctx.fireChannelRead(msg);
    }

    /** Installs a counter on a freshly connected client connection. */
    static void install(HttpConnection connection) {
        if (connection instanceof ConnectionBase base && base.channel().pipeline().get(NAME) == null) {
            base.channel().pipeline().addFirst(NAME, new ReadCounter());
        }
    }

    /** The connection's counter, or null when it has none (then glue cannot be measured). */
    static ReadCounter of(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            return (ReadCounter) base.channel().pipeline().get(NAME);
        }
        return null;
    }
}
