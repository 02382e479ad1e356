package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.CkksContext;
import io.github.jckks.nn.LinearLayer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Small networks end to end: plaintext reference, in one process, and client/server over loopback TCP. */
class ClientAidedNetworkTest {
    static ForkJoinPool pool;

    @BeforeAll
    static void start() {
        pool = new ForkJoinPool(2);
    }

    @AfterAll
    static void stop() {
        pool.shutdown();
    }

    static ClientAidedModel denseReluDense(Random r, int in, int hidden, int out) {
        return ClientAidedModel.builder()
                .add(LinearLayer.dense(Fixtures.matrix(r, hidden, in, 0.6), Fixtures.vector(r, hidden, 0.2)))
                .relu()
                .add(LinearLayer.dense(Fixtures.matrix(r, out, hidden, 0.5), Fixtures.vector(r, out, 0.1)))
                .build();
    }

    /**
     * A planned segment (a dense layer with a folded batch normalization, a residual block around a dense layer) as
     * one step of a client-aided model: the graph's passes between client-aided ReLU rounds. In one process through
     * the wire encoding, against the plaintext network. (A segment with a square: next test.)
     */
    @Test
    void aPlannedSegmentBetweenReluRounds() {
        Random r = new Random(12);
        io.github.jckks.nn.Sequential segment = io.github.jckks.nn.Sequential.builder()
                .add(LinearLayer.dense(Fixtures.matrix(r, 6, 8, 0.4), Fixtures.vector(r, 6, 0.1)))
                .batchNorm(new double[] {1.2, 0.8, 1, 1, 0.9, 1.1}, Fixtures.vector(r, 6, 0.1), Fixtures.vector(r, 6, 0.1),
                        new double[] {1, 2, 1, 0.5, 1, 1}, 1e-5)
                .residual(io.github.jckks.nn.Sequential.builder().add(LinearLayer.dense(Fixtures.matrix(r, 6, 6, 0.3), null)))
                .build();
        assertFalse(segment.needsKeySwitching(io.github.jckks.nn.Packing.REAL));
        ClientAidedModel model = ClientAidedModel.builder()
                .add(segment)
                .relu()
                .add(LinearLayer.dense(Fixtures.matrix(r, 3, 6, 0.5), Fixtures.vector(r, 3, 0.1)))
                .build();
        CkksContext ctx = Fixtures.smallContext(segment.depth() + 2);
        // the segment takes its depth, the mask one more; the client's answer comes back at L, the unmasking takes
        // one level and the last layer one
        assertEquals(ctx.maxLevel() - 2, model.checkLevels(ctx.maxLevel(), ctx.maxLevel()));
        assertThrows(IllegalArgumentException.class, () -> model.checkLevels(segment.depth(), ctx.maxLevel()),
                "no level left for the mask's rescale");
        double[][] images = Fixtures.images(r, 256, 8, 1);
        double[][] expected = model.forward(images);
        ClientAidedServer server = new ClientAidedServer(ctx, model, MaskingConfig.defaults(), pool);
        ClientAidedClient client = ClientAidedClient.withFreshKeys(ctx);
        double[][] got = InProcessRunner.infer(server, client, images, Fixtures.limits());
        double err = Fixtures.maxError(expected, got);
        assertTrue(err < 1e-3, "max error " + err); // measured 3.5-4.1e-5
    }

    /**
     * A segment dense -> square -> dense before a ReLU round. Planned as a segment ({@code buildSegment()}), its last
     * layer rescales twice and relinearizes between (planned for decryption, {@code build()}, it would stay
     * three-part, which the model's builder refuses), so the server needs the client's relinearization key: HELLO
     * carries it when the client sends it, and the session evaluates with it; a client that sends none is refused
     * with a message naming the key.
     */
    @Test
    void aSegmentWithASquareUsesTheClientsRelinearizationKey() {
        Random r = new Random(13);
        double[][] w1 = Fixtures.matrix(r, 6, 8, 0.4);
        double[] b1 = Fixtures.vector(r, 6, 0.1);
        double[][] w2 = Fixtures.matrix(r, 6, 6, 0.5);
        double[] b2 = Fixtures.vector(r, 6, 0.1);
        java.util.function.Supplier<io.github.jckks.nn.Sequential.Builder> steps = () -> io.github.jckks.nn.Sequential
                .builder().add(LinearLayer.dense(w1, b1)).square().add(LinearLayer.dense(w2, b2));
        LinearLayer last = LinearLayer.dense(Fixtures.matrix(r, 3, 6, 0.5), Fixtures.vector(r, 3, 0.1));
        io.github.jckks.nn.Sequential forDecryption = steps.get().build();
        assertTrue(forDecryption.threePartOutput());
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> ClientAidedModel.builder().add(forDecryption).relu().add(last).build());
        assertTrue(refused.getMessage().contains("buildSegment"), refused.getMessage());

