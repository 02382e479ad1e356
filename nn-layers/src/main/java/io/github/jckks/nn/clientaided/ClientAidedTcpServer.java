package io.github.jckks.nn.clientaided;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves {@link ClientAidedServer} sessions over TCP: one accept thread and a fixed pool of session threads
 * (one session per connection); connections beyond the pool wait in a bounded queue, beyond that they are
 * closed at once. A failing session (bad frames, time-outs, disconnects) ends alone; the others go on.
 * {@link #close} stops accepting, closes the listening socket and waits briefly for running sessions.
 */
public final class ClientAidedTcpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.github.jckks.nn.clientaided");
    private final ClientAidedServer engine;
    private final TransportLimits limits;
    private final SessionListener listener;
    private final ServerSocket serverSocket;
    private final ThreadPoolExecutor sessions;
    private final Thread acceptor;
    private final AtomicLong nextSession = new AtomicLong(1);
    private volatile boolean closed;

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
        if (maxSessions < 1) {
            throw new IllegalArgumentException("max sessions " + maxSessions + " < 1");
        }
        this.engine = engine;
        this.limits = limits;
        this.listener = listener;
        this.serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(bind, port), 50);
        AtomicLong threadNo = new AtomicLong();
        this.sessions = new ThreadPoolExecutor(maxSessions, maxSessions, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(4 * maxSessions), r -> {
                    Thread t = new Thread(r, "client-aided-session-" + threadNo.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.acceptor = new Thread(this::acceptLoop, "client-aided-accept-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return the bound port */
    public int port() {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "accept failed: " + e.getMessage());
                }
                continue;
            }
            long id = nextSession.getAndIncrement();
            try {
                sessions.execute(() -> runSession(id, s));
            } catch (RejectedExecutionException e) {
                LOG.log(System.Logger.Level.WARNING, "session " + id + " from " + s.getRemoteSocketAddress()
                        + " refused: all session threads busy");
                try {
                    s.close();
                } catch (IOException ignored) {
                    // refused anyway
                }
            }
        }
    }

    private void runSession(long id, Socket s) {
        SocketAddress peer = s.getRemoteSocketAddress();
        ClientAidedServer.SessionStats stats = null;
        Throwable failure = null;
        try {
            TcpTransport t = new TcpTransport(s, engine.context(), limits);
            stats = engine.serve(t);
        } catch (Throwable e) {
            failure = e;
            LOG.log(System.Logger.Level.INFO, "session " + id + " with " + peer + " failed: " + e.getMessage());
        } finally {
            try {
                s.close();
            } catch (IOException ignored) {
                // done
            }
        }
        if (listener != null) {
            listener.sessionEnded(id, peer, stats, failure);
        }
    }

    /** Stops accepting and closes the listening socket; running sessions get up to 5 s to end, then are interrupted. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing
        }
        sessions.shutdown();
        try {
            if (!sessions.awaitTermination(5, TimeUnit.SECONDS)) {
                sessions.shutdownNow();
            }
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sessions.shutdownNow();
        }
    }
}
