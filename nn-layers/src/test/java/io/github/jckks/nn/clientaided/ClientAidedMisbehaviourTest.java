package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Serialization;
import io.github.jckks.nn.LinearLayer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Misbehaving clients against one TCP server on 127.0.0.1 (ephemeral port): each bad session ends with a clear
 * error naming the problem, and the server still serves a good client afterwards and while a bad one hangs.
 */
class ClientAidedMisbehaviourTest {
    static final Duration TIMEOUT = Duration.ofSeconds(3);
    static ForkJoinPool pool;
    static CkksContext ctx;
    static ClientAidedModel model;
    static KeyGenerator keys;
    static ClientAidedClient client;
    static ClientAidedTcpServer tcp;
    static final LinkedBlockingQueue<Object[]> outcomes = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws IOException {
        pool = new ForkJoinPool(2);
        ctx = Fixtures.smallContext(2);
        Random r = new Random(20);
        model = ClientAidedNetworkTest.denseReluDense(r, 4, 6, 2);
        keys = new KeyGenerator(ctx);
        client = new ClientAidedClient(ctx, keys.secretKey(), keys.publicKey());
        ClientAidedServer server = new ClientAidedServer(ctx, model, MaskingConfig.defaults(), pool);
        tcp = new ClientAidedTcpServer(server, InetAddress.getLoopbackAddress(), 0, 3,
                limits(), (id, peer, stats, failure) -> outcomes.add(new Object[] {stats, failure}));
    }

    @AfterAll
    static void stop() {
        tcp.close();
        pool.shutdown();
    }

    static TransportLimits limits() {
        return TransportLimits.defaults().withReadTimeout(TIMEOUT).withMaxFrameBytes(4 << 20).withMaxCiphertexts(64);
    }

    /** Waits for the next session outcome and returns its failure (null for a clean end). */
    static Throwable nextOutcome() throws InterruptedException {
        Object[] o = outcomes.poll(20, TimeUnit.SECONDS);
        assertNotNull(o, "the session ended within 20 s");
        return (Throwable) o[1];
    }

    static TcpTransport connect() {
        return TcpTransport.connect("127.0.0.1", tcp.port(), ctx, limits(), Duration.ofSeconds(5));
    }

    static void handshake(TcpTransport t) {
        t.send(Message.hello(Serialization.write(ctx.parameters()), Serialization.write(ctx, keys.publicKey())));
        assertEquals(MessageKind.HELLO, t.receive().kind());
    }

    static Ciphertext[] inputs(int count) {
        Ciphertext[] in = new Ciphertext[count];
        for (int i = 0; i < count; i++) {
            in[i] = client.encrypt(new double[] {0.5, -0.25, 1});
        }
        return in;
    }

    /** A bad client: handshake, INFER, then {@code onActivate} misbehaves after the first ACTIVATE. */
    static void badAfterActivate(BiConsumer<TcpTransport, Message> onActivate) {
        try (TcpTransport t = connect()) {
            handshake(t);
            t.send(Message.ciphertexts(MessageKind.INFER, 1, inputs(model.inputSize())));
            Message m = t.receive();
            assertEquals(MessageKind.ACTIVATE, m.kind());
            onActivate.accept(t, m);
        }
    }

    static void assertFails(String expectedFragment) throws InterruptedException {
        Throwable f = nextOutcome();
        assertNotNull(f, "the session failed");
        assertTrue(f instanceof ClientAidedException, f.toString());
        assertTrue(f.getMessage().contains(expectedFragment), "message names the problem: " + f.getMessage());
    }

    static void goodClientSucceeds() throws InterruptedException {
        goodInference();
        assertNull(nextOutcome(), "the good session ended cleanly");
    }

    static void goodInference() {
        double[][] images = {{0.1, 0.2, -0.3, 0.4}, {1, -1, 0.5, 0}};
        try (ClientAidedClient.Session s = client.open(connect())) {
            double[][] got = s.infer(images);
            assertTrue(Fixtures.maxError(model.forward(images), got) < 1e-3);
        }
    }

    @Test
    void disconnectMidRequest() throws Exception {
        badAfterActivate((t, m) -> {
            // the client vanishes instead of answering
        });
        assertFails("disconnected");
        try (TcpTransport t = connect()) {
            handshake(t);
            t.sendRaw(new byte[] {0, 0, 0x10, 0, 'J', 'C', 'C'}); // 4096-byte frame announced, 3 bytes sent
        }
        assertFails("disconnected in the middle of a frame");
        goodClientSucceeds();
    }