        io.github.jckks.nn.Sequential segment = steps.get().buildSegment();
        assertFalse(segment.threePartOutput());
        assertEquals(forDecryption.depth() + 1, segment.depth());
        ClientAidedModel model = ClientAidedModel.builder().add(segment).relu().add(last).build();
        assertTrue(model.needsKeySwitching(io.github.jckks.nn.Packing.REAL));
        assertFalse(denseReluDense(r, 4, 4, 2).needsKeySwitching(io.github.jckks.nn.Packing.COMPLEX));
        CkksContext ctx = Fixtures.smallContext(segment.depth() + 2);
        double[][] images = Fixtures.images(r, 256, 8, 1);
        double[][] expected = model.forward(images);
        ClientAidedServer server = new ClientAidedServer(ctx, model, MaskingConfig.defaults(), pool);
        double[][] got = InProcessRunner.infer(server, ClientAidedClient.withFreshKeysAndRelinearizationKey(ctx), images,
                Fixtures.limits());
        double err = Fixtures.maxError(expected, got);
        assertTrue(err < 1e-3, "max error " + err); // measured 4.5-6.6e-5

        ClientAidedException e = assertThrows(ClientAidedException.class,
                () -> InProcessRunner.infer(server, ClientAidedClient.withFreshKeys(ctx), images, Fixtures.limits()));
        assertTrue(e.getMessage().contains("relinearization key"), e.getMessage());
    }

    /**
     * The level plan picks the ring: CryptoNets-ReLU's shape (conv 5x5 stride 2, ReLU, dense 845 -> 100, ReLU, dense
     * 100 -> 10) needs L = 3 with per-slot masks (each round a mask and an unmask rescale) and L = 1 with folded
     * per-ciphertext factors; with q0 of 30 bits and complex-packed batches of 4,096 and 2,048 images that is N = 4096
     * with {30, 21 x 3} and N = 2048 with {30, 24}, no special prime (nothing switches keys), mnist-cryptonets' rings.
     * A model with a relinearizing segment gets a special prime; one that fits no ring is refused with the numbers.
     */
    @Test
    void parametersArePlannedFromTheModel() {
        Random r = new Random(15);
        ClientAidedModel cryptoNetsRelu = ClientAidedModel.builder()
                .add(LinearLayer.conv2d(1, 28, 28, Fixtures.kernel(r, 5, 1, 5, 0.3), null, 2, 1, 1, 0, 0, 1))
                .relu()
                .add(LinearLayer.dense(Fixtures.matrix(r, 100, 845, 0.05), null))
                .relu()
                .add(LinearLayer.dense(Fixtures.matrix(r, 10, 100, 0.1), null))
                .build();
        assertEquals(3, cryptoNetsRelu.requiredLevels(false));
        assertEquals(1, cryptoNetsRelu.requiredLevels(true));
        io.github.jckks.ckks.CkksParameters perSlot = cryptoNetsRelu.parameters(MaskMode.PER_SLOT,
                io.github.jckks.nn.Packing.COMPLEX, 4096, 21, 30);
        assertEquals(4096, perSlot.n());
        assertEquals(4, perSlot.dataPrimes().length);
        assertEquals(0, perSlot.specialPrimes().length);
        io.github.jckks.ckks.CkksParameters folded = cryptoNetsRelu.parameters(MaskMode.PER_CIPHERTEXT,
                io.github.jckks.nn.Packing.COMPLEX, 2048, 24, 30);
        assertEquals(2048, folded.n());
        assertEquals(2, folded.dataPrimes().length);
        assertEquals(io.github.jckks.ckks.SecurityLevel.BITS_128, folded.achievedSecurity());
        // the per-slot plan leaves the output at level 1 (the last dense layer after the unmasking at L - 1)
        assertEquals(1, cryptoNetsRelu.checkLevels(3, 3, false));

        ClientAidedModel squares = ClientAidedModel.builder()
                .add(io.github.jckks.nn.Sequential.builder().add(LinearLayer.dense(Fixtures.matrix(r, 4, 4, 0.3), null))
                        .square().add(LinearLayer.dense(Fixtures.matrix(r, 4, 4, 0.3), null)).buildSegment())
                .relu().add(LinearLayer.dense(Fixtures.matrix(r, 2, 4, 0.3), null)).build();
        io.github.jckks.ckks.CkksParameters withKeys = squares.parameters(MaskMode.PER_SLOT,
                io.github.jckks.nn.Packing.REAL, 1024, 24, 30);
        assertEquals(1, withKeys.specialPrimes().length);
        assertEquals(squares.requiredLevels(false) + 1, withKeys.dataPrimes().length);
        // a last segment that squares leaves its output at s^2: the plan keeps it at level 1 or above, and it runs
        ClientAidedModel lastSquares = ClientAidedModel.builder()
                .add(LinearLayer.dense(Fixtures.matrix(r, 4, 4, 0.5), null)).relu()
                .add(io.github.jckks.nn.Sequential.builder().add(LinearLayer.dense(Fixtures.matrix(r, 4, 4, 0.5), null))
                        .square().add(LinearLayer.dense(Fixtures.matrix(r, 2, 4, 0.5), null)).build())
                .build();
        int levels = lastSquares.requiredLevels(false);
        assertEquals(1, lastSquares.checkLevels(levels, levels, false));
        double err = Fixtures.encryptedError(lastSquares, Fixtures.smallContext(levels), Fixtures.images(r, 64, 4, 1),
                MaskingConfig.defaults(), pool);
        assertTrue(err < 1e-3, "max error " + err);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> squares.parameters(MaskMode.PER_SLOT, io.github.jckks.nn.Packing.REAL, 1 << 20, 24, 30));
        assertTrue(e.getMessage().contains("no 128-bit ring"), e.getMessage());
    }

    /** HELLO's optional items: one public key and at most one set of evaluation keys, in either order; nothing else. */
    @Test
    void helloItemsAreCheckedByKind() throws Exception {
        CkksContext ctx = Fixtures.smallContext(2);
        ClientAidedServer server = new ClientAidedServer(ctx, denseReluDense(new Random(14), 4, 4, 2),
                MaskingConfig.defaults(), pool);
        io.github.jckks.ckks.KeyGenerator kg = new io.github.jckks.ckks.KeyGenerator(ctx);
        byte[] params = io.github.jckks.ckks.Serialization.write(ctx.parameters());
        byte[] pk = io.github.jckks.ckks.Serialization.write(ctx, kg.publicKey());
        byte[] keys = io.github.jckks.ckks.Serialization.write(ctx, kg.evaluationKeys(true, false));
        // evaluation keys before the public key: accepted (the server answers HELLO)
        assertEquals(MessageKind.HELLO, helloAnswer(server, ctx, Message.hello(params, keys, pk)).kind());
        Message twice = helloAnswer(server, ctx, Message.hello(params, pk, pk));
        assertEquals(MessageKind.ERROR, twice.kind());
        assertTrue(twice.text().contains("HELLO item 2 is a public key"), twice.text());
        Message params2 = helloAnswer(server, ctx, Message.hello(params, params));
        assertEquals(MessageKind.ERROR, params2.kind());
        assertTrue(params2.text().contains("parameters"), params2.text());
    }

    /** @return the server's answer to {@code hello} on a fresh in-process session (which then ends) */
    private static Message helloAnswer(ClientAidedServer server, CkksContext ctx, Message hello) throws Exception {
        InProcessTransport[] pair = InProcessTransport.pair(ctx, Fixtures.limits());
        Thread t = new Thread(() -> {
            try {
                server.serve(pair[1]);
            } catch (ClientAidedException expected) {
                // a refused HELLO, or the BYE-less end of the session below
            }
        });
        t.start();
        pair[0].send(hello);
        Message answer = pair[0].receive();
        pair[0].close();
        t.join(10_000);
        return answer;
    }

    @Test
    void denseReluDenseInProcessAndOverTcp() throws Exception {
        CkksContext ctx = Fixtures.smallContext(2);
        Random r = new Random(10);
        ClientAidedModel model = denseReluDense(r, 8, 12, 3);
        double[][] images = Fixtures.images(r, 256, 8, 1.5);
        double[][] expected = model.forward(images);
        ClientAidedServer server = new ClientAidedServer(ctx, model, MaskingConfig.defaults(), pool);
        ClientAidedClient client = ClientAidedClient.withFreshKeys(ctx);

        double[][] local = InProcessRunner.infer(server, client, images, Fixtures.limits());
        assertTrue(Fixtures.maxError(expected, local) < 1e-3, "in-process error " + Fixtures.maxError(expected, local));

        LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<ClientAidedServer.SessionStats> done = new LinkedBlockingQueue<>();
        try (ClientAidedTcpServer tcp = new ClientAidedTcpServer(server, InetAddress.getLoopbackAddress(), 0, 2,
                Fixtures.limits(), (id, peer, stats, failure) -> {
                    if (failure != null) {
                        failures.add(failure);
                    } else {
                        done.add(stats);
                    }
                })) {
            TcpTransport t = TcpTransport.connect("127.0.0.1", tcp.port(), ctx, Fixtures.limits(), Duration.ofSeconds(5));
            double[][] remote;
            try (ClientAidedClient.Session s = client.open(t)) {
                remote = s.infer(images);
                double[][] again = s.infer(images); // a session serves several inferences
                assertTrue(Fixtures.maxError(expected, again) < 1e-3);
            }
            assertTrue(Fixtures.maxError(expected, remote) < 1e-3, "TCP error " + Fixtures.maxError(expected, remote));
            ClientAidedServer.SessionStats stats = done.poll(10, TimeUnit.SECONDS);
            assertNotNull(stats);
            assertEquals(2, stats.inferences());
            assertEquals(2, stats.rounds());
            assertEquals(24, stats.ciphertextsSent());
            assertTrue(t.bytesSent() > 0 && t.bytesReceived() > 0);
        }
        assertTrue(failures.isEmpty(), "no session failed: " + failures);
    }

    /** conv -> ReLU -> MaxPool -> dense -> ReLU6 -> dense needs L = 3 (an activation returns at L - 1). */
    @Test
    void convReluMaxPoolDenseRelu6DenseInProcess() {
        CkksContext ctx = Fixtures.smallContext(3);
        Random r = new Random(11);
        double[][][][] kernel = Fixtures.kernel(r, 2, 1, 3, 0.5);
        ClientAidedModel model = ClientAidedModel.builder()
                .add(LinearLayer.conv2d(1, 6, 6, kernel, new double[] {0.1, -0.1}, 1, 0, 0, 0, 0, 1)) // 2 x 4 x 4
                .relu()
                .maxPool(2, 4, 4, 2, 2) // 2 x 2 x 2
                .add(LinearLayer.dense(Fixtures.matrix(r, 6, 8, 3), Fixtures.vector(r, 6, 2)))
                .relu6()
                .add(LinearLayer.dense(Fixtures.matrix(r, 2, 6, 0.5), Fixtures.vector(r, 2, 0.1)))
                .build();
        assertEquals(4, model.roundTrips());
        assertThrows(IllegalArgumentException.class,
                () -> new ClientAidedServer(Fixtures.smallContext(2), model, MaskingConfig.defaults(), pool));
        double[][] images = Fixtures.images(r, 64, 36, 2);
        double[][] expected = model.forward(images);
        ClientAidedServer server = new ClientAidedServer(ctx, model, MaskingConfig.defaults(), pool);
        double[][] got = InProcessRunner.infer(server, ClientAidedClient.withFreshKeys(ctx), images, Fixtures.limits());
        double err = Fixtures.maxError(expected, got);
        assertTrue(err < 3e-3, "max error " + err);

        // complex packing: N images, image b and N/2 + b sharing slot b; the rounds' ReLU (ReLU6's x - 6 shifting both
        // parts, MaxPool's differences) acts on both batches. A partial batch reaching into the imaginary parts.
        double[][] many = Fixtures.images(r, ctx.parameters().slots() + 200, 36, 2);
        double[][] complexGot = InProcessRunner.infer(server, ClientAidedClient.withFreshKeys(ctx), many, Fixtures.limits(),
                io.github.jckks.nn.Packing.COMPLEX);
        double complexErr = Fixtures.maxError(model.forward(many), complexGot);
        assertTrue(complexErr < 3e-3, "complex-packed max error " + complexErr);
    }

    @Test
    void parameterMismatchIsRefusedClearly() throws Exception {
        CkksContext serverCtx = Fixtures.smallContext(2);
        CkksContext clientCtx = Fixtures.smallContext(3);
        ClientAidedServer server = new ClientAidedServer(serverCtx, denseReluDense(new Random(12), 4, 4, 2),
                MaskingConfig.defaults(), pool);
        LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        try (ClientAidedTcpServer tcp = new ClientAidedTcpServer(server, InetAddress.getLoopbackAddress(), 0, 1,
                Fixtures.limits(), (id, peer, stats, failure) -> failures.add(failure == null ? new AssertionError("ok") : failure))) {
            TcpTransport t = TcpTransport.connect("127.0.0.1", tcp.port(), clientCtx, Fixtures.limits(), Duration.ofSeconds(5));
            ClientAidedException e = assertThrows(ClientAidedException.class,
                    () -> ClientAidedClient.withFreshKeys(clientCtx).open(t));
            assertTrue(e.getMessage().contains("refused the session: parameter mismatch"), e.getMessage());
            Throwable f = failures.poll(10, TimeUnit.SECONDS);
            assertTrue(f instanceof ClientAidedException && f.getMessage().contains("parameter mismatch"), String.valueOf(f));
        }
    }
}
