package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.Serialization;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * A {@link Transport} over one TCP connection: every message is a frame, a 4-byte big-endian payload length
 * followed by the payload ({@link MessageCodec}). The length is checked against
 * {@link TransportLimits#maxFrameBytes()} before anything of the payload is allocated, and the payload is decoded item
 * by item as it arrives. The wait for a frame is bounded by {@link TransportLimits#readTimeout()}, and a frame must be
 * complete within that time once it has started: every read inside it waits at most until that deadline.
 * Any failure (disconnect, time-out, oversized or malformed frame) throws {@link ClientAidedException};
 * a disconnect or time-out also closes the socket, while after a bad frame the socket stays open just long
 * enough for the session to send ERROR and close it. Counts the bytes moved. One thread at a time per
 * direction.
 *
 * <p>Given a pool, the ciphertexts of a message are serialized and parsed on it, one per task
 * ({@link Serialization#write}, {@link MessageCodec#decode(CkksContext, byte[], int, ForkJoinPool)}): the frames are
 * the same, so either end may use one or not. A frame is written item by item, never assembled in one array;
 * with a pool, item i is written while the pool serializes the next ones, and a received item is parsed while
 * the next ones arrive.
 */
public final class TcpTransport implements Transport {
    private final Socket socket;
    private final CkksContext context;
    private final TransportLimits limits;
    private final ForkJoinPool pool;
    private final InputStream in;
    private final DataOutputStream out;
    private final String peer;
    private long bytesSent;
    private long bytesReceived;
    private volatile boolean closed;
    /**
     * Buffers of items already written to the socket, for the next items to serialize into (a buffer serves an item of
     * its exact size: the items of a message usually share one), holding at most {@link #MAX_SPARE_BYTES} in all; emptied
     * when the transport closes.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> spareItems = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicLong spareBytes = new java.util.concurrent.atomic.AtomicLong();
    /** The most bytes of written items kept for reuse (a CryptoNets-ReLU round's 845 items take 6.5-13 MB). */
    static final long MAX_SPARE_BYTES = 16L << 20;
    /** Where received ciphertexts take their limb arrays ({@link #receiveInto}); null: fresh arrays. */
    private volatile io.github.jckks.math.LimbPool receiveLimbs;

    /**
     * Wraps a connected socket; ciphertexts are serialized and parsed on the calling thread.
     *
     * @throws ClientAidedException if the socket cannot be configured
     */
    public TcpTransport(Socket socket, CkksContext context, TransportLimits limits) {
        this(socket, context, limits, null);
    }

    /**
     * Wraps a connected socket.
     *
     * @param pool serializes and parses the ciphertexts of a message, one per task (null: the calling thread)
     * @throws ClientAidedException if the socket cannot be configured
     */
    public TcpTransport(Socket socket, CkksContext context, TransportLimits limits, ForkJoinPool pool) {
        this.socket = socket;
        this.context = context;
        this.limits = limits;
        this.pool = pool;
        this.peer = String.valueOf(socket.getRemoteSocketAddress());
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, limits.readTimeout().toMillis())));
            socket.setTcpNoDelay(true);
            this.in = new java.io.BufferedInputStream(socket.getInputStream(), 1 << 16); // item lengths are 4-byte reads
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        } catch (IOException e) {
            closeQuietly();
            throw new ClientAidedException("cannot set up the connection to " + peer + ": " + e.getMessage(), e);
        }
    }

    /**
     * Connects to a server.
     *
     * @param connectTimeout bound on the TCP handshake
     */
    public static TcpTransport connect(String host, int port, CkksContext context, TransportLimits limits,
                                       Duration connectTimeout) {
        return connect(host, port, context, limits, null, connectTimeout);
    }

    /**
     * Connects to a server.
     *
     * @param pool           serializes and parses ciphertexts (null: the calling thread)
     * @param connectTimeout bound on the TCP handshake
     */
    public static TcpTransport connect(String host, int port, CkksContext context, TransportLimits limits,
                                       ForkJoinPool pool, Duration connectTimeout) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to add
            }
            throw new ClientAidedException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new TcpTransport(s, context, limits, pool);
    }

    @Override
    public void send(Message m) {
        if (closed) {
            throw new ClientAidedException("connection to " + peer + " is closed");
        }
        if (pool != null && m.kind().carriesCiphertexts()) {
            sendStreaming(m);
            return;
        }
        byte[][] items = MessageCodec.items(context, m); // no pool, or no ciphertexts: serialized here
        long n = MessageCodec.payloadBytes(items);
        if (n > limits.maxFrameBytes()) {
            throw new ClientAidedException("outgoing " + m + " of " + n + " bytes exceeds the maximum frame of "
                    + limits.maxFrameBytes() + " bytes");
        }
        try {
            out.writeInt((int) n);
            MessageCodec.writePayload(out, m, items);
            out.flush();
            bytesSent += 4L + n;
        } catch (IOException e) {
            closeQuietly();
            throw new ConnectionLostException("sending " + m + " to " + peer + " failed (peer disconnected?): " + e.getMessage(), e);
        }
    }

    /**
     * The frame of a ciphertext message, written while the pool serializes it: the sizes come first
     * ({@link Serialization#sizeOf}, which also runs the writer's checks), then item i goes out as soon as it is
     * serialized, so the socket carries the first items while the pool works on the next ones. The same bytes as
     * {@link MessageCodec#encode}.
     */
    private void sendStreaming(Message m) {
        Ciphertext[] cts = m.ciphertexts();
        int[] sizes = new int[cts.length];
        long n = MessageCodec.HEADER_BYTES;
        for (int i = 0; i < cts.length; i++) {
            long size = Serialization.sizeOf(context, cts[i]);
            n += 4 + size;
            if (n > limits.maxFrameBytes()) {
                throw new ClientAidedException("outgoing " + m + " exceeds the maximum frame of " + limits.maxFrameBytes()
                        + " bytes (at least " + n + " bytes)");
            }
            sizes[i] = (int) size;
        }
        @SuppressWarnings("unchecked")
        ForkJoinTask<byte[]>[] items = new ForkJoinTask[cts.length];
        for (int i = 0; i < cts.length; i++) {
            Ciphertext ct = cts[i];
            int size = sizes[i];
            items[i] = pool.submit(() -> serialize(ct, size));
        }
        try {
            out.writeInt((int) n);
            MessageCodec.writeHeader(out, m, cts.length);
            for (int i = 0; i < cts.length; i++) {
                byte[] item = items[i].join(); // of the announced size: Serialization.write checks it
                out.writeInt(item.length);
                out.write(item);
                keepSpare(item); // written: the next items (of this frame or a later one) may reuse it
            }
            out.flush();
            bytesSent += 4L + n;
        } catch (IOException | RuntimeException e) {
            for (ForkJoinTask<byte[]> t : items) {
                t.cancel(false);
            }
            closeQuietly(); // a frame cut short: the stream is unusable
            if (e instanceof IOException io) {
                throw new ConnectionLostException("sending " + m + " to " + peer + " failed (peer disconnected?): "
                        + io.getMessage(), io);
            }
            throw new ClientAidedException("sending " + m + " to " + peer + " failed: " + e.getMessage(), e);
        }
    }

    /** @return ct serialized into a spare buffer of exactly {@code size} bytes, or a new one */
    private byte[] serialize(Ciphertext ct, int size) {
        byte[] buf = spareItems.poll();
        if (buf != null) {
            spareBytes.addAndGet(-buf.length);
            if (buf.length != size) {
                keepSpare(buf); // for an item of its size (a message's items at another level, say)
                buf = null;
            }
        }
        if (buf == null) {
            buf = new byte[size];
        }
        Serialization.write(context, ct, buf);
        return buf;
    }

    /** Keeps a written item's buffer for reuse, unless the spare buffers already hold {@link #MAX_SPARE_BYTES}. */
    private void keepSpare(byte[] item) {
        if (spareBytes.addAndGet(item.length) <= MAX_SPARE_BYTES) {
            spareItems.offer(item);
        } else {
            spareBytes.addAndGet(-item.length);
        }
    }

    /**
     * Sends raw bytes as they are (no framing): for tests of a misbehaving peer.
     */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    @Override
    public Message receive() {
        return receive(limits.maxCiphertexts());
    }

    /**
     * {@inheritDoc} The frame is decoded item by item as it arrives, never held whole (an item longer than
     * {@link MessageCodec#GROW_FROM} grows with its bytes, so a length prefix alone allocates little), no read inside a
     * frame waits past the frame's deadline, and a message with more than {@code maxCiphertexts} ciphertexts (at most
     * the limits') is refused before any of them is parsed.
     */
    @Override
    public Message receive(int maxCiphertexts) {
        if (closed) {
            throw new ClientAidedException("connection to " + peer + " is closed");
        }
        int maxItems = Math.max(1, Math.min(maxCiphertexts, limits.maxCiphertexts()));
        try {
            socket.setSoTimeout(timeoutMillis(limits.readTimeout().toNanos())); // the wait for the next frame
            byte[] len = new byte[4];
            long deadline = readFully(len, 0, 4, true, 0);
            int n = ((len[0] & 0xFF) << 24) | ((len[1] & 0xFF) << 16) | ((len[2] & 0xFF) << 8) | (len[3] & 0xFF);
            if (n < MessageCodec.HEADER_BYTES || n > limits.maxFrameBytes()) {
                throw new ClientAidedException("frame length " + (n & 0xFFFFFFFFL) + " from " + peer + " outside ["
                        + MessageCodec.HEADER_BYTES + ", " + limits.maxFrameBytes() + "] (oversized or garbage length prefix)");
            }
            // the frame is decoded as it arrives, item by item (never held whole): with a pool each ciphertext is
            // parsed on it as soon as its bytes are in, while the rest of the frame arrives
            long frameDeadline = deadline;
            Message m = MessageCodec.decode(context, MessageCodec.PayloadSource.streaming(n,
                    (dst, off, count) -> readFully(dst, off, count, false, frameDeadline)), maxItems, pool, receiveLimbs);
            bytesReceived += 4L + n;
            return m;
        } catch (ConnectionLostException e) {
            closeQuietly();
            throw e;
        } catch (SocketTimeoutException e) {
            // (a bad length or a malformed payload leaves the socket open so the session can still send ERROR)
            closeQuietly();
            throw new ConnectionLostException("timed out: no data from " + peer + " within " + limits.readTimeout().toMillis()
                    + " ms", e);
        } catch (IOException e) {
            closeQuietly();
            throw new ConnectionLostException("connection to " + peer + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads exactly {@code count} bytes into b[from..from+count). The frame deadline starts at the first byte of the
     * length prefix; every later read waits at most until it.
     *
     * @return the frame deadline (nanoTime)
     */
    private long readFully(byte[] b, int from, int count, boolean prefix, long deadline) throws IOException {
        int off = from;
        int end = from + count;
        long frameNanos = limits.readTimeout().toNanos();
        while (off < end) {
            boolean inFrame = !(prefix && off == from);
            if (inFrame) {
                // no read inside a frame may wait past its deadline, however the peer paces its bytes
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw frameTimedOut(off - from, count);
                }
                socket.setSoTimeout(timeoutMillis(left));
            }
            int r;
            try {
                r = in.read(b, off, end - off);
            } catch (SocketTimeoutException e) {
                if (inFrame) {
                    throw frameTimedOut(off - from, count);
                }
                throw e;
            }
            if (r < 0) {
                throw new ConnectionLostException(!inFrame
                        ? peer + " disconnected"
                        : peer + " disconnected in the middle of a frame (" + (off - from) + " of " + count
                        + " bytes of the " + (prefix ? "length prefix" : "payload") + ")");
            }
            if (!inFrame) {
                deadline = System.nanoTime() + frameNanos;
            }
            off += r;
        }
        return deadline;
    }

    private ConnectionLostException frameTimedOut(int got, int of) {
        return new ConnectionLostException("timed out: frame from " + peer + " not complete within "
                + limits.readTimeout().toMillis() + " ms (" + got + " of " + of + " bytes)");
    }

    /** @return a socket time-out in milliseconds for {@code nanos}, at least 1 (0 would mean none) */
    private static int timeoutMillis(long nanos) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000));
    }

    /** @return framed bytes sent so far */
    public long bytesSent() {
        return bytesSent;
    }

    /** @return framed bytes received so far */
    public long bytesReceived() {
        return bytesReceived;
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        closed = true;
        spareItems.clear(); // a closed transport keeps no buffers
        spareBytes.set(0);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing to report
        }
    }

    /** Received ciphertexts take their arrays from {@code limbs} (of the context's N), or fresh ones for null. */
    @Override
    public void receiveInto(io.github.jckks.math.LimbPool limbs) {
        receiveLimbs = limbs == null ? null : limbs.requireDegree(context.n());
    }

    /** @return true: a send has written every ciphertext to the socket when it returns, and a receive parses bytes */
    @Override
    public boolean copiesMessages() {
        return true;
    }

    @Override
    public String peer() {
        return peer;
    }
}
