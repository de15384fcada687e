package io.chatrelay.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A TCP relay on 127.0.0.1 and a dynamic port that a test can cut: {@link #cut()} closes
 * every open connection and closes new ones as soon as they arrive, as a database outage
 * looks to the service's pool; {@link #hang()} stops forwarding without closing anything,
 * as a hung database (or a network that drops packets) looks: connections stay open, new
 * ones are accepted, and no byte goes through; {@link #restore()} lets bytes through again,
 * those held meanwhile included. {@link #hold()} keeps what the service sends from reaching
 * the target (a statement then hangs) until {@link #release()} passes it on, in order.
 */
public final class TcpProxy implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final String targetHost;
    private final int targetPort;
    private final NetClient client;
    private final NetServer server;
    // every socket on both sides, so that a cut leaves nothing half open
    private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
    // the sockets whose bytes are relayed: paused while hung
    private final Set<NetSocket> forwarding = ConcurrentHashMap.newKeySet();
    // connections accepted while hung, relayed once restored
    private final Set<NetSocket> held = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean cut;
    /** Writes towards the target parked by {@link #hold()}, in arrival order; guarded by itself. */
    private final List<Runnable> parked = new ArrayList<>();
    private boolean holding;
    private volatile boolean hung;

    public TcpProxy(String targetHost, int targetPort) throws Exception {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000));
        this.server = vertx.createNetServer().connectHandler(this::relay).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public int port() {
        return server.actualPort();
    }

    /** Connections let through since the start. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Closes every open connection at once and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        for (NetSocket socket : open) {
            socket.close();
        }
        for (NetSocket socket : held) {
            socket.close();
        }
        held.clear();
    }

    /** Stops forwarding in both directions without closing a connection, until {@link #restore()}. */
    public void hang() {
        hung = true;
        for (NetSocket socket : forwarding) {
            socket.pause();
        }
    }

    public void restore() {
        cut = false;
        hung = false;
        for (NetSocket socket : forwarding) {
            socket.resume();
        }
        for (NetSocket socket : held) {
            held.remove(socket);
            connect(socket);
        }
    }

    /** From now on, nothing the service sends reaches the target until {@link #release()}. */
    public void hold() {
        synchronized (parked) {
            holding = true;
        }
    }

    /** Passes on what was held, in order, and forwards again. */
    public void release() {
        synchronized (parked) {
            holding = false;
            parked.forEach(Runnable::run);
            parked.clear();
        }
    }

    /** Whether something the service sent is being held. */
    public boolean holdsWrites() {
        synchronized (parked) {
            return !parked.isEmpty();
        }
    }

    private void towardsTarget(NetSocket outbound, Buffer data) {
        synchronized (parked) {
            if (holding) {
                parked.add(() -> outbound.write(data));
                return;
            }
        }
        outbound.write(data);
    }

    @Override
    public void close() throws Exception {
        cut();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void relay(NetSocket inbound) {
        if (cut) {
            inbound.close();
            return;
        }
        // held until the target answers, so that the client's first bytes are not lost
        inbound.pause();
        open.add(inbound);
        inbound.closeHandler(v -> {
            open.remove(inbound);
            held.remove(inbound);
        });
        if (hung) {
            held.add(inbound);
            return;
        }
        connect(inbound);
    }

    private void connect(NetSocket inbound) {
        client.connect(targetPort, targetHost).onComplete(connected -> {
            if (connected.failed() || cut) {
                if (connected.succeeded()) {
                    connected.result().close();
                }
                inbound.close();
                return;
            }
            accepted.incrementAndGet();
            NetSocket outbound = connected.result();
            open.add(outbound);
            outbound.closeHandler(v -> {
                open.remove(outbound);
                forwarding.remove(outbound);
                inbound.close();
            });
            inbound.closeHandler(v -> {
                open.remove(inbound);
                forwarding.remove(inbound);
                outbound.close();
            });
            inbound.handler(data -> towardsTarget(outbound, data));
            outbound.handler(inbound::write);
            forwarding.add(inbound);
            forwarding.add(outbound);
            if (hung) {
                outbound.pause();
            } else {
                inbound.resume();
            }
        });
    }
}
