package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Serialization;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Serializing and parsing on a pool changes nothing on the wire: {@link MessageCodec#decode} with a pool accepts and
 * rejects exactly what it does without one, with the same messages, and a pooled {@link TcpTransport} talks to a
 * plain one both ways with the frames {@link MessageCodec#encode} makes.
 */
class PooledTransportTest {
    static final CkksContext CTX = new CkksContext(CkksParameters.builder().logN(10).dataPrimeBits(30, 25)
            .specialPrimeBits(30).scale(0x1p25).insecureForTestsOnly().build());
    static final ForkJoinPool POOL = new ForkJoinPool(2);

    @AfterAll
    static void shutdown() {
        POOL.shutdown();
    }

    private static Ciphertext[] cts(int n) {
        Encryptor e = new Encryptor(CTX, new KeyGenerator(CTX).secretKey());
        CkksEncoder enc = new CkksEncoder(CTX);
        Ciphertext[] out = new Ciphertext[n];
        for (int i = 0; i < n; i++) {
            out[i] = e.encrypt(enc.encode(new double[] {i, -i}, 1, 0x1p25));
        }
        return out;
    }

    @Test
    void pooledDecodeAcceptsAndRejectsExactlyWhatTheSequentialOneDoes() {
        Ciphertext[] c = cts(5);
        byte[] good = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.ACTIVATED, 9, c));
        Message m = MessageCodec.decode(CTX, good, 10, POOL);
        assertEquals(MessageKind.ACTIVATED, m.kind());
        assertEquals(9, m.requestId());
        for (int i = 0; i < c.length; i++) {
            assertArrayEquals(Serialization.write(CTX, c[i]), Serialization.write(CTX, m.ciphertexts()[i]));
        }
        for (int offset : new int[] {0, 4, 5, 6, 7}) {
            byte[] b = good.clone();
            b[offset] ^= 0x40;
            String expected = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, b, 10)).getMessage();
            String actual = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, b, 10, POOL))
                    .getMessage();
            assertEquals(expected, actual, "byte " + offset);
        }
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, good, 4, POOL), "count above the limit");
        byte[] zero = good.clone();
        ByteBuffer.wrap(zero).putInt(16, 0);
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, zero, 10, POOL));
        ClientAidedException trailing = assertThrows(ClientAidedException.class,
                () -> MessageCodec.decode(CTX, Arrays.copyOf(good, good.length + 3), 10, POOL));
        assertTrue(trailing.getMessage().contains("trailing"), trailing.getMessage());
        assertThrows(ClientAidedException.class,
                () -> MessageCodec.decode(CTX, Arrays.copyOf(good, good.length - 1), 10, POOL), "truncated item");
        byte[] corrupt = good.clone();
        corrupt[corrupt.length - 2] ^= 1; // inside the last ciphertext's CRC
        ClientAidedException bad = assertThrows(ClientAidedException.class,
                () -> MessageCodec.decode(CTX, corrupt, 10, POOL));
        assertTrue(bad.getMessage().contains("ciphertext 4 of 5 is invalid"), bad.getMessage());
        // two bad items: both paths name the first one, with the same message
        int[] ends = itemEnds(good);
        byte[] twoBad = good.clone();
        twoBad[ends[1] - 2] ^= 1;
        twoBad[ends[3] - 2] ^= 1;
        String sequential = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, twoBad, 10)).getMessage();
        String pooled = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, twoBad, 10, POOL)).getMessage();
        assertEquals(sequential, pooled);
        assertTrue(pooled.contains("ciphertext 1 of 5 is invalid"), pooled);
    }

    @Test
    void aPooledTcpTransportParsingAsTheFrameArrivesRejectsDamageWithTheSameMessages() throws Exception {
        Ciphertext[] c = cts(5);
        byte[] good = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.ACTIVATED, 9, c));
        int[] ends = itemEnds(good);
        byte[] badMagic = good.clone();
        badMagic[0] ^= 0x40;
        byte[] longItem = good.clone();
        ByteBuffer.wrap(longItem).putInt(ends[3], Integer.MAX_VALUE); // item 4's length points past the frame
        byte[] twoBad = good.clone();
        twoBad[ends[1] - 2] ^= 1;
        twoBad[ends[3] - 2] ^= 1;
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        byte[] cutShort = Arrays.copyOf(good, ends[2] + 2); // the frame ends inside item 3's length
        TransportLimits limits = TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(20));
        for (byte[] payload : new byte[][] {good, badMagic, longItem, twoBad, trailing, cutShort}) {
            try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
                        TcpTransport raw = new TcpTransport(s, CTX, limits);
                        raw.sendRaw(ByteBuffer.allocate(4).putInt(payload.length).array());
                        raw.sendRaw(payload);
                        s.shutdownOutput();
                        s.getInputStream().read(); // until the receiver closes
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                try (Socket accepted = ss.accept()) {
                    TcpTransport pooled = new TcpTransport(accepted, CTX, limits, POOL);
                    if (payload == good) {
                        Message m = pooled.receive();
                        for (int i = 0; i < c.length; i++) {
                            assertArrayEquals(Serialization.write(CTX, c[i]), Serialization.write(CTX, m.ciphertexts()[i]));
                        }
                    } else {
                        String expected = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, payload, 10))
                                .getMessage();
                        String actual = assertThrows(ClientAidedException.class, pooled::receive).getMessage();
                        assertEquals(expected, actual);
                    }
                }
                sender.exceptionally(t -> null).join();
            }
        }
    }

    /** @return the offset just past each item of a payload (header of 20 bytes, then a 4-byte length and the bytes) */
    private static int[] itemEnds(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        int count = b.getInt(16);
        int[] ends = new int[count];
        int at = MessageCodec.HEADER_BYTES;
        for (int i = 0; i < count; i++) {
            at += 4 + b.getInt(at);
            ends[i] = at;
        }
        return ends;
    }

    @Test
    void pooledTransportTalksToAPlainOneBothWays() throws Exception {
        TransportLimits limits = TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(20));
        Ciphertext[] c = cts(4);
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Message> echoed = CompletableFuture.supplyAsync(() -> {
                try (Socket s = ss.accept()) {
                    TcpTransport t = new TcpTransport(s, CTX, limits);
                    Message in = t.receive();
                    t.send(Message.ciphertexts(MessageKind.RESULT, in.requestId(), in.ciphertexts()));
                    t.send(Message.error(3, "done"));
                    return in;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            TcpTransport p = TcpTransport.connect("127.0.0.1", ss.getLocalPort(), CTX, limits, POOL, Duration.ofSeconds(5));
            p.send(Message.ciphertexts(MessageKind.INFER, 77, c));
            Message back = p.receive();
            assertEquals(MessageKind.RESULT, back.kind());
            assertEquals(77, back.requestId());
            assertEquals("done", p.receive().text());
            assertEquals(4, echoed.get().ciphertexts().length);
            byte[] frame = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.INFER, 77, c));
            assertEquals(4L + frame.length, p.bytesSent(), "the same frame as MessageCodec's");
            for (int i = 0; i < c.length; i++) {
                assertArrayEquals(Serialization.write(CTX, c[i]), Serialization.write(CTX, back.ciphertexts()[i]));
            }
            p.close();
        }
    }

    /**
     * A peer that paces its bytes just under the read time-out cannot stretch a frame past its deadline, with a pool
     * or without (with a pool each item was read by its own call, and the deadline was checked only after a short
     * read: 10 items 0.6 s apart held a 1 s frame for 6 s, found by the tenth session's audit).
     */
    @Test
    void aSlowPeerCannotStretchAFrame() throws Exception {
        TransportLimits limits = TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(1));
        for (ForkJoinPool pool : new ForkJoinPool[] {null, POOL}) {
            try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                CompletableFuture<long[]> server = CompletableFuture.supplyAsync(() -> {
                    try (Socket s = ss.accept()) {
                        TcpTransport t = new TcpTransport(s, CTX, limits, pool);
                        long t0 = System.nanoTime();
                        try {
                            t.receive();
                            return new long[] {-1, 0};
                        } catch (ClientAidedException e) {
                            boolean timedOut = e.getMessage().contains("not complete within 1000 ms");
                            return new long[] {(System.nanoTime() - t0) / 1_000_000, timedOut ? 1 : 0};
                        }
                    } catch (Exception e) {
                        return new long[] {-2, 0};
                    }
                });
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
                    c.setTcpNoDelay(true);
                    int items = 10;
                    int n = MessageCodec.HEADER_BYTES + 4 * items;
                    ByteBuffer h = ByteBuffer.allocate(4 + MessageCodec.HEADER_BYTES);
                    h.putInt(n).putInt(MessageCodec.MAGIC).put((byte) MessageCodec.VERSION)
                            .put((byte) MessageKind.INFER.code()).put((byte) 0).put((byte) 0).putLong(1).putInt(items);
                    c.getOutputStream().write(h.array());
                    c.getOutputStream().flush();
                    try {
                        for (int i = 0; i < items && !server.isDone(); i++) {
                            Thread.sleep(600);
                            c.getOutputStream().write(new byte[4]);
                            c.getOutputStream().flush();
                        }
                    } catch (java.io.IOException closedByTheServer) {
                        // expected once the frame has timed out
                    }
                }
                long[] outcome = server.get();
                assertEquals(1, outcome[1], "the frame timed out (pool " + (pool != null) + "), " + outcome[0] + " ms");
                assertTrue(outcome[0] < 2500, "within about the frame deadline: " + outcome[0] + " ms");
            }
        }
    }
}
