package io.github.jckks.cryptonets.train;

import static io.github.jckks.cryptonets.model.CryptoNetsShape.CLASSES;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.CONV_AREA;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.CONV_FEATURES;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.CONV_SIDE;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.HIDDEN;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.INPUT_SIDE;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.KERNEL;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.KERNEL_AREA;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.MAPS;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.PADDED_SIDE;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.STRIDE;
import static io.github.jckks.cryptonets.train.ParameterLayout.CONV_B;
import static io.github.jckks.cryptonets.train.ParameterLayout.CONV_W;
import static io.github.jckks.cryptonets.train.ParameterLayout.D1_B;
import static io.github.jckks.cryptonets.train.ParameterLayout.D1_W;
import static io.github.jckks.cryptonets.train.ParameterLayout.D2_B;
import static io.github.jckks.cryptonets.train.ParameterLayout.D2_W;

import io.github.jckks.cryptonets.model.Activation;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Computes the summed softmax cross-entropy gradient of the CryptoNets network over one shard of
 * a mini-batch (up to {@code capacity} images), processing the shard layer by layer so each weight
 * row is reused across the shard while it is in cache. Owns all its buffers; one instance per shard.
 */
final class ShardGradient implements Callable<ShardGradient> {

    private static final int PADDED_AREA = PADDED_SIDE * PADDED_SIDE;

    private final int capacity;
    private final Activation act;
    private final byte[] pixels;
    private final byte[] labels;
    private final double[] x;   // [b][29*29] padded, shifted input
    private final double[] z1;  // [b][845] conv pre-activation
    private final double[] a1;  // [b][845] conv activation
    private final double[] da1; // [b][845] gradient wrt a1, then z1
    private final double[] z2;  // [b][100]
    private final double[] a2;  // [b][100]
    private final double[] d2;  // [b][100]
    private final double[] d3;  // [b][10]
    private final int[] label;
    /** The summed gradient of the last shard. */
    final double[] grad = new double[ParameterLayout.SIZE];

    // inputs of the next call(), set by the trainer before each mini-batch
    private double[] params;
    private int[] order;
    private int[] shifts;
    private int from;
    private int count;
    /** Summed loss of the last shard. */
    double loss;
    /** Correctly classified images of the last shard. */
    int correct;

    ShardGradient(int capacity, Activation act, byte[] pixels, byte[] labels) {
        this.capacity = capacity;
        this.act = act;
        this.pixels = pixels;
        this.labels = labels;
        x = new double[capacity * PADDED_AREA];
        z1 = new double[capacity * CONV_FEATURES];
        a1 = new double[capacity * CONV_FEATURES];
        da1 = new double[capacity * CONV_FEATURES];
        z2 = new double[capacity * HIDDEN];
        a2 = new double[capacity * HIDDEN];
        d2 = new double[capacity * HIDDEN];
        d3 = new double[capacity * CLASSES];
        label = new int[capacity];
    }

    /**
     * Sets the next shard: images {@code order[from .. from+count)}, shifted by
     * {@code shifts[2k], shifts[2k+1]} (dx, dy) for position {@code k} of the shard.
     */
    void prepare(double[] params, int[] order, int from, int count, int[] shifts) {
        if (count > capacity) {
            throw new IllegalArgumentException("shard of " + count + " exceeds capacity " + capacity);
        }
        this.params = params;
        this.order = order;
        this.from = from;
        this.count = count;
        this.shifts = shifts;
    }

    @Override
    public ShardGradient call() {
        Arrays.fill(grad, 0.0);
        loss = 0;
        correct = 0;
        if (count == 0) {
            return this;
        }
        load();
        convForward();
        dense1Forward();
        dense2ForwardBackward();
        dense1Backward();
        convBackward();
        return this;
    }

    private void load() {
        Arrays.fill(x, 0, count * PADDED_AREA, 0.0);
        for (int b = 0; b < count; b++) {
            int img = order[from + b];
            label[b] = labels[img];
            int dx = shifts[2 * b];
            int dy = shifts[2 * b + 1];
            int src = img * INPUT_SIDE * INPUT_SIDE;
            int dst = b * PADDED_AREA;
            for (int y = 0; y < INPUT_SIDE; y++) {
                int sy = y - dy;
                if (sy < 0 || sy >= INPUT_SIDE) {
                    continue;
                }
                for (int xx = 0; xx < INPUT_SIDE; xx++) {
                    int sx = xx - dx;
                    if (sx >= 0 && sx < INPUT_SIDE) {
                        x[dst + y * PADDED_SIDE + xx] = (pixels[src + sy * INPUT_SIDE + sx] & 0xff) / 255.0;
                    }
                }
            }
        }
    }

