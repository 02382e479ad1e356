package io.github.jckks.cryptonets;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.Serialization;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.clientaided.ClientAidedException;
import io.github.jckks.nn.clientaided.ConnectionLostException;
import io.github.jckks.nn.clientaided.Message;
import io.github.jckks.nn.clientaided.MessageCodec;
import io.github.jckks.nn.clientaided.MessageKind;
import io.github.jckks.nn.clientaided.Transport;
import io.github.jckks.nn.clientaided.TransportLimits;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;

/**
 * A {@link Transport} over one TCP connection with exactly the frames of {@code TcpTransport} and
 * {@link MessageCodec} (a 4-byte big-endian length, then the payload: magic "JCCA", version, kind, op, reserved,
 * request id, count, and length-prefixed items), so either end may be a {@code TcpTransport}. The difference is
 * speed: the ciphertexts of a message are serialized and parsed on a pool, one per task, instead of one after
 * the other (writing a seeded ciphertext checks its seed's expansion, and reading one expands it: about 0.5 ms each
 * at N = 4096, 845 of them per activation round), and the frame is written item by item instead of being copied
 * into one array first. Reading is as strict as {@link MessageCodec#decode}: bad magic, version, kind, op,
 * reserved byte, counts, item lengths, trailing bytes and any ciphertext {@link Serialization} rejects end the
 * session with a {@link ClientAidedException}; a length prefix above {@link TransportLimits#maxFrameBytes()} is
 * refused before anything is allocated, and every read and every whole frame must complete within
 * {@link TransportLimits#readTimeout()}. Counts the bytes moved. One thread at a time per direction.
 */
