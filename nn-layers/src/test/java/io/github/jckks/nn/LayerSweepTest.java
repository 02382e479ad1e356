package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layer space of he-transformer's op tests, swept: every configuration below runs encrypted (batch-axis
 * packing, one ciphertext per element, N = 2048, a 30-bit prime then 24-bit ones, scale 2^24) with real and with
 * complex packing, and is compared image by image with the layer's plaintext reference: max |error| &lt;
 * {@value #BOUND} on inputs in [-1, 1] ({@value #COMPLEX_BOUND} with complex packing, whose errors are larger and
 * heavy-tailed: the square then dense 6 -&gt; 6 case measured median 3.1e-4 and max 6.2e-4 over 306 runs, real packing
 * 1.8-2.5e-5). The weights alternate between three classes that take different code
 * paths: random reals, small integers in [-2, 2] (summed like any weight), and half-zero random reals (zeros kept:
 * only layers with at least 3/4 zeros drop them). Each case also checks the output size and the levels consumed.
 *
 * <ul>
 * <li>Conv2D: 1 or 3 channels, 5x5 or 6x7 inputs, 1x1, 2x2 or 3x3 kernels, stride 1 or 2, no, symmetric or
 * asymmetric zero padding, groups 1 or depthwise (groups = channels, one operation); 2 maps per group.</li>
 * <li>Dense: 1, 7 or 33 inputs, 1 or 5 outputs, with and without bias.</li>
 * <li>AvgPool 2x2 / 3x3, stride 1 / 2, padding 0 / 1, on 1 or 2 channels; GlobalAvgPool.</li>
 * <li>Conv and dense with batch norm folded in; square, quadratic and cubic activations; small planned
 * networks mixing them.</li>
 * </ul>
 */
class LayerSweepTest {
    static final double BOUND = 1e-3;
    static final double COMPLEX_BOUND = 2e-3;
    private static final Map<String, Harness> HARNESSES = new ConcurrentHashMap<>();

    private static Harness harness(Packing packing, int levels) {
        return HARNESSES.computeIfAbsent(packing + "/" + levels, k -> new Harness(packing, Harness.POOL, levels));
    }