    private void convForward() {
        for (int b = 0; b < count; b++) {
            int xb = b * PADDED_AREA;
            int zb = b * CONV_FEATURES;
            for (int m = 0; m < MAPS; m++) {
                int k = CONV_W + m * KERNEL_AREA;
                double bias = params[CONV_B + m];
                for (int r = 0; r < CONV_SIDE; r++) {
                    for (int c = 0; c < CONV_SIDE; c++) {
                        int base = xb + r * STRIDE * PADDED_SIDE + c * STRIDE;
                        double s = bias;
                        for (int i = 0; i < KERNEL; i++) {
                            int row = base + i * PADDED_SIDE;
                            int kr = k + i * KERNEL;
                            s += params[kr] * x[row] + params[kr + 1] * x[row + 1] + params[kr + 2] * x[row + 2]
                                    + params[kr + 3] * x[row + 3] + params[kr + 4] * x[row + 4];
                        }
                        int o = zb + m * CONV_AREA + r * CONV_SIDE + c;
                        z1[o] = s;
                        a1[o] = act.apply(s);
                    }
                }
            }
        }
    }

    private void dense1Forward() {
        for (int j = 0; j < HIDDEN; j++) {
            int w = D1_W + j * CONV_FEATURES;
            double bias = params[D1_B + j];
            for (int b = 0; b < count; b++) {
                double s = bias + dot(params, w, a1, b * CONV_FEATURES, CONV_FEATURES);
                z2[b * HIDDEN + j] = s;
                a2[b * HIDDEN + j] = act.apply(s);
            }
        }
    }

    private void dense2ForwardBackward() {
        for (int b = 0; b < count; b++) {
            int ob = b * CLASSES;
            double max = Double.NEGATIVE_INFINITY;
            int best = 0;
            for (int k = 0; k < CLASSES; k++) {
                double s = params[D2_B + k] + dot(params, D2_W + k * HIDDEN, a2, b * HIDDEN, HIDDEN);
                d3[ob + k] = s;
                if (s > max) {
                    max = s;
                    best = k;
                }
            }
            if (best == label[b]) {
                correct++;
            }
            double sum = 0;
            for (int k = 0; k < CLASSES; k++) {
                double e = Math.exp(d3[ob + k] - max);
                d3[ob + k] = e;
                sum += e;
            }
            for (int k = 0; k < CLASSES; k++) {
                d3[ob + k] /= sum;
            }
            loss -= Math.log(Math.max(d3[ob + label[b]], 1e-300));
            d3[ob + label[b]] -= 1.0;
            // dense2 gradients and d2 = (W2^T d3) * f'(z2)
            int hb = b * HIDDEN;
            for (int j = 0; j < HIDDEN; j++) {
                d2[hb + j] = 0.0;
            }
            for (int k = 0; k < CLASSES; k++) {
                double g = d3[ob + k];
                grad[D2_B + k] += g;
                int w = D2_W + k * HIDDEN;
                for (int j = 0; j < HIDDEN; j++) {
                    grad[w + j] += g * a2[hb + j];
                    d2[hb + j] += g * params[w + j];
                }
            }
            for (int j = 0; j < HIDDEN; j++) {
                d2[hb + j] *= act.derivative(z2[hb + j]);
            }
        }
    }

    private void dense1Backward() {
        Arrays.fill(da1, 0, count * CONV_FEATURES, 0.0);
        for (int j = 0; j < HIDDEN; j++) {
            int w = D1_W + j * CONV_FEATURES;
            double gb = 0;
            for (int b = 0; b < count; b++) {
                double g = d2[b * HIDDEN + j];
                if (g == 0.0) {
                    continue;
                }
                gb += g;
                int ab = b * CONV_FEATURES;
                for (int i = 0; i < CONV_FEATURES; i++) {
                    grad[w + i] += g * a1[ab + i];
                }
                for (int i = 0; i < CONV_FEATURES; i++) {
                    da1[ab + i] += g * params[w + i];
                }
            }
            grad[D1_B + j] += gb;
        }
        for (int i = 0, n = count * CONV_FEATURES; i < n; i++) {
            da1[i] *= act.derivative(z1[i]);
        }
    }

    private void convBackward() {
        for (int b = 0; b < count; b++) {
            int xb = b * PADDED_AREA;
            int zb = b * CONV_FEATURES;
            for (int m = 0; m < MAPS; m++) {
                int k = CONV_W + m * KERNEL_AREA;
                double gb = 0;
                for (int r = 0; r < CONV_SIDE; r++) {
                    for (int c = 0; c < CONV_SIDE; c++) {
                        double g = da1[zb + m * CONV_AREA + r * CONV_SIDE + c];
                        gb += g;
                        int base = xb + r * STRIDE * PADDED_SIDE + c * STRIDE;
                        for (int i = 0; i < KERNEL; i++) {
                            int row = base + i * PADDED_SIDE;
                            int kr = k + i * KERNEL;
                            for (int jj = 0; jj < KERNEL; jj++) {
                                grad[kr + jj] += g * x[row + jj];
                            }
                        }
                    }
                }
                grad[CONV_B + m] += gb;
            }
        }
    }

    /** Dot product with four independent accumulators (breaks the floating-point add chain). */
    private static double dot(double[] a, int aOff, double[] b, int bOff, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