    @Test
    void garbageFrame() throws Exception {
        try (TcpTransport t = connect()) {
            handshake(t);
            byte[] junk = new byte[64];
            new Random(1).nextBytes(junk);
            t.sendRaw(ByteBuffer.allocate(68).putInt(64).put(junk).array());
            assertEquals(MessageKind.ERROR, t.receive().kind(), "the server says why before closing");
        }
        assertFails("malformed message: bad magic");
        // a well-formed header whose ciphertext item is garbage
        try (TcpTransport t = connect()) {
            handshake(t);
            byte[] payload = MessageCodec.encode(ctx, Message.ciphertexts(MessageKind.INFER, 1, inputs(model.inputSize())));
            payload[payload.length - 10] ^= 0x55;
            t.sendRaw(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array());
        }
        assertFails("INFER ciphertext " + (model.inputSize() - 1) + " of " + model.inputSize() + " is invalid");
        goodClientSucceeds();
    }

    @Test
    void oversizedLengthPrefix() throws Exception {
        try (TcpTransport t = connect()) {
            handshake(t);
            t.sendRaw(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0});
        }
        assertFails("frame length 2147483632");
        // and a count the frame cannot hold
        try (TcpTransport t = connect()) {
            handshake(t);
            byte[] payload = MessageCodec.encode(ctx, Message.ciphertexts(MessageKind.INFER, 1, inputs(1)));
            ByteBuffer.wrap(payload).putInt(16, 1_000_000);
            t.sendRaw(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array());
        }
        assertFails("declares 1000000 items");
        goodClientSucceeds();
    }

    /**
     * An INFER or an answer with more ciphertexts than the server expects is refused before they are parsed (they were
     * all parsed first, 4.6x their wire size in memory, before the count check).
     */
    @Test
    void tooManyCiphertextsAreRefusedUnparsed() throws Exception {
        try (TcpTransport t = connect()) {
            handshake(t);
            t.send(Message.ciphertexts(MessageKind.INFER, 1, inputs(model.inputSize() + 3)));
        }
        assertFails("INFER declares 7 items, allowed [1, 4]");
        badAfterActivate((t, m) -> t.send(Message.ciphertexts(MessageKind.ACTIVATED, m.requestId(),
                inputs(m.ciphertexts().length + 1))));
        assertFails("ACTIVATED declares 7 items, allowed [1, 6]");
        goodClientSucceeds();
    }

    @Test
    void wrongCountLevelOrId() throws Exception {
        badAfterActivate((t, m) -> {
            Ciphertext[] fewer = Arrays.copyOf(inputs(m.ciphertexts().length), m.ciphertexts().length - 1);
            t.send(Message.ciphertexts(MessageKind.ACTIVATED, m.requestId(), fewer));
        });
        assertFails("wrong count: 5 ciphertexts, expected 6");
        badAfterActivate((t, m) -> {
            Ciphertext[] low = inputs(m.ciphertexts().length);
            Evaluator ev = new Evaluator(ctx);
            for (Ciphertext c : low) {
                ev.dropLevelInPlace(c, 1);
            }
            t.send(Message.ciphertexts(MessageKind.ACTIVATED, m.requestId(), low));
        });
        assertFails("at level 1, expected the top level 2");
        badAfterActivate((t, m) -> t.send(Message.ciphertexts(MessageKind.ACTIVATED, m.requestId() + 7,
                inputs(m.ciphertexts().length))));
        assertFails("request id 8, expected 1");
        goodClientSucceeds();
    }

    @Test
    void silentClientTimesOutWhileOthersAreServed() throws Exception {
        try (Socket idle = new Socket("127.0.0.1", tcp.port())) {
            goodInference(); // served while the idle connection holds a session thread
            // two sessions end, in either order: the good one cleanly, the silent one by its time-out
            Throwable a = nextOutcome();
            Throwable b = nextOutcome();
            Throwable failure = a != null ? a : b;
            assertTrue(a == null || b == null, "one session ended cleanly: " + a + " / " + b);
            assertTrue(failure instanceof ConnectionLostException && failure.getMessage().startsWith("timed out"),
                    String.valueOf(failure));
            assertTrue(idle.isConnected());
        }
    }
}
