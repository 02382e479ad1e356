package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.CkksContext;
import io.github.jckks.nn.LinearLayer;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Residual blocks whose body holds client-aided activations (MobileNetV2's inverted residual), run in one process
 * through the wire encoding against the plaintext network: identity and projection shortcuts, per-slot masks and
 * per-ciphertext factors folded into the body's layers, the level plan, and the misconfigurations refused.
 */
class ClientAidedResidualTest {
    static ForkJoinPool pool;

    @BeforeAll
    static void start() {
        pool = new ForkJoinPool(2);
    }

    @AfterAll
    static void stop() {
        pool.shutdown();
    }

    /**
     * MobileNetV2's inverted residual on c channels of 4 x 4: 1x1 expansion to 3c, ReLU6, 3x3 depthwise convolution
     * (padding 1), ReLU6, 1x1 projection to {@code out} channels.
     */
    static ClientAidedModel invertedResidualBody(Random r, int c, int out) {
        int e = 3 * c;
        double[][][] depthwise = new double[e][][];
        for (int m = 0; m < e; m++) {
            depthwise[m] = Fixtures.kernel(r, 1, 1, 3, 0.5)[0][0];
        }
        return ClientAidedModel.builder()
                .add(LinearLayer.conv2d(c, 4, 4, Fixtures.kernel(r, e, c, 1, 1.5), Fixtures.vector(r, e, 1), 1, 0, 0, 0, 0, 1))
                .relu6()
                .add(LinearLayer.depthwiseConv2d(e, 4, 4, depthwise, Fixtures.vector(r, e, 0.5), 1, 1, 1, 1, 1))
                .relu6()
                .add(LinearLayer.conv2d(e, 4, 4, Fixtures.kernel(r, out, e, 1, 0.4), Fixtures.vector(r, out, 0.1), 1, 0, 0, 0, 0, 1))
                .build();
    }

    @Test
    void invertedResidualWithIdentityShortcut() {
        Random r = new Random(21);
        ClientAidedModel body = invertedResidualBody(r, 2, 2);
        ClientAidedModel model = ClientAidedModel.builder()
                .residual(body)
                .add(LinearLayer.dense(Fixtures.matrix(r, 3, 32, 0.3), Fixtures.vector(r, 3, 0.1)))
                .build();
        CkksContext ctx = Fixtures.smallContext(3);
        int top = ctx.maxLevel();
        // body: expansion, round (its mask rescales: sent at L - 2, back at L), unmask (L - 1), depthwise (L - 2), round,
        // unmask (L - 1), projection (L - 2); the identity shortcut stays at L, so the sum is made at L - 2, and the
        // dense layer leaves L - 3
        assertEquals(top - 2, body.checkLevels(top, top));
        assertEquals(top - 3, model.checkLevels(top, top));
        assertEquals(body.roundTrips(), model.roundTrips());
        assertEquals(2 * 2 * 6 * 16, model.ciphertextsPerInference()); // two ReLU6 of 96 elements, 2 ciphertexts each
        assertThrows(IllegalArgumentException.class, () -> model.checkLevels(1, top), "the expansion and the mask");

        double[][] images = Fixtures.images(r, 128, 32, 1);
        double[][] expected = model.forward(images);
        for (int b = 0; b < 4; b++) { // the plaintext reference adds the input back
            double[] x = body.forward(images[b]);
            for (int i = 0; i < x.length; i++) {
                x[i] += images[b][i];
            }
            double[] direct = model.steps().get(1) instanceof LinearLayer d ? d.forward(x) : null;
            assertEquals(expected[b][0], direct[0], 1e-12);
        }
        double err = Fixtures.encryptedError(model, ctx, images, MaskingConfig.defaults(), pool);
        assertTrue(err < 1e-3, "max error " + err); // the three cases measured 3.6-7.5e-5 over three runs
    }

    /** A projection shortcut (1x1 convolution 2 -> 3 channels) beside a body that ends with 3 channels. */
    @Test
    void invertedResidualWithProjectionShortcut() {
        Random r = new Random(22);
        ClientAidedModel body = invertedResidualBody(r, 2, 3);
        LinearLayer projection = LinearLayer.conv2d(2, 4, 4, Fixtures.kernel(r, 3, 2, 1, 0.7), null, 1, 0, 0, 0, 0, 1);
        ClientAidedModel model = ClientAidedModel.builder()
                .residual(body, projection)
                .relu()
                .add(LinearLayer.dense(Fixtures.matrix(r, 2, 48, 0.3), Fixtures.vector(r, 2, 0.1)))
                .build();
        CkksContext ctx = Fixtures.smallContext(3);
        double[][] images = Fixtures.images(r, 128, 32, 1);
        double err = Fixtures.encryptedError(model, ctx, images, MaskingConfig.defaults(), pool);
        assertTrue(err < 1e-3, "max error " + err); // the three cases measured 3.6-7.5e-5 over three runs
    }

    /**
     * A body dense -> ReLU -> dense with per-ciphertext factors folded into its two layers (no level for the round),
     * then a dense layer: with L = 2 the inputs can enter at level 1 (the lowest the plan accepts: the body's first
     * layer takes it, its round returns at L, its second layer leaves L - 1, where the identity shortcut still is), the
     * sum is made at level 1 and the last layer leaves level 0; run so, with a server that asks for that level. Per-slot masks would need a level for the round's mask
     * and another for the unmasking: refused.
     */
    @Test
    void foldedFactorsInsideTheBody() {
        Random r = new Random(23);
        ClientAidedModel body = ClientAidedModel.builder()
                .add(LinearLayer.dense(Fixtures.matrix(r, 10, 6, 0.5), Fixtures.vector(r, 10, 0.2)))
                .relu()
                .add(LinearLayer.dense(Fixtures.matrix(r, 6, 10, 0.4), Fixtures.vector(r, 6, 0.1)))
                .build();
        ClientAidedModel model = ClientAidedModel.builder().residual(body)
                .add(LinearLayer.dense(Fixtures.matrix(r, 2, 6, 0.5), null)).build();
        CkksContext ctx = Fixtures.smallContext(2);
        MaskingConfig folded = MaskingConfig.defaults().withMode(MaskMode.PER_CIPHERTEXT);
        assertEquals(0, model.checkLevels(1, 2, true));
        assertEquals(1, model.minimumInputLevel(2, true));
        assertThrows(IllegalArgumentException.class, () -> model.checkLevels(0, 2, true));
        assertThrows(IllegalArgumentException.class, () -> new ClientAidedServer(ctx, model, MaskingConfig.defaults(), pool),
                "per-slot masks need a level per round");
        double[][] images = Fixtures.images(r, 256, 6, 1);
        ClientAidedServer lowest = new ClientAidedServer(ctx, model, folded, pool).withLowestInputLevel();
        assertEquals(1, lowest.inputLevel());
        double err = Fixtures.encryptedError(lowest, images); // the client encrypts at the level HELLO asks for
        assertTrue(err < 1e-3, "max error " + err); // the three cases measured 3.6-7.5e-5 over three runs
    }

    /**
     * Paths that start with a planned multi-layer segment, which consumes its input: the shortcut a two-layer
     * segment, the body a segment (dense, average of pairs) before its round. Each gets a pooled copy of the block's
     * input, so the other path still reads the original.
     */
    @Test
    void segmentsOnBothPathsDoNotConsumeTheSharedInput() {
        Random r = new Random(25);
        io.github.jckks.nn.Sequential shortcut = io.github.jckks.nn.Sequential.builder()
                .add(LinearLayer.dense(Fixtures.matrix(r, 6, 6, 0.5), null))
                .add(LinearLayer.dense(Fixtures.matrix(r, 6, 6, 0.5), Fixtures.vector(r, 6, 0.1)))
                .buildSegment();
        ClientAidedModel body = ClientAidedModel.builder()
                .add(io.github.jckks.nn.Sequential.builder()
                        .add(LinearLayer.dense(Fixtures.matrix(r, 8, 6, 0.5), Fixtures.vector(r, 8, 0.1)))
                        .add(LinearLayer.dense(Fixtures.matrix(r, 8, 8, 0.4), null))
                        .buildSegment())
                .relu()
                .add(LinearLayer.dense(Fixtures.matrix(r, 6, 8, 0.4), null))
                .build();
        ClientAidedModel model = ClientAidedModel.builder().residual(body, shortcut).build();
        CkksContext ctx = Fixtures.smallContext(4);
        double[][] images = Fixtures.images(r, 128, 6, 1);
        double err = Fixtures.encryptedError(model, ctx, images, MaskingConfig.defaults(), pool);
        assertTrue(err < 1e-3, "max error " + err); // measured ~5e-5
        // and an identity shortcut beside a body that starts with a segment
        ClientAidedModel identity = ClientAidedModel.builder().residual(body).build();
        err = Fixtures.encryptedError(identity, ctx, images, MaskingConfig.defaults(), pool);
        assertTrue(err < 1e-3, "max error " + err);
    }

    @Test
    void misconfiguredResidualsAreRefused() {
        Random r = new Random(24);
        ClientAidedModel body = invertedResidualBody(r, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClientAidedModel.builder().residual(body));
        assertTrue(e.getMessage().contains("32 -> 48") && e.getMessage().contains("identity"), e.getMessage());
        LinearLayer wrong = LinearLayer.dense(Fixtures.matrix(r, 40, 32, 0.1), null);
        assertThrows(IllegalArgumentException.class, () -> ClientAidedModel.builder().residual(body, wrong));
        // a shortcut planned for decryption (a square's product left three-part) cannot be summed
        io.github.jckks.nn.Sequential threePart = io.github.jckks.nn.Sequential.builder()
                .add(LinearLayer.dense(Fixtures.matrix(r, 32, 32, 0.1), null)).square()
                .add(LinearLayer.dense(Fixtures.matrix(r, 32, 32, 0.1), null)).build();
        IllegalArgumentException tp = assertThrows(IllegalArgumentException.class,
                () -> ClientAidedModel.builder().residual(invertedResidualBody(r, 2, 2), threePart));
        assertTrue(tp.getMessage().contains("buildSegment"), tp.getMessage());
        // a body too deep for the ring: named by the level check when the server is built
        ClientAidedModel model = ClientAidedModel.builder().residual(invertedResidualBody(r, 2, 2)).build();
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class,
                () -> new ClientAidedServer(Fixtures.smallContext(2), model, MaskingConfig.defaults(), pool));
        assertTrue(deep.getMessage().contains("no level left"), deep.getMessage());
    }
}
