package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.Serialization;
import io.github.jckks.math.LimbPool;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * The wire format of one {@link Message} (the payload of a frame; {@link TcpTransport} prefixes it with its
 * length as a 4-byte big-endian integer). Big-endian throughout:
 * <pre>
 * offset size  field
 *  0     4     magic "JCCA" (0x4A434341)
 *  4     1     protocol version ({@value #VERSION})
 *  5     1     kind ({@link MessageKind#code()})
 *  6     1     op: 0 none, 1 ReLU (ACTIVATE only), 2 complex-packed (INFER only)
 *  7     1     reserved, 0
 *  8     8     request id
 * 16     4     count n of items
 * 20     ...   n items, each: 4-byte length L, then L bytes
 * </pre>
 * Items of INFER, ACTIVATE, ACTIVATED and RESULT are ciphertexts in {@link Serialization}'s format (seeded
 * or full), read strictly (fingerprint, limb counts, residues below their primes, scale, CRC). HELLO has one
 * or two items (serialized parameters, then optionally the public key), ERROR one UTF-8 item of at most
 * {@value #MAX_ERROR_BYTES} bytes, BYE none. Decoding rejects a bad magic, version, kind, op or reserved byte,
 * a count out of bounds, an item length past the end, a ciphertext the serialization rejects, and trailing
 * bytes, with a {@link ClientAidedException} naming the field.
 */
public final class MessageCodec {
    /** "JCCA". */
    public static final int MAGIC = 0x4A434341;
    /** The protocol version written and the only one read. */
    public static final int VERSION = 1;
    /** Bytes before the first item. */
    public static final int HEADER_BYTES = 20;
    /** Longest ERROR text in bytes. */
    public static final int MAX_ERROR_BYTES = 4096;

    private MessageCodec() {
    }

    /** @return the payload of {@code m} */
    public static byte[] encode(CkksContext context, Message m) {
        byte[][] items = items(context, m);
        long total = payloadBytes(items);
        if (total > Integer.MAX_VALUE - 8) {
            throw new ClientAidedException("message of " + total + " bytes is too large to frame");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total);
        b.putInt(MAGIC).put((byte) VERSION).put((byte) m.kind().code()).put((byte) m.op()).put((byte) 0);
        b.putLong(m.requestId()).putInt(items.length);
        for (byte[] it : items) {
            b.putInt(it.length).put(it);
        }
        return b.array();
    }

    /** The items of {@code m}: its ciphertexts serialized ({@link Serialization#write}), or its raw items. */
    public static byte[][] items(CkksContext context, Message m) {
        if (!m.kind().carriesCiphertexts()) {
            return m.items();
        }
        Ciphertext[] cts = m.ciphertexts();
        byte[][] items = new byte[cts.length][];
        for (int i = 0; i < cts.length; i++) {
            items[i] = Serialization.write(context, cts[i]);
        }
        return items;
    }

    /** @return the payload size of a message with these items: the header, then a length and the bytes per item */
    public static long payloadBytes(byte[][] items) {
        long total = HEADER_BYTES;
        for (byte[] it : items) {
            total += 4L + it.length;
        }
        return total;
    }

    /** Writes the payload of a message with these items (as {@link #encode} lays it out) without assembling it. */
    public static void writePayload(DataOutputStream out, Message m, byte[][] items) throws IOException {
        writeHeader(out, m, items.length);
        for (byte[] it : items) {
            out.writeInt(it.length);
            out.write(it);
        }
    }

    /** Writes the {@value #HEADER_BYTES}-byte header of a payload of {@code count} items; the items follow. */
    public static void writeHeader(DataOutputStream out, Message m, int count) throws IOException {
        out.writeInt(MAGIC);
        out.writeByte(VERSION);
        out.writeByte(m.kind().code());
        out.writeByte(m.op());
        out.writeByte(0);
        out.writeLong(m.requestId());
        out.writeInt(count);
    }

    /** {@link #decode(CkksContext, byte[], int, ForkJoinPool)} on the calling thread. */
    public static Message decode(CkksContext context, byte[] payload, int maxItems) {
        return decode(context, payload, maxItems, null);
    }

    /**
     * @param context  the session's context (ciphertexts must match its parameters)
     * @param payload  one frame payload
     * @param maxItems most items accepted
     * @param pool     parses the ciphertexts, one per task (about 0.1-0.5 ms each at N = 4096, hundreds per
     *                 activation round); null: on the calling thread. The checks and the messages are the same.
     * @return the message
     * @throws ClientAidedException naming the malformed field (for invalid ciphertexts, the first one)
     */
    public static Message decode(CkksContext context, byte[] payload, int maxItems, ForkJoinPool pool) {
        return decode(context, payload, maxItems, pool, null);
    }

    /** {@link #decode(CkksContext, byte[], int, ForkJoinPool)} with the ciphertexts' limb arrays taken from {@code limbs}. */
    static Message decode(CkksContext context, byte[] payload, int maxItems, ForkJoinPool pool, LimbPool limbs) {
        try {
            return decode(context, PayloadSource.of(payload), maxItems, pool, limbs);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // unreachable: an array does no I/O
        }
    }

    /** Reads exactly {@code len} bytes of a frame from where they arrive (a socket) into dst[off..off+len). */
    @FunctionalInterface
    interface FrameReader {
        void readFully(byte[] dst, int off, int len) throws IOException;
    }

    /**
     * A payload's bytes as they arrive: a whole array, or a frame of known length read piece by piece. One final class
     * for both (not an interface with one implementation per transport): the decoder's calls on it stay monomorphic,
     * where a second implementation seen after compilation made the JIT throw away and recompile the whole decoder.
     */
    static final class PayloadSource {
        private final byte[] array;
        private final FrameReader reader;
        private int pos;
        private int left;

        private PayloadSource(byte[] array, FrameReader reader, int length) {
            this.array = array;
            this.reader = reader;
            this.left = length;
        }

        /** @return the payload {@code payload}, in memory */
        static PayloadSource of(byte[] payload) {
            return new PayloadSource(payload, null, payload.length);
        }

        /** @return a frame payload of {@code length} bytes that {@code reader} delivers as they arrive */
        static PayloadSource streaming(int length, FrameReader reader) {
            return new PayloadSource(null, reader, length);
        }

        /** @return the bytes of the payload not read yet */
        int remaining() {
            return left;
        }

        /**
         * Reads exactly {@code len} bytes into dst[off..off+len).
         *
         * @throws IOException           if the source fails
         * @throws IllegalStateException if fewer than {@code len} bytes remain (a caller's bug: the decoder checks every
         *                               length against {@link #remaining} first)
         */
        void readFully(byte[] dst, int off, int len) throws IOException {
            if (len > left) {
                throw new IllegalStateException("internal: " + len + " bytes asked, " + left + " remain in the payload");
            }
            if (array != null) {
                System.arraycopy(array, pos, dst, off, len);
                pos += len;
            } else {
                reader.readFully(dst, off, len);
            }
            left -= len;
        }

        /** Reads exactly {@code dst.length} bytes. */
        void readFully(byte[] dst) throws IOException {
            readFully(dst, 0, dst.length);
        }

        /** @return whether the payload is already in memory (an item's buffer is then allocated at once) */
        boolean inMemory() {
            return array != null;
        }
    }

    /** The size up to which an item's buffer is allocated at once; a longer one grows as its bytes arrive. */
    static final int GROW_FROM = 1 << 20;

    /**
     * Reads {@code len} bytes of one item: a buffer of that size at once up to {@link #GROW_FROM} or when the payload is
     * in memory, beyond it one that doubles as the bytes arrive, so that a declared length never allocates more than
     * twice what was received.
     */
    static byte[] readItem(PayloadSource in, int len) throws IOException {
        return readItem(in, len, null);
    }

    /**
     * {@link #readItem(PayloadSource, int)} into a buffer from {@code spare} (buffers of parsed items) when one of
     * exactly {@code len} bytes is there, so that a frame of many items of one size reuses a few buffers.
     */
    static byte[] readItem(PayloadSource in, int len, Queue<byte[]> spare) throws IOException {
        byte[] reused = spare == null ? null : spare.poll();
        if (reused != null && reused.length == len) {
            in.readFully(reused);
            return reused;
        }
        if (len <= GROW_FROM || in.inMemory()) {
            byte[] b = new byte[len];
            in.readFully(b);
            return b;
        }
        byte[] b = new byte[GROW_FROM];
        int have = 0;
        while (have < len) {
            if (have == b.length) {
                b = java.util.Arrays.copyOf(b, (int) Math.min(len, 2L * b.length));
            }
            int chunk = Math.min(b.length - have, len - have);
            in.readFully(b, have, chunk);
            have += chunk;
        }
        return b;
    }

    /**
     * Decodes a payload while it arrives, with every check of {@link #decode(CkksContext, byte[], int, ForkJoinPool)}
     * (the same messages): with a pool, each ciphertext is parsed on it as soon as its bytes are in, while the next
     * ones are still being read.
     *
     * @throws IOException if the source fails (the connection)
     */
    static Message decode(CkksContext context, PayloadSource in, int maxItems, ForkJoinPool pool) throws IOException {
        return decode(context, in, maxItems, pool, null);
    }

    /**
     * {@link #decode(CkksContext, PayloadSource, int, ForkJoinPool)} with the ciphertexts' limb arrays taken from
     * {@code limbs} (null: fresh arrays; see {@link Serialization#readCiphertext(CkksContext, byte[], LimbPool)}).
     */
    static Message decode(CkksContext context, PayloadSource in, int maxItems, ForkJoinPool pool, LimbPool limbs)
            throws IOException {
        int length = in.remaining();
        if (length < HEADER_BYTES) {
            throw malformed("frame of " + length + " bytes is shorter than the " + HEADER_BYTES + "-byte header");
        }
        byte[] header = new byte[HEADER_BYTES];
        in.readFully(header);
        ByteBuffer b = ByteBuffer.wrap(header);
        int magic = b.getInt();
        if (magic != MAGIC) {
            throw malformed(String.format("bad magic 0x%08X (expected 0x%08X \"JCCA\")", magic, MAGIC));
        }
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw malformed("unsupported protocol version " + version + " (this side speaks " + VERSION + ")");
        }
        int code = b.get() & 0xFF;
        MessageKind kind = MessageKind.of(code);
        if (kind == null) {
            throw malformed("unknown message kind " + code);
        }
        int op = b.get() & 0xFF;
        if (!Message.validOp(kind, op)) {
            throw malformed(kind + " with function code " + op + " (expected " + expectedOps(kind) + ")");
        }
        int reserved = b.get() & 0xFF;
        if (reserved != 0) {
            throw malformed("reserved byte is " + reserved + ", must be 0");
        }
        long id = b.getLong();
        int count = b.getInt();
        int min = kind.carriesCiphertexts() ? 1 : kind == MessageKind.HELLO ? 1 : kind == MessageKind.ERROR ? 1 : 0;
        int max = kind.carriesCiphertexts() ? maxItems : kind == MessageKind.HELLO ? 3 : kind == MessageKind.ERROR ? 1 : 0;
        if (count < min || count > max) {
            throw malformed(kind + " declares " + (count & 0xFFFFFFFFL) + " items, allowed [" + min + ", " + max + "]");
        }
        // every item needs at least its 4-byte length: a count the frame cannot hold is rejected before allocation
        if ((long) count * 4 > in.remaining()) {
            throw malformed(kind + " declares " + count + " items but only " + in.remaining() + " bytes follow the header");
        }
        return kind.carriesCiphertexts() ? decodeCiphertexts(context, in, kind, id, op, count, pool, limbs)
                : decodeRaw(in, kind, id, op, count);
    }

    /**
     * The items of a frame without ciphertexts (HELLO, ERROR, BYE): raw bytes. A method apart from
     * {@link #decodeCiphertexts}, so that the few frames of a session's start and end never reach the compiled
     * ciphertext loop (each new session deoptimized it, and C2 recompiled it while batches were timed).
     */
    private static Message decodeRaw(PayloadSource in, MessageKind kind, long id, int op, int count) throws IOException {
        byte[][] items = new byte[count][];
        byte[] lengthBytes = new byte[4];
        for (int i = 0; i < count; i++) {
            items[i] = readCheckedItem(in, kind, i, count, Long.MAX_VALUE, lengthBytes, null);
        }
        checkConsumed(in);
        return new Message(kind, id, op, new Ciphertext[0], items);
    }

    /** The ciphertext items of a frame (INFER, ACTIVATE, ACTIVATED, RESULT), parsed on the pool as they arrive if any. */
    private static Message decodeCiphertexts(CkksContext context, PayloadSource in, MessageKind kind, long id, int op,
                                             int count, ForkJoinPool pool, LimbPool limbs) throws IOException {
        long maxCiphertextBytes = Serialization.maxCiphertextSize(context, 3);
        boolean parseAsTheyCome = pool != null;
        byte[][] items = new byte[count][];
        Ciphertext[] cts = new Ciphertext[count];
        IllegalArgumentException[] failures = new IllegalArgumentException[count];
        ForkJoinTask<?>[] parsing = new ForkJoinTask<?>[parseAsTheyCome ? count : 0];
        byte[] lengthBytes = new byte[4];
        // the bytes of items already parsed, for the items still to read: Serialization copies what it keeps
        Queue<byte[]> spare = parseAsTheyCome ? new ConcurrentLinkedQueue<>() : null;
        try {
            for (int i = 0; i < count; i++) {
                items[i] = readCheckedItem(in, kind, i, count, maxCiphertextBytes, lengthBytes, spare);
                if (parseAsTheyCome) {
                    parsing[i] = submitParse(pool, context, items, i, cts, failures, spare, limbs);
                }
            }
            checkConsumed(in);
        } finally {
            for (ForkJoinTask<?> t : parsing) {
                if (t != null) {
                    t.join(); // done or quick to finish: no task outlives the decode
                }
            }
        }
        if (!parseAsTheyCome) {
            for (int i = 0; i < count; i++) {
                parseItem(context, items, i, cts, failures, null, limbs);
            }
        }
        for (int i = 0; i < count; i++) {
            if (failures[i] != null) {
                throw malformed(kind + " ciphertext " + i + " of " + count + " is invalid: " + failures[i].getMessage(), failures[i]);
            }
        }
        return new Message(kind, id, op, cts, new byte[0][]);
    }

    private static void checkConsumed(PayloadSource in) {
        if (in.remaining() > 0) {
            throw malformed(in.remaining() + " trailing bytes after the last item");
        }
    }

    /**
     * Reads item i of a frame: its 4-byte length, checked against what remains and the bounds of its kind, then its
     * bytes. A method of its own, as {@link #submitParse}: the loop over the items then compiles small, so the JIT does
     * not recompile the whole decoder on-stack (hundreds of milliseconds of C2 per compile, seen in timed batches).
     */
    private static byte[] readCheckedItem(PayloadSource in, MessageKind kind, int i, int count, long maxCiphertextBytes,
                                          byte[] lengthBytes, Queue<byte[]> spare) throws IOException {
        if (in.remaining() < 4) {
            throw malformed("item " + i + " of " + count + ": frame ends before its length");
        }
        in.readFully(lengthBytes);
        int len = ByteBuffer.wrap(lengthBytes).getInt();
        if (len < 0 || len > in.remaining()) {
            throw malformed("item " + i + " of " + count + " declares " + (len & 0xFFFFFFFFL) + " bytes but "
                    + in.remaining() + " remain in the frame");
        }
        if (kind == MessageKind.ERROR && len > MAX_ERROR_BYTES) {
            throw malformed("error text of " + len + " bytes exceeds " + MAX_ERROR_BYTES);
        }
        if (kind.carriesCiphertexts() && len > maxCiphertextBytes) {
            throw malformed(kind + " item " + i + " of " + len + " bytes exceeds the largest ciphertext of these "
                    + "parameters (" + maxCiphertextBytes + " bytes)");
        }
        return readItem(in, len, spare);
    }

    /** Submits the parsing of item i to the pool. */
    private static ForkJoinTask<?> submitParse(ForkJoinPool pool, CkksContext context, byte[][] items, int i,
                                               Ciphertext[] cts, IllegalArgumentException[] failures, Queue<byte[]> spare,
                                               LimbPool limbs) {
        return pool.submit(() -> parseItem(context, items, i, cts, failures, spare, limbs));
    }

    /**
     * Parses item i into cts[i], or records why it is invalid; frees the item's bytes, or hands them to {@code spare}
     * (not null) for a later item.
     */
    private static void parseItem(CkksContext context, byte[][] items, int i, Ciphertext[] cts,
                                  IllegalArgumentException[] failures, Queue<byte[]> spare, LimbPool limbs) {
        byte[] bytes = items[i];
        items[i] = null;
        try {
            cts[i] = Serialization.readCiphertext(context, bytes, limbs);
        } catch (IllegalArgumentException e) {
            failures[i] = e;
        }
        if (spare != null) {
            spare.offer(bytes);
        }
    }

    private static ClientAidedException malformed(String what) {
        return new ClientAidedException("malformed message: " + what);
    }

    private static ClientAidedException malformed(String what, Throwable cause) {
        return new ClientAidedException("malformed message: " + what, cause);
    }

    /** @return the function codes a kind may carry, for error messages (shared by every decoder) */
    public static String expectedOps(MessageKind kind) {
        return switch (kind) {
            case ACTIVATE -> Integer.toString(Message.OP_RELU);
            case INFER -> Message.OP_NONE + ", " + Message.OP_COMPLEX_PACKED + " or " + Message.OP_COEFFICIENT_PACKED;
            default -> Integer.toString(Message.OP_NONE);
        };
    }
}
