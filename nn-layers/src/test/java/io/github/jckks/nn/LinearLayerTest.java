package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Plaintext semantics of the linear layers against direct definitions. */
class LinearLayerTest {
    @Test
    void avgPoolAveragesWindowsCountingPadding() {
        double[] x = new double[2 * 4 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        LinearLayer pool = LinearLayer.avgPool2d(2, 4, 4, 2, 2, 0, 0, 0, 0);
        double[] y = pool.forward(x);
        assertEquals(8, y.length);
        assertEquals((0 + 1 + 4 + 5) / 4.0, y[0], 1e-12);
        assertEquals((16 + 17 + 20 + 21) / 4.0, y[4], 1e-12);
        LinearLayer padded = LinearLayer.avgPool2d(1, 2, 2, 2, 1, 1, 1, 0, 0);
        assertEquals(1.0 / 4, padded.forward(new double[] {1, 2, 3, 4})[0], 1e-12, "padding counts in the divisor");
    }

    @Test
    void globalAvgPoolIsTheChannelMean() {
        double[] x = {1, 2, 3, 4, 10, 20, 30, 40};
        double[] y = LinearLayer.globalAvgPool(2, 2, 2).forward(x);
        assertEquals(2.5, y[0], 1e-12);
        assertEquals(25, y[1], 1e-12);
    }

    @Test
    void foldedBatchNormEqualsLayerThenBatchNorm() {
        Random r = new Random(5);
        double[][] w = new double[6][4];
        double[] b = new double[6];
        for (int o = 0; o < 6; o++) {
            b[o] = r.nextGaussian();
            for (int j = 0; j < 4; j++) {
                w[o][j] = r.nextGaussian();
            }
        }
        double[] gamma = {1.5, -0.5, 2};
        double[] beta = {0.1, 0.2, -0.3};
        double[] mean = {0.3, -1, 0};
        double[] var = {2, 0.5, 1};
        LinearLayer dense = LinearLayer.dense(w, b);
        LinearLayer folded = dense.foldBatchNorm(gamma, beta, mean, var, 1e-5);
        double[] x = {0.5, -1, 2, 0.25};
        double[] y = dense.forward(x);
        double[] z = folded.forward(x);
        for (int o = 0; o < 6; o++) {
            int c = o / 2;
            double bn = gamma[c] * (y[o] - mean[c]) / Math.sqrt(var[c] + 1e-5) + beta[c];
            assertEquals(bn, z[o], 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> dense.foldBatchNorm(new double[4], new double[4],
                new double[4], new double[4], 1e-5), "4 channels do not divide 6 outputs");
        // the builder folds it when the model is built: same function, no level, no step of its own
        Sequential net = Sequential.builder().add(dense).batchNorm(gamma, beta, mean, var, 1e-5).build();
        assertEquals(1, net.layers().size());
        assertEquals(1, net.depth());
        double[] built = net.forward(x);
        for (int o = 0; o < 6; o++) {
            assertEquals(z[o], built[o], 1e-12);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Sequential.builder(4).square()
                .batchNorm(gamma, beta, mean, var, 1e-5));
        assertTrue(e.getMessage().contains("must follow a linear layer"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Sequential.builder(4).batchNorm(gamma, beta, mean, var, 1e-5));
    }

    @Test
    void badGeometryIsRejectedWithAMessage() {
        assertThrows(IllegalArgumentException.class, () -> LinearLayer.conv2d(3, 4, 4, new double[2][3][3][3], null,
                1, 0, 0, 0, 0, 2), "groups must divide channels and maps");
        assertThrows(IllegalArgumentException.class, () -> LinearLayer.conv2d(1, 2, 2, new double[1][1][3][3], null,
                1, 0, 0, 0, 0, 1), "kernel larger than the input");
        assertThrows(IllegalArgumentException.class, () -> LinearLayer.dense(new double[][] {{1, 2}, {3}}, new double[2]));
    }

    /**
     * A rescaled layer hands the limb it drops from each output part back to the runtime's pool (nothing else references
     * it), and the next layer, taking its outputs from the pool, still computes right.
     */
    @Test
    void theLimbsARescaleDropsGoBackToThePool() {
        Random r = new Random(43);
        Harness h = new Harness(Packing.REAL, Harness.POOL, 2);
        LinearLayer first = LinearLayer.dense(Harness.matrix(r, 5, 6, 0.4), Harness.vector(r, 5, 0.1));
        LinearLayer second = LinearLayer.dense(Harness.matrix(r, 3, 5, 0.4), Harness.vector(r, 3, 0.1));
        double[][] images = h.images(new Random(44), 6, -1, 1);
        Ciphertext[] in = h.encrypt(images);
        EncryptedRuntime rt = new EncryptedRuntime(h.rt.evaluator(), MacKernels.get(), Harness.POOL, Packing.REAL);
        Ciphertext[] mid = first.forward(in, rt);
        assertEquals(5 * 2, rt.limbs().size(), "one dropped limb per part and output, from an empty pool");
        Ciphertext[] out = second.forward(mid, rt);
        double[][] got = h.decrypt(out); // [output][image]
        for (int b = 0; b < images.length; b++) {
            double[] want = second.forward(first.forward(images[b]));
            for (int o = 0; o < want.length; o++) {
                assertEquals(want[o], got[o][b], 1e-3, "image " + b + " output " + o);
            }
        }
    }

    /**
     * Zero weights are skipped in pruned layers (at least 3/4 zeros): a convolution drops its zero taps, a dense layer
     * becomes sparse (one output entirely zero); layers with fewer zeros keep them (the kernels' tiles are faster
     * so); encrypted results match the plaintext ones either way (both packings), an all-zero output being its bias.
     */
    @Test
    void zeroWeightsAreSkippedInPrunedLayers() {
        Random r = new Random(41);
        double[][][][] few = Harness.kernel(r, 2, 1, 3, 0.5);
        few[0][0][1][1] = 0;
        LinearLayer conv = LinearLayer.conv2d(1, 6, 6, few, Harness.vector(r, 2, 0.1), 1, 0, 0, 0, 0, 1);
        assertEquals(2L * 16 * 9, conv.taps(), "one zero in 18 weights: kept");
        double[][][][] pruned = Harness.kernel(r, 2, 1, 3, 0.5);
        for (int m = 0; m < 2; m++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 3; x++) {
                    if (y != 1 || (x != 1 && m == 0)) {
                        pruned[m][0][y][x] = 0; // map 0 keeps its centre, map 1 its middle row: 4 of 18 weights
                    }
                }
            }
        }
        LinearLayer prunedConv = LinearLayer.conv2d(1, 6, 6, pruned, Harness.vector(r, 2, 0.1), 1, 0, 0, 0, 0, 1);
        assertEquals(16L * (1 + 3), prunedConv.taps(), "zero taps dropped");
        double[][] w = Harness.matrix(r, 4, 8, 0.3);
        for (int o = 0; o < 4; o++) {
            for (int j = 0; j < 8; j++) {
                if (o == 3 || j % 4 != o) {
                    w[o][j] = 0; // 6 nonzero weights of 32
                }
            }
        }
        LinearLayer sparse = LinearLayer.dense(w, Harness.vector(r, 4, 0.1));
        assertFalse(sparse.isDense(), "at least 3/4 zeros: sparse");
        assertEquals(6, sparse.taps());
        double[][] half = Harness.matrix(r, 4, 8, 0.3);
        for (int o = 0; o < 4; o++) {
            for (int j = 0; j < 4; j++) {
                half[o][j] = 0;
            }
        }
        LinearLayer stillDense = LinearLayer.dense(half, Harness.vector(r, 4, 0.1));
        assertTrue(stillDense.isDense(), "half zeros: the dense kernel keeps them");
        assertEquals(32, stillDense.taps());
        for (Packing packing : new Packing[] {Packing.REAL, Packing.COMPLEX}) {
            Harness h = new Harness(packing, Harness.POOL, 2);
            for (Sequential net : new Sequential[] {
                Sequential.builder().add(conv).build(),
                Sequential.builder().add(prunedConv).build(),
                Sequential.builder().add(sparse).build(),
                Sequential.builder().add(stillDense).build()}) {
                double[][] images = h.images(new Random(42), net.inputSize(), -1, 1);
                Ciphertext[] out = net.forward(h.encrypt(images), h.rt);
                double err = h.maxError(net::forward, images, out);
                assertTrue(err < 1e-3, packing + " " + net.describe() + ": max error " + err);
            }
        }
    }

    /** The named depthwise convolution is the grouped one, and flatten changes nothing. */
    @Test
    void depthwiseConvolutionIsTheGroupedOneAndFlattenIsANoOp() {
        Random r = new Random(43);
        double[][][] filters = new double[3][3][3];
        double[][][][] grouped = new double[3][1][][];
        for (int c = 0; c < 3; c++) {
            for (double[] row : filters[c]) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = r.nextGaussian();
                }
            }
            grouped[c][0] = filters[c];
        }
        double[] bias = {0.1, -0.2, 0.3};
        LinearLayer dw = LinearLayer.depthwiseConv2d(3, 5, 5, filters, bias, 2, 1, 1, 1, 1);
        LinearLayer g = LinearLayer.conv2d(3, 5, 5, grouped, bias, 2, 1, 1, 1, 1, 3);
        double[] x = new double[75];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        assertEquals(g.outputSize(), dw.outputSize());
        double[] a = dw.forward(x);
        double[] b = g.forward(x);
        for (int o = 0; o < a.length; o++) {
            assertEquals(b[o], a[o], 0);
        }
        assertThrows(IllegalArgumentException.class, () -> LinearLayer.depthwiseConv2d(2, 5, 5, filters, bias, 1, 0, 0, 0, 0));
        Sequential net = Sequential.builder().add(dw).flatten().add(LinearLayer.dense(Harness.matrix(r, 2, dw.outputSize(), 0.3), null)).build();
        assertEquals(2, net.layers().size());
    }

    /**
     * On a runtime with more threads than (part, prime) pairs the MAC pass also splits the outputs into ranges: a
     * convolution (its map groups cut by the ranges) and a dense layer give the same ciphertexts, limb for limb, as on
     * one thread.
     */
    @Test
    void outputRangesOnManyThreadsGiveTheSameCiphertexts() {
        Harness h = new Harness(Packing.REAL, Harness.POOL, 2);
        Random r = new Random(77);
        Tensor x = Harness.randomBatch(r, 300, 2, 6, 6);
        Ciphertext[] in = EncryptedTensor.encrypt(x, h.enc, h.encryptor, Packing.REAL, 2, h.params.defaultScale())
                .ciphertexts();
        LinearLayer conv = LinearLayer.conv2d(2, 6, 6, Harness.kernel(r, 5, 2, 3, 0.5), Harness.vector(r, 5, 0.1), 1, 1, 1,
                1, 1, 1);
        LinearLayer dense = LinearLayer.dense(Harness.matrix(r, 9, 72, 0.2), Harness.vector(r, 9, 0.1));
        java.util.concurrent.ForkJoinPool many = new java.util.concurrent.ForkJoinPool(24);
        try {
            EncryptedRuntime one = new EncryptedRuntime(h.rt.evaluator(), h.rt.mac(), null, Packing.REAL);
            EncryptedRuntime wide = new EncryptedRuntime(h.rt.evaluator(), h.rt.mac(), many, Packing.REAL);
            assertEquals(24, wide.parallelism());
            for (LinearLayer l : new LinearLayer[] {conv, dense}) {
                Ciphertext[] a = l.forward(in, one);
                Ciphertext[] b = l.forward(in, wide);
                assertEquals(a.length, b.length);
                for (int o = 0; o < a.length; o++) {
                    for (int p = 0; p < 2; p++) {
                        for (int i = 0; i < a[o].part(p).limbCount(); i++) {
                            org.junit.jupiter.api.Assertions.assertArrayEquals(a[o].part(p).limb(i), b[o].part(p).limb(i),
                                    l.describe() + " output " + o);
                        }
                    }
                }
            }
        } finally {
            many.shutdown();
        }
    }

    /** @return a [rows][cols] matrix of integers in [-2, 2] (mostly +-1) */
    private static double[][] integers(Random r, int rows, int cols) {
        double[][] w = new double[rows][cols];
        for (double[] row : w) {
            for (int i = 0; i < cols; i++) {
                int v = r.nextInt(10);
                row[i] = v < 4 ? 1 : v < 8 ? -1 : v == 8 ? 2 : 0;
            }
        }
        return w;
    }

    /**
     * Layers whose weights are all small integers (0, +-1, 2: sums and differences) are planned at scale 1, with no
     * rescale (nGraph-HE2's cheap 1 and -1: no scale growth, no level): dense -> integer dense -> dense takes two
     * levels, not three. Right after an unrescaled square the integer layer rescales as any other (complex packing's
     * factor 4 needs weights at q_l / 4), also inside a residual branch, whose alignment then works. All run encrypted
     * within the usual bound, for both packings, with values large enough that a stray factor 4 would show; a real
     * weight next to the integers brings the rescale back. Real factors cannot be folded into an integer plan.
     */
    @Test
    void integerWeightLayersConsumeNoLevel() {
        Random r = new Random(78);
        Sequential chain = Sequential.builder()
                .add(LinearLayer.dense(Harness.matrix(r, 6, 5, 0.6), Harness.vector(r, 6, 0.1)))
                .add(LinearLayer.dense(integers(r, 6, 6), Harness.vector(r, 6, 0.3)))
                .add(LinearLayer.dense(Harness.matrix(r, 4, 6, 0.5), Harness.vector(r, 4, 0.1)))
                .build();
        assertEquals(2, chain.depth(), chain.describe());
        LinearLayer planned = (LinearLayer) chain.layers().get(1);
        assertTrue(planned.integerPlan() && planned.rescales() == 0, planned.describe());
        assertThrows(IllegalStateException.class, () -> planned.scaled(new double[] {1, 2, 3, 4, 5, 6}, null));
        double[][] almost = integers(r, 6, 6);
        almost[2][3] = 0.5;
        assertEquals(3, Sequential.builder().add(LinearLayer.dense(Harness.matrix(r, 6, 5, 0.4), null))
                .add(LinearLayer.dense(almost, null)).add(LinearLayer.dense(Harness.matrix(r, 4, 6, 0.5), null))
                .build().depth(), "one real weight: the layer rescales");

        Sequential afterSquare = Sequential.builder()
                .add(LinearLayer.dense(Harness.matrix(r, 6, 5, 0.8), Harness.vector(r, 6, 0.1)))
                .square()
                .add(LinearLayer.dense(integers(r, 6, 6), null))
                .residual(Sequential.builder().add(LinearLayer.dense(integers(r, 6, 6), null)))
                .add(LinearLayer.dense(Harness.matrix(r, 3, 6, 0.3), Harness.vector(r, 3, 0.1)))
                .build();
        LinearLayer mid = (LinearLayer) afterSquare.layers().get(2);
        assertTrue(!mid.integerPlan() && mid.rescales() == 2, mid.describe());
        // a residual right after a square with an integer branch: the branch rescales as any other, and the identity
        // branch (the square's product) is aligned to it
        Sequential branchAfterSquare = Sequential.builder()
                .add(LinearLayer.dense(Harness.matrix(r, 6, 5, 0.8), Harness.vector(r, 6, 0.1)))
                .square()
                .residual(Sequential.builder().add(LinearLayer.dense(integers(r, 6, 6), null)))
                .add(LinearLayer.dense(Harness.matrix(r, 3, 6, 0.3), Harness.vector(r, 3, 0.1)))
                .build();

        for (Packing packing : new Packing[] {Packing.REAL, Packing.COMPLEX}) {
            Harness h = new Harness(packing, Harness.POOL, afterSquare.depth() + 1);
            for (Sequential net : new Sequential[] {chain, afterSquare, branchAfterSquare}) {
                double[][] images = h.images(new Random(79), 5, -2, 2);
                Ciphertext[] out = net.forward(h.encrypt(images), h.rt);
                assertEquals(h.params.maxLevel() - net.depth(), out[0].level());
                double err = h.maxError(net::forward, images, out);
                assertTrue(err < 1e-3 * Math.max(1, maxAbs(net, images)), packing + " " + net.describe()
                        + ": max error " + err);
            }
        }
    }

    /** @return the largest |output| of the plaintext network on the images */
    private static double maxAbs(Sequential net, double[][] images) {
        double m = 0;
        for (double[] im : images) {
            for (double v : net.forward(im)) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }
}