    /** A configuration: its description, the network (planned, so every layer has its level), its input size. */
    record Case(String name, Supplier<Sequential> net) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        int seq = 0;
        // Conv2D
        for (int c : new int[] {1, 3}) {
            for (int[] hw : new int[][] {{5, 5}, {6, 7}}) {
                for (int k = 1; k <= 3; k++) {
                    for (int stride = 1; stride <= 2; stride++) {
                        for (int[] pad : new int[][] {{0, 0, 0, 0}, {1, 1, 1, 1}, {0, 1, 1, 0}}) {
                            for (int groups : c == 1 ? new int[] {1} : new int[] {1, c}) {
                                int s = seq++;
                                int cls = s % 3;
                                int maps = 2 * groups;
                                final int kk = k;
                                final int st = stride;
                                String name = String.format("conv %dx%dx%d k%d s%d pad(%d,%d,%d,%d) g%d w%s", c, hw[0], hw[1],
                                        k, stride, pad[0], pad[1], pad[2], pad[3], groups, CLASSES[cls]);
                                cases.add(new Case(name, () -> {
                                    Random r = new Random(1000 + s);
                                    double[][][][] w = new double[maps][c / groups][kk][kk];
                                    for (double[][][] a : w) {
                                        for (double[][] b : a) {
                                            for (double[] row : b) {
                                                fill(r, row, cls, 1.0 / Math.sqrt(kk * kk * c / groups));
                                            }
                                        }
                                    }
                                    double[] bias = Harness.vector(r, maps, 0.1);
                                    return Sequential.builder().add(LinearLayer.conv2d(c, hw[0], hw[1], w, bias, st,
                                            pad[0], pad[1], pad[2], pad[3], groups)).build();
                                }));
                            }
                        }
                    }
                }
            }
        }
        // Dense
        for (int in : new int[] {1, 7, 33}) {
            for (int out : new int[] {1, 5}) {
                for (int cls = 0; cls < 3; cls++) {
                    for (boolean withBias : new boolean[] {false, true}) {
                        int s = seq++;
                        int cl = cls;
                        cases.add(new Case(String.format("dense %d->%d w%s%s", in, out, CLASSES[cls], withBias ? " +bias" : ""), () -> {
                            Random r = new Random(1000 + s);
                            double[][] w = new double[out][in];
                            for (double[] row : w) {
                                fill(r, row, cl, 1.0 / Math.sqrt(in));
                            }
                            return Sequential.builder().add(LinearLayer.dense(w, withBias ? Harness.vector(r, out, 0.1) : null)).build();
                        }));
                    }
                }
            }
        }
        // pools
        for (int c : new int[] {1, 2}) {
            for (int[] hw : new int[][] {{6, 6}, {7, 5}}) {
                for (int k = 2; k <= 3; k++) {
                    for (int stride = 1; stride <= 2; stride++) {
                        for (int pad = 0; pad <= 1; pad++) {
                            int kk = k;
                            int st = stride;
                            int p = pad;
                            cases.add(new Case(String.format("avgpool %dx%dx%d k%d s%d pad%d", c, hw[0], hw[1], k, stride, pad),
                                    () -> Sequential.builder().add(LinearLayer.avgPool2d(c, hw[0], hw[1], kk, st, p, p, p, p)).build()));
                        }
                    }
                }
            }
            for (int[] hw : new int[][] {{4, 4}, {3, 5}}) {
                cases.add(new Case(String.format("globalavgpool %dx%dx%d", c, hw[0], hw[1]),
                        () -> Sequential.builder().add(LinearLayer.globalAvgPool(c, hw[0], hw[1])).build()));
            }
        }
        // batch norm folded into conv and dense
        cases.add(new Case("conv 2x5x5 k3 + folded batch norm", () -> {
            Random r = new Random(7);
            LinearLayer conv = LinearLayer.conv2d(2, 5, 5, Harness.kernel(r, 3, 2, 3, 0.3), Harness.vector(r, 3, 0.1), 1, 1, 1, 1, 1, 1);
            return Sequential.builder().add(conv.foldBatchNorm(new double[] {1.5, 0.5, -1}, new double[] {0.1, 0, -0.2},
                    new double[] {0.2, -0.1, 0}, new double[] {0.9, 1.2, 4}, 1e-5)).build();
        }));
        cases.add(new Case("dense 9->4 + folded batch norm", () -> {
            Random r = new Random(8);
            LinearLayer dense = LinearLayer.dense(Harness.matrix(r, 4, 9, 0.3), Harness.vector(r, 4, 0.1));
            return Sequential.builder().add(dense.foldBatchNorm(new double[] {1, 2, 0.5, -1}, new double[] {0, 0.1, 0.2, 0.3},
                    new double[] {0.1, 0.1, -0.1, 0}, new double[] {1, 0.5, 2, 1}, 1e-5)).build();
        }));
        // activations and small networks
        cases.add(new Case("square -> dense 6->6", () -> {
            Random r = new Random(12);
            return Sequential.builder(6).square().add(LinearLayer.dense(Harness.matrix(r, 6, 6, 0.4), null)).build();
        }));
        cases.add(new Case("quadratic 0.25 + 0.5x + 0.125x^2", () -> Sequential.builder().add(new PolynomialActivation(6, 0.25, 0.5, 0.125)).build()));
        cases.add(new Case("cubic", () -> Sequential.builder().add(PolynomialActivation.cubic(6, 0.1, 0.6, 0.2, -0.15)).build()));
        cases.add(new Case("conv -> square -> dense", () -> {
            Random r = new Random(9);
            return Sequential.builder().add(LinearLayer.conv2d(1, 6, 6, Harness.kernel(r, 2, 1, 3, 0.3), Harness.vector(r, 2, 0.1), 2, 0, 0, 1, 1, 1))
                    .square().add(LinearLayer.dense(Harness.matrix(r, 3, 18, 0.3), Harness.vector(r, 3, 0.1))).build();
        }));
        cases.add(new Case("dense -> cubic -> dense", () -> {
            Random r = new Random(10);
            return Sequential.builder().add(LinearLayer.dense(Harness.matrix(r, 5, 8, 0.3), null))
                    .add(PolynomialActivation.cubic(5, 0, 1, 0, -0.2)).add(LinearLayer.dense(Harness.matrix(r, 2, 5, 0.5), Harness.vector(r, 2, 0.1))).build();
        }));
        cases.add(new Case("conv -> avgpool -> square -> dense", () -> {
            Random r = new Random(11);
            return Sequential.builder().add(LinearLayer.conv2d(2, 6, 6, Harness.kernel(r, 2, 2, 3, 0.3), null, 1, 1, 1, 1, 1, 1))
                    .add(LinearLayer.avgPool2d(2, 6, 6, 2, 2, 0, 0, 0, 0)).square()
                    .add(LinearLayer.dense(Harness.matrix(r, 4, 18, 0.3), Harness.vector(r, 4, 0.1))).build();
        }));
        List<Arguments> args = new ArrayList<>();
        for (Case c : cases) {
            for (Packing p : new Packing[] {Packing.REAL, Packing.COMPLEX}) {
                args.add(Arguments.of(p, c));
            }
        }
        return args.stream();
    }

    private static final String[] CLASSES = {"random", "int", "sparse"};

    private static void fill(Random r, double[] row, int cls, double scale) {
        for (int i = 0; i < row.length; i++) {
            row[i] = switch (cls) {
                case 0 -> (r.nextDouble() * 2 - 1) * scale;
                case 1 -> r.nextInt(5) - 2;
                default -> r.nextBoolean() ? 0 : (r.nextDouble() * 2 - 1) * scale;
            };
        }
    }

    @ParameterizedTest(name = "{1}, {0}")
    @MethodSource("cases")
    void encryptedMatchesPlaintext(Packing packing, Case c) {
        Sequential net = c.net().get();
        // one level more than the plan needs: a product's output is decrypted unrescaled (scale 2^48 here), which
        // needs more than the 30-bit q0 of this small chain
        Harness h = harness(packing, net.depth() + 1);
        double[][] images = h.images(new Random(c.name().hashCode()), net.inputSize(), -1, 1);
        Ciphertext[] out = net.forward(h.encrypt(images), h.rt);
        assertEquals(net.outputSize(), out.length, c + ": output elements");
        assertEquals(h.params.maxLevel() - net.depth(), out[0].level(), c + ": levels consumed");
        double err = h.maxError(net::forward, images, out);
        double bound = packing == Packing.COMPLEX ? COMPLEX_BOUND : BOUND;
        assertTrue(err < bound, c + ", " + packing + ": encrypted vs plaintext max error " + err + " (bound " + bound + ")");
    }
}
