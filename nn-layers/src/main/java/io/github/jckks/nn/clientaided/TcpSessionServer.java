package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.CkksContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves sessions of the client-aided protocol over TCP, one per connection, whatever the server role does with
 * them ({@link ClientAidedServer}, or the CryptoNets server of mnist-cryptonets): one accept thread and a fixed
 * pool of session threads; connections beyond the pool wait in a bounded queue (4 per thread), beyond that they
 * are closed at once. Each connection gets a {@link TcpTransport} with the given limits (and pool, which
 * serializes and parses ciphertexts). A failing session (bad frames, time-outs, disconnects) ends alone; the
 * others go on. {@link #close} stops accepting, closes the listening socket and gives running sessions 5 s.
 *
 * @param <S> what a session reports when it ends normally
 */
public final class TcpSessionServer<S> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.github.jckks.nn.clientaided");
    private final CkksContext context;
    private final Handler<S> handler;
    private final TransportLimits limits;
    private final ForkJoinPool pool;
    private final Listener<S> listener;
    private final ServerSocket serverSocket;
    private final ThreadPoolExecutor sessions;
    private final Thread acceptor;
    private final AtomicLong nextSession = new AtomicLong(1);
    /** Connections accepted and not yet finished: closed by {@link #close} after the grace period. */
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Serves one session on its connection, until BYE (returning what it served) or a failure (throwing). */
    @FunctionalInterface
    public interface Handler<S> {
        S serve(Transport transport);
    }

    /** Told how each session ended. Called on the session's thread. */
    @FunctionalInterface
    public interface Listener<S> {
        /**
         * @param sessionId     a running number
         * @param peer          the client's address
         * @param stats         what was served (null if the session failed)
         * @param bytesSent     framed bytes the server sent
         * @param bytesReceived framed bytes it received
         * @param failure       null if the session ended with BYE, else why it failed
         */
        void sessionEnded(long sessionId, SocketAddress peer, S stats, long bytesSent, long bytesReceived, Throwable failure);
    }

    /**
     * Binds and starts serving.
     *
     * @param context     the parameters every connection's ciphertexts must match
     * @param handler     serves one session
     * @param bind        the address to bind (e.g. 127.0.0.1)
     * @param port        the port, 0 for an ephemeral one ({@link #port()})
     * @param maxSessions session threads
     * @param limits      frame, count and time-out bounds for every connection
     * @param pool        serializes and parses the ciphertexts of each message (null: the session's thread)
     * @param listener    told how sessions end (may be null)
     * @throws IOException if the port cannot be bound
     */
    public TcpSessionServer(CkksContext context, Handler<S> handler, InetAddress bind, int port, int maxSessions,
                            TransportLimits limits, ForkJoinPool pool, Listener<S> listener) throws IOException {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("max sessions " + maxSessions + " < 1");
        }
        this.context = context;
        this.handler = handler;
        this.limits = limits;
        this.pool = pool;
        this.listener = listener;
        this.serverSocket = new ServerSocket();
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(new InetSocketAddress(bind, port), 50);
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
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

    /** @return the bound address */
    public InetAddress address() {
        return serverSocket.getInetAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = serverSocket.accept();
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                // an accept that fails (out of file descriptors, or of memory under a flood of sessions) must not end
                // the loop: the server would stop accepting without a word
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "accept failed: " + e);
                    pause(); // do not spin
                }
                continue;
            }
            open.add(s);
            long id = nextSession.getAndIncrement();
            try {
                sessions.execute(() -> runSession(id, s));
            } catch (RejectedExecutionException | OutOfMemoryError e) {
                // all session threads busy, or no thread could be made: refuse this one, keep accepting
                LOG.log(System.Logger.Level.WARNING, "session " + id + " from " + s.getRemoteSocketAddress()
                        + " refused: " + (e instanceof RejectedExecutionException ? "all session threads busy" : e));
                open.remove(s);
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
        S stats = null;
        Throwable failure = null;
        TcpTransport t = null;
        try {
            t = new TcpTransport(s, context, limits, pool);
            stats = handler.serve(t);
        } catch (Throwable e) {
            failure = e;
            // the message may quote the client's ERROR text: control characters are escaped, so a client cannot
            // forge log lines
            LOG.log(System.Logger.Level.INFO, "session " + id + " with " + peer + " failed: " + printable(e.getMessage()));
        } finally {
            open.remove(s);
            try {
                s.close();
            } catch (IOException ignored) {
                // done
            }
        }
        if (listener != null) {
            try {
                listener.sessionEnded(id, peer, stats, t == null ? 0 : t.bytesSent(), t == null ? 0 : t.bytesReceived(), failure);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "session listener failed: " + e);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops accepting and closes the listening socket; running and queued sessions get up to 5 s to end, then
     * their connections are closed (which ends a session blocked in a read) and their threads interrupted.
     */
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
                closeOpenConnections();
                sessions.shutdownNow();
            }
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeOpenConnections();
            sessions.shutdownNow();
        }
    }

    private void closeOpenConnections() {
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /**
     * Text a peer may have written (an ERROR's message, quoted in a failure), made safe for one line of a log or a
     * console: control characters (newlines included), line and paragraph separators and format characters (bidi
     * overrides) are escaped as backslash-u and four hex digits, and the text is cut after about 1,000 characters
     * (never inside a surrogate pair).
     *
     * @return the escaped text ("null" for null)
     */
    public static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 1000));
        int i = 0;
        for (; i < text.length() && sb.length() < 1000; i++) {
            char c = text.charAt(i);
            int type = Character.getType(c);
            if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                sb.append(String.format("\\u%04x", (int) c));
            } else if (Character.isHighSurrogate(c) && (i + 1 >= text.length() || sb.length() + 1 >= 1000)) {
                break; // a pair cut in two would leave half a character
            } else {
                sb.append(c);
            }
        }
        return i < text.length() ? sb.append("...").toString() : sb.toString();
    }
}
