package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.SecurityLevel;
import io.github.jckks.ckks.Serialization;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * dense(16 -&gt; 32) -&gt; ReLU -&gt; dense(32 -&gt; 4) at a real size: N = 4096, data primes {30, 22, 22}, special 30,
 * scale 2^22 (128-bit, {@link CkksParameters#clientAided4096()}), a full batch of 2048 images, client and server
 * over loopback TCP. Prints the cost of one activation round per ciphertext. Bound: 0.05 absolute (scale 2^22
 * at N = 4096: rescale and fresh-encryption errors of ~1e-4 per slot, up to 4x after unmasking, plus one
 * public-key encryption's noise from re-randomizing the result, ~3e-3, maximum over 8192 outputs).
 */
class ClientAidedRealSizeTest {
    @Test
    void denseReluDenseAt4096OverTcp() throws Exception {
        CkksParameters params = CkksParameters.clientAided4096();
        assertEquals(SecurityLevel.BITS_128, params.achievedSecurity());
        CkksContext ctx = new CkksContext(params);
        Random r = new Random(30);
        ClientAidedModel model = ClientAidedNetworkTest.denseReluDense(r, 16, 32, 4);
        double[][] images = Fixtures.images(r, params.slots(), 16, 1.5);
        double[][] expected = model.forward(images);
        ForkJoinPool pool = new ForkJoinPool(2);
        ClientAidedServer server = new ClientAidedServer(ctx, model, MaskingConfig.defaults(), pool);
        ClientAidedClient client = ClientAidedClient.withFreshKeys(ctx);
        LinkedBlockingQueue<Object[]> ends = new LinkedBlockingQueue<>();
        TransportLimits limits = TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(30));
        try (ClientAidedTcpServer tcp = new ClientAidedTcpServer(server, InetAddress.getLoopbackAddress(), 0, 2, limits,
                (id, peer, stats, failure) -> ends.add(new Object[] {stats, failure}))) {
            for (int run = 0; run < 3; run++) { // the first runs warm the JIT up
                TcpTransport t = TcpTransport.connect("127.0.0.1", tcp.port(), ctx, limits, Duration.ofSeconds(5));
                long t0 = System.nanoTime();
                double[][] got;
                long answerNanos;
                long answered;
                try (ClientAidedClient.Session s = client.open(t)) {
                    got = s.infer(images);
                    answerNanos = s.answerNanos();
                    answered = s.ciphertextsAnswered();
                }
                long total = System.nanoTime() - t0;
                Object[] end = ends.poll(30, TimeUnit.SECONDS);
                assertNotNull(end);
                assertEquals(null, end[1], "session ended cleanly");
                ClientAidedServer.SessionStats st = (ClientAidedServer.SessionStats) end[0];
                double err = Fixtures.maxError(expected, got);
                assertTrue(err < 0.05, "max error " + err);
                assertEquals(32, answered);
                if (run == 2) {
                    double n = st.ciphertextsSent();
                    double clientMs = answerNanos / 1e6 / n;
                    double wireMs = (st.exchangeNanos() - answerNanos) / 1e6 / n;
                    System.out.printf("N=4096 128-bit, batch %d, %d ciphertexts in 1 round: per ciphertext: server mask %.2f ms, "
                                    + "client decrypt+ReLU+encrypt %.2f ms, wire+codec %.2f ms, server unmask %.2f ms "
                                    + "(server on 2 threads, client on 1); whole inference %.0f ms, max error %.2e, "
                                    + "bytes sent by the client %d, received %d%n",
                            images.length, (int) n, st.maskNanos() / 1e6 / n, clientMs, wireMs, st.unmaskNanos() / 1e6 / n,
                            total / 1e6, err, t.bytesSent(), t.bytesReceived());
                }
            }
        } finally {
            pool.shutdown();
        }
        // sizes on the wire: ACTIVATE carries full ciphertexts at level 0, ACTIVATED seeded ones at the top level
        Ciphertext fresh = client.encrypt(new double[] {1});
        Ciphertext low = new Evaluator(ctx).dropLevel(fresh, 0);
        low.clearSeed();
        System.out.printf("per ciphertext on the wire: ACTIVATE (full, level 0) %d bytes, ACTIVATED (seeded, level 2) %d bytes%n",
                Serialization.sizeOf(ctx, low), Serialization.sizeOf(ctx, fresh));
    }

    /**
     * A residual block with a client-aided body at the same real size ({@link CkksParameters#clientAided4096()}, L = 2,
     * a full batch of 2048 images, in one process through the wire encoding): out = x + dense(ReLU(dense(x))). The
     * body sends its round at level 0 and leaves level 0; the identity shortcut is dropped from L to meet it. Same
     * bound as above (measured 2.8-3.4e-3).
     */
    @Test
    void residualWithAClientAidedBodyAt4096() {
        CkksParameters params = CkksParameters.clientAided4096();
        CkksContext ctx = new CkksContext(params);
        Random r = new Random(31);
        ClientAidedModel model = ClientAidedModel.builder().residual(ClientAidedNetworkTest.denseReluDense(r, 8, 16, 8)).build();
        assertEquals(0, model.checkLevels(ctx.maxLevel(), ctx.maxLevel()));
        double[][] images = Fixtures.images(r, params.slots(), 8, 1.5);
        double[][] expected = model.forward(images);
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            ClientAidedServer server = new ClientAidedServer(ctx, model, MaskingConfig.defaults(), pool);
            double[][] got = InProcessRunner.infer(server, ClientAidedClient.withFreshKeys(ctx), images,
                    TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(30)));
            double err = Fixtures.maxError(expected, got);
            assertTrue(err < 0.05, "max error " + err);
        } finally {
            pool.shutdown();
        }
    }
}
