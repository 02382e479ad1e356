package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Serialization;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The message format: round trips and strict rejection of malformed payloads. */
class MessageCodecTest {
    static final CkksContext CTX = Fixtures.smallContext(2);

    private static Ciphertext[] cts(int n) {
        KeyGenerator kg = new KeyGenerator(CTX);
        ClientAidedClient c = new ClientAidedClient(CTX, kg.secretKey(), kg.publicKey());
        Ciphertext[] out = new Ciphertext[n];
        for (int i = 0; i < n; i++) {
            out[i] = c.encrypt(new double[] {i, -i});
        }
        return out;
    }

    @Test
    void roundTripsEveryKind() {
        Ciphertext[] c = cts(3);
        byte[] p = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.ACTIVATE, 42, c));
        assertEquals(0x4A434341, ByteBuffer.wrap(p).getInt());
        Message m = MessageCodec.decode(CTX, p, 10);
        assertEquals(MessageKind.ACTIVATE, m.kind());
        assertEquals(42, m.requestId());
        assertEquals(Message.OP_RELU, m.op());
        assertEquals(3, m.ciphertexts().length);
        assertArrayEquals(Serialization.write(CTX, c[2]), Serialization.write(CTX, m.ciphertexts()[2]), "seeded form kept");
        Message e = MessageCodec.decode(CTX, MessageCodec.encode(CTX, Message.error(7, "nope")), 10);
        assertEquals("nope", e.text());
        assertEquals(MessageKind.BYE, MessageCodec.decode(CTX, MessageCodec.encode(CTX, Message.bye()), 10).kind());
        Message h = MessageCodec.decode(CTX, MessageCodec.encode(CTX, Message.hello(new byte[] {1, 2})), 10);
        assertArrayEquals(new byte[] {1, 2}, h.items()[0]);
    }

    /**
     * Parsed on a pool, the items of a frame reuse the byte buffers of items already parsed: every ciphertext still
     * comes out as it went in (a buffer handed on too early would give a later item's bytes to an earlier one).
     */
    @Test
    void itemsParsedOnAPoolComeOutAsTheyWentIn() {
        Ciphertext[] c = cts(64);
        byte[] p = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.ACTIVATED, 9, c));
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                Message m = MessageCodec.decode(CTX, p, 64, pool);
                for (int i = 0; i < c.length; i++) {
                    assertArrayEquals(Serialization.write(CTX, c[i]), Serialization.write(CTX, m.ciphertexts()[i]),
                            "ciphertext " + i + ", round " + round);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Decoded into a limb pool, ciphertexts take the pool's arrays (whatever they held) and still read back exactly. */
    @Test
    void ciphertextsDecodedIntoAPoolTakeItsArrays() throws Exception {
        Ciphertext[] c = cts(2);
        byte[] p = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.ACTIVATED, 3, c));
        io.github.jckks.math.LimbPool limbs = new io.github.jckks.math.LimbPool(CTX.n(), 16);
        long[] garbage = new long[CTX.n()];
        Arrays.fill(garbage, -1);
        limbs.release(garbage);
        Message m = MessageCodec.decode(CTX, MessageCodec.PayloadSource.of(p), 2, null, limbs);
        assertTrue(m.ciphertexts()[0].part(0).limb(0) == garbage, "the pooled array is used");
        for (int i = 0; i < c.length; i++) {
            assertArrayEquals(Serialization.write(CTX, c[i]), Serialization.write(CTX, m.ciphertexts()[i]), "ciphertext " + i);
        }
    }

    @Test
    void inferCarriesItsPackingInTheFunctionCode() {
        Ciphertext[] c = cts(1);
        Message complex = MessageCodec.decode(CTX, MessageCodec.encode(CTX, Message.infer(5, c, true)), 10);
        assertEquals(MessageKind.INFER, complex.kind());
        assertEquals(Message.OP_COMPLEX_PACKED, complex.op());
        assertEquals(Message.OP_NONE, MessageCodec.decode(CTX, MessageCodec.encode(CTX, Message.infer(6, c, false)), 10).op());
        byte[] relu = MessageCodec.encode(CTX, Message.infer(7, c, false));
        relu[6] = (byte) Message.OP_RELU;
        ClientAidedException ex = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, relu, 10));
        assertTrue(ex.getMessage().contains("function code 1"), ex.getMessage());
        byte[] activate = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.ACTIVATE, 8, c));
        activate[6] = (byte) Message.OP_COMPLEX_PACKED;
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, activate, 10), "complex flag on ACTIVATE");
    }

    @Test
    void rejectsMalformedPayloads() {
        byte[] good = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.RESULT, 1, cts(2)));
        assertTrue(MessageCodec.decode(CTX, good, 2).ciphertexts().length == 2);
        String[][] cases = {
            {"0", "bad magic"}, {"4", "unsupported protocol version"}, {"5", "unknown message kind"},
            {"6", "function code"}, {"7", "reserved byte"},
        };
        for (String[] cs : cases) {
            byte[] b = good.clone();
            b[Integer.parseInt(cs[0])] ^= 0x40;
            ClientAidedException ex = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, b, 10));
            assertTrue(ex.getMessage().contains(cs[1]), ex.getMessage());
        }
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, good, 1), "count above the limit");
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, Arrays.copyOf(good, 10), 10), "short header");
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, Arrays.copyOf(good, good.length - 1), 10),
                "truncated item");
        ClientAidedException trailing = assertThrows(ClientAidedException.class,
                () -> MessageCodec.decode(CTX, Arrays.copyOf(good, good.length + 3), 10));
        assertTrue(trailing.getMessage().contains("trailing"), trailing.getMessage());
        byte[] zero = good.clone();
        ByteBuffer.wrap(zero).putInt(16, 0);
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, zero, 10), "a ciphertext message with none");
        byte[] otherParams = MessageCodec.encode(Fixtures.smallContext(3),
                Message.ciphertexts(MessageKind.RESULT, 1, new Ciphertext[] {new ClientAidedClient(Fixtures.smallContext(3),
                        new KeyGenerator(Fixtures.smallContext(3)).secretKey(), null).encrypt(new double[] {1})}));
        ClientAidedException fp = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, otherParams, 10));
        assertTrue(fp.getMessage().contains("is invalid"), fp.getMessage());
    }

    /** A ciphertext item longer than the largest ciphertext of the parameters is refused before it is read. */
    @Test
    void refusesACiphertextItemLongerThanAnyCiphertext() {
        long max = Serialization.maxCiphertextSize(CTX, 3);
        byte[] one = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.INFER, 1, cts(1)));
        int itemAt = MessageCodec.HEADER_BYTES;
        int declared = (int) max + 1;
        byte[] payload = Arrays.copyOf(one, itemAt + 4 + declared); // room for the declared bytes
        ByteBuffer.wrap(payload).putInt(itemAt, declared);
        ClientAidedException e = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, payload, 8));
        assertTrue(e.getMessage().contains("exceeds the largest ciphertext"), e.getMessage());
        // a count above what the receiver expects is refused before any ciphertext is parsed
        byte[] three = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.INFER, 1, cts(3)));
        e = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, three, 2));
        assertTrue(e.getMessage().contains("declares 3 items, allowed [1, 2]"), e.getMessage());
    }

    /**
     * An item's buffer grows with the bytes that arrive: a declared 512 MiB item whose bytes stop after 3 MiB
     * allocates a few MiB, not 512 (the tenth session's audit had a bare length prefix hold 512 MiB for the read
     * time-out).
     */
    @Test
    void aDeclaredLengthAllocatesOnlyWhatArrives() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int declared = 512 << 20;
        int[] read = {0};
        MessageCodec.PayloadSource stopsAfter3MiB = MessageCodec.PayloadSource.streaming(declared, (dst, off, len) -> {
            if (read[0] + len > 3 << 20) {
                throw new java.io.IOException("peer went silent");
            }
            read[0] += len;
        });
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThrows(java.io.IOException.class, () -> MessageCodec.readItem(stopsAfter3MiB, declared));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 16 << 20, "allocated " + allocated + " bytes for 3 MiB received");
        // and a complete item reads back exactly
        byte[] bytes = new byte[3 << 20];
        new java.util.Random(5).nextBytes(bytes);
        ByteBuffer source = ByteBuffer.wrap(bytes);
        byte[] streamed = assertDoesNotThrowRead(MessageCodec.PayloadSource.streaming(bytes.length,
                (dst, off, len) -> source.get(dst, off, len)), bytes.length);
        assertArrayEquals(bytes, streamed);
        assertArrayEquals(bytes, assertDoesNotThrowRead(MessageCodec.PayloadSource.of(bytes), bytes.length));
    }

    private static byte[] assertDoesNotThrowRead(MessageCodec.PayloadSource in, int len) {
        try {
            return MessageCodec.readItem(in, len);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A client's ERROR text reaches the server's log with its control characters escaped (no forged log lines). */
    @Test
    void logLinesEscapeControlCharacters() {
        assertEquals("bad\\u000aINFO: forged\\u0009x", TcpSessionServer.printable("bad\nINFO: forged\tx"));
        assertEquals("null", TcpSessionServer.printable(null));
        assertEquals("a\\u2028b\\u202ec", TcpSessionServer.printable("a\u2028b\u202ec")); // separator, bidi override
        assertTrue(TcpSessionServer.printable("y".repeat(5000)).endsWith("..."));
        assertEquals(1003, TcpSessionServer.printable("y".repeat(5000)).length());
    }
}
