package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    }

    @Test
    void badGeometryIsRejectedWithAMessage() {
        assertThrows(IllegalArgumentException.class, () -> LinearLayer.conv2d(3, 4, 4, new double[2][3][3][3], null,
                1, 0, 0, 0, 0, 2), "groups must divide channels and maps");
        assertThrows(IllegalArgumentException.class, () -> LinearLayer.conv2d(1, 2, 2, new double[1][1][3][3], null,
                1, 0, 0, 0, 0, 1), "kernel larger than the input");
        assertThrows(IllegalArgumentException.class, () -> LinearLayer.dense(new double[][] {{1, 2}, {3}}, new double[2]));
    }
}
