package io.github.jckks.nn.clientaided;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketAddress;

/**
 * Serves {@link ClientAidedServer} sessions over TCP: a {@link TcpSessionServer} (one accept thread, a fixed pool
 * of session threads, one session per connection, a bounded queue beyond it) whose sessions are the engine's.
 * A failing session (bad frames, time-outs, disconnects) ends alone; the others go on. {@link #close} stops
 * accepting, closes the listening socket and waits briefly for running sessions.
 */
public final class ClientAidedTcpServer implements AutoCloseable {
    private final TcpSessionServer<ClientAidedServer.SessionStats> server;

    /** Told how each session ended. Called on the session's thread. */
    @FunctionalInterface
    public interface SessionListener {
        /**
         * @param sessionId a running number
         * @param peer      the client's address
         * @param stats     what was served (null if the session failed)
         * @param failure   null if the session ended with BYE, else why it failed
         */
        void sessionEnded(long sessionId, SocketAddress peer, ClientAidedServer.SessionStats stats, Throwable failure);
    }

    /**
     * Binds and starts serving.
     *
     * @param engine      the server role
     * @param bind        the address to bind (e.g. 127.0.0.1)
     * @param port        the port, 0 for an ephemeral one ({@link #port()})
     * @param maxSessions session threads
     * @param limits      frame, count and time-out bounds for every connection
     * @param listener    told how sessions end (may be null)
     * @throws IOException if the port cannot be bound
     */
    public ClientAidedTcpServer(ClientAidedServer engine, InetAddress bind, int port, int maxSessions,
                                TransportLimits limits, SessionListener listener) throws IOException {
        this.server = new TcpSessionServer<>(engine.context(), engine::serve, bind, port, maxSessions, limits, null,
                listener == null ? null : (id, peer, stats, sent, received, failure) -> listener.sessionEnded(id, peer, stats, failure));
    }

    /** @return the bound port */
    public int port() {
        return server.port();
    }

    /** Stops accepting and closes the listening socket; running sessions get up to 5 s to end, then are interrupted. */
    @Override
    public void close() {
        server.close();
    }
}