public final class PooledTcpTransport implements Transport {
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
     * Wraps a connected socket.
     *
     * @param pool the pool that serializes and parses ciphertexts
     * @throws ClientAidedException if the socket cannot be configured
     */
    public PooledTcpTransport(Socket socket, CkksContext context, TransportLimits limits, ForkJoinPool pool) {
        this.socket = socket;
        this.context = context;
        this.limits = limits;
        this.pool = pool;
        this.peer = String.valueOf(socket.getRemoteSocketAddress());
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, limits.readTimeout().toMillis())));
            socket.setTcpNoDelay(true);
            this.in = socket.getInputStream();
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        } catch (IOException e) {
            closeQuietly();
            throw new ClientAidedException("cannot set up the connection to " + peer + ": " + e.getMessage(), e);
        }
    }

    /** Connects to a server. */
    public static PooledTcpTransport connect(String host, int port, CkksContext context, TransportLimits limits,
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
        return new PooledTcpTransport(s, context, limits, pool);
    }

    @Override
    public void send(Message m) {
        if (closed) {
            throw new ClientAidedException("connection to " + peer + " is closed");
        }
        if (!m.kind().carriesCiphertexts()) {
            writeFrame(m, null, MessageCodec.encode(context, m));
            return;
        }
        Ciphertext[] cts = m.ciphertexts();
        byte[][] items = new byte[cts.length][];
        parallel(cts.length, i -> items[i] = Serialization.write(context, cts[i]));
        writeFrame(m, items, null);
    }

    private void writeFrame(Message m, byte[][] items, byte[] payload) {
        long total = MessageCodec.HEADER_BYTES;
        if (payload != null) {
            total = payload.length;
        } else {
            for (byte[] it : items) {
                total += 4L + it.length;
            }
        }
        if (total > limits.maxFrameBytes()) {
            throw new ClientAidedException("outgoing " + m + " of " + total + " bytes exceeds the maximum frame of "
                    + limits.maxFrameBytes() + " bytes");
        }
        try {
            out.writeInt((int) total);
            if (payload != null) {
                out.write(payload);
            } else {
                out.writeInt(MessageCodec.MAGIC);
                out.writeByte(MessageCodec.VERSION);
                out.writeByte(m.kind().code());
                out.writeByte(m.op());
                out.writeByte(0);
                out.writeLong(m.requestId());
                out.writeInt(items.length);
                for (byte[] it : items) {
                    out.writeInt(it.length);
                    out.write(it);
                }
            }
            out.flush();
            bytesSent += 4L + total;
        } catch (IOException e) {
            closeQuietly();
            throw new ConnectionLostException("sending " + m + " to " + peer + " failed (peer disconnected?): " + e.getMessage(), e);
        }
    }

    @Override
    public Message receive() {
        if (closed) {
            throw new ClientAidedException("connection to " + peer + " is closed");
        }
        byte[] payload;
        try {
            byte[] len = new byte[4];
            long deadline = readFully(len, true, 0);
            int n = ByteBuffer.wrap(len).getInt();
            if (n < MessageCodec.HEADER_BYTES || n > limits.maxFrameBytes()) {
                throw new ClientAidedException("frame length " + (n & 0xFFFFFFFFL) + " from " + peer + " outside ["
                        + MessageCodec.HEADER_BYTES + ", " + limits.maxFrameBytes() + "] (oversized or garbage length prefix)");
            }
            payload = new byte[n];
            readFully(payload, false, deadline);
            bytesReceived += 4L + n;
        } catch (ConnectionLostException e) {
            closeQuietly();
            throw e;
        } catch (SocketTimeoutException e) {
            closeQuietly();
            throw new ConnectionLostException("timed out: no data from " + peer + " within " + limits.readTimeout().toMillis()
                    + " ms", e);
        } catch (IOException e) {
            closeQuietly();
            throw new ConnectionLostException("connection to " + peer + " failed: " + e.getMessage(), e);
        }
        return decode(context, payload, limits.maxCiphertexts(), pool);
    }

    /**
     * {@link MessageCodec#decode} with the ciphertexts parsed on {@code pool}: the same checks, the same messages.
     */
    static Message decode(CkksContext context, byte[] payload, int maxItems, ForkJoinPool pool) {
        if (payload.length < MessageCodec.HEADER_BYTES) {
            throw malformed("frame of " + payload.length + " bytes is shorter than the " + MessageCodec.HEADER_BYTES
                    + "-byte header", null);
        }
        int kindCode = payload[5] & 0xFF;
        MessageKind kind = MessageKind.of(kindCode);
        if (kind == null || !kind.carriesCiphertexts()) {
            return MessageCodec.decode(context, payload, maxItems); // header errors, HELLO, ERROR, BYE: the codec itself
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        int magic = b.getInt();
        if (magic != MessageCodec.MAGIC) {
            throw malformed(String.format("bad magic 0x%08X (expected 0x%08X \"JCCA\")", magic, MessageCodec.MAGIC), null);
        }
        int version = b.get() & 0xFF;
        if (version != MessageCodec.VERSION) {
            throw malformed("unsupported protocol version " + version + " (this side speaks " + MessageCodec.VERSION + ")", null);
        }
        b.get();
        int op = b.get() & 0xFF;
        if (!Message.validOp(kind, op)) {
            throw malformed(kind + " with function code " + op + " (expected " + MessageCodec.expectedOps(kind) + ")", null);
        }
        int reserved = b.get() & 0xFF;
        if (reserved != 0) {
            throw malformed("reserved byte is " + reserved + ", must be 0", null);
        }
        long id = b.getLong();
        int count = b.getInt();
        if (count < 1 || count > maxItems) {
            throw malformed(kind + " declares " + (count & 0xFFFFFFFFL) + " items, allowed [1, " + maxItems + "]", null);
        }
        if ((long) count * 4 > b.remaining()) {
            throw malformed(kind + " declares " + count + " items but only " + b.remaining() + " bytes follow the header", null);
        }
        int[] offsets = new int[count];
        int[] lengths = new int[count];
        for (int i = 0; i < count; i++) {
            if (b.remaining() < 4) {
                throw malformed("item " + i + " of " + count + ": frame ends before its length", null);
            }
            int len = b.getInt();
            if (len < 0 || len > b.remaining()) {
                throw malformed("item " + i + " of " + count + " declares " + (len & 0xFFFFFFFFL) + " bytes but "
                        + b.remaining() + " remain in the frame", null);
            }
            offsets[i] = b.position();
            lengths[i] = len;
            b.position(b.position() + len);
        }
        if (b.hasRemaining()) {
            throw malformed(b.remaining() + " trailing bytes after the last item", null);
        }
        Ciphertext[] cts = new Ciphertext[count];
        RuntimeException[] failures = new RuntimeException[count];
        EncryptedRuntime.parallelFor(pool, count, i -> {
            byte[] item = new byte[lengths[i]];
            System.arraycopy(payload, offsets[i], item, 0, lengths[i]);
            try {
                cts[i] = Serialization.readCiphertext(context, item);
            } catch (IllegalArgumentException e) {
                failures[i] = e;
            }
        });
        for (int i = 0; i < count; i++) {
            if (failures[i] != null) {
                throw malformed(kind + " ciphertext " + i + " of " + count + " is invalid: " + failures[i].getMessage(), failures[i]);
            }
        }
        return new Message(kind, id, op, cts, new byte[0][]);
    }

    private static ClientAidedException malformed(String what, Throwable cause) {
        return new ClientAidedException("malformed message: " + what, cause);
    }

    private long readFully(byte[] b, boolean prefix, long deadline) throws IOException {
        int off = 0;
        long frameNanos = limits.readTimeout().toNanos();
        while (off < b.length) {
            int r = in.read(b, off, b.length - off);
            if (r < 0) {
                throw new ConnectionLostException(prefix && off == 0
                        ? peer + " disconnected"
                        : peer + " disconnected in the middle of a frame (" + off + " of " + b.length + " bytes of the "
                        + (prefix ? "length prefix" : "payload") + ")");
            }
            if (prefix && off == 0) {
                deadline = System.nanoTime() + frameNanos;
            }
            off += r;
            if (off < b.length && System.nanoTime() > deadline) {
                throw new ConnectionLostException("timed out: frame from " + peer + " not complete within "
                        + limits.readTimeout().toMillis() + " ms (" + off + " of " + b.length + " bytes)");
            }
        }
        return deadline;
    }

    private void parallel(int count, IntConsumer body) {
        EncryptedRuntime.parallelFor(pool, count, body);
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
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing to report
        }
    }

    @Override
    public String peer() {
        return peer;
    }
}
