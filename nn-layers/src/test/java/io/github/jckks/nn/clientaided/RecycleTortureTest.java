package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.CkksContext;
import io.github.jckks.nn.LinearLayer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Several INFERs of different sizes in each of two sessions over the in-process wire transport, which copies messages,
 * so both ends recycle their limb arrays between batches: per-slot masks with max-pooling and ReLU6, an inverted
 * residual block, and folded factors inside a residual body. Every batch matches the plaintext network.
 */
class RecycleTortureTest {
    static final ForkJoinPool pool = Fixtures.POOL;

    private static void run(ClientAidedModel model, CkksContext ctx, MaskingConfig masking, boolean lowest, int batches,
                            int inputs, double bound) throws Exception {
        ClientAidedServer server = new ClientAidedServer(ctx, model, masking, pool);
        if (lowest) {
            server = server.withLowestInputLevel();
        }
        ClientAidedServer s = server;
        ClientAidedClient client = ClientAidedClient.withFreshKeys(ctx);
        Random r = new Random(99);
        for (int session = 0; session < 2; session++) {
            InProcessTransport[] pair = InProcessTransport.pair(ctx, Fixtures.limits());
            CompletableFuture<ClientAidedServer.SessionStats> served = CompletableFuture.supplyAsync(() -> s.serve(pair[1]));
            try (ClientAidedClient.Session cs = client.open(pair[0])) {
                for (int k = 0; k < batches; k++) {
                    double[][] images = Fixtures.images(r, 32 + 17 * k, inputs, 1);
                    double err = Fixtures.maxError(model.forward(images), cs.infer(images));
                    assertTrue(err < bound, "session " + session + " batch " + k + ": max error " + err);
                }
            }
            served.get(120, TimeUnit.SECONDS);
        }
    }

    @Test
    void perSlotConvReluMaxPoolRelu6() throws Exception {
        Random r = new Random(11);
        ClientAidedModel model = ClientAidedModel.builder()
                .add(LinearLayer.conv2d(1, 6, 6, Fixtures.kernel(r, 2, 1, 3, 0.5), new double[] {0.1, -0.1}, 1, 0, 0, 0, 0, 1))
                .relu()
                .maxPool(2, 4, 4, 2, 2)
                .add(LinearLayer.dense(Fixtures.matrix(r, 6, 8, 3), Fixtures.vector(r, 6, 2)))
                .relu6()
                .add(LinearLayer.dense(Fixtures.matrix(r, 2, 6, 0.5), Fixtures.vector(r, 2, 0.1)))
                .build();
        run(model, Fixtures.smallContext(3), MaskingConfig.defaults(), false, 3, 36, 3e-3);
    }

    @Test
    void residualIdentityShortcutPerSlot() throws Exception {
        Random r = new Random(21);
        ClientAidedModel body = ClientAidedResidualTest.invertedResidualBody(r, 2, 2);
        ClientAidedModel model = ClientAidedModel.builder().residual(body)
                .add(LinearLayer.dense(Fixtures.matrix(r, 3, 32, 0.3), Fixtures.vector(r, 3, 0.1))).build();
        run(model, Fixtures.smallContext(3), MaskingConfig.defaults(), false, 3, 32, 1e-3);
    }

    @Test
    void foldedBodyAndFoldedChain() throws Exception {
        Random r = new Random(23);
        ClientAidedModel body = ClientAidedModel.builder()
                .add(LinearLayer.dense(Fixtures.matrix(r, 10, 6, 0.5), Fixtures.vector(r, 10, 0.2)))
                .relu()
                .add(LinearLayer.dense(Fixtures.matrix(r, 6, 10, 0.4), Fixtures.vector(r, 6, 0.1)))
                .build();
        ClientAidedModel model = ClientAidedModel.builder().residual(body)
                .add(LinearLayer.dense(Fixtures.matrix(r, 2, 6, 0.5), null)).build();
        MaskingConfig folded = MaskingConfig.defaults().withMode(MaskMode.PER_CIPHERTEXT);
        run(model, Fixtures.smallContext(2), folded, true, 3, 6, 1e-3);
    }
}
