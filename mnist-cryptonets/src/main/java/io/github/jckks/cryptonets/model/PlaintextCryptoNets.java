package io.github.jckks.cryptonets.model;

import static io.github.jckks.cryptonets.model.CryptoNetsShape.CLASSES;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.CONV_AREA;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.CONV_FEATURES;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.CONV_SIDE;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.HIDDEN;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.INPUT_PIXELS;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.INPUT_SIDE;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.KERNEL;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.KERNEL_AREA;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.MAPS;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.STRIDE;

import io.github.jckks.cryptonets.data.MnistDataset;

/**
 * The plaintext CryptoNets forward pass in double precision, the reference for encrypted
 * inference: pad 28x28 to 29x29 (zero row at the bottom, zero column at the right), conv 5x5
 * stride 2 into 5 maps of 13x13 flattened map-major (see {@link CryptoNetsShape}), activation,
 * dense 845 -> 100, activation, dense 100 -> 10, argmax.
 *
 * <p>An instance owns its scratch buffers (no allocation per image) and is therefore not
 * thread-safe. It also records the largest absolute value seen at each {@link Stage}, to size
 * CKKS scales.
 */
public final class PlaintextCryptoNets {

    /** Points of the forward pass whose magnitudes are tracked. */
    public enum Stage {
        /** Input pixels. */
        INPUT,
        /** Conv output before the activation. */
        CONV,
        /** Conv output after the activation. */
        CONV_ACTIVATED,
        /** Dense1 output before the activation. */
        DENSE1,
        /** Dense1 output after the activation. */
        DENSE1_ACTIVATED,
        /** Dense2 output (logits). */
        LOGITS
    }

    /** Accuracy and magnitudes of an evaluation over a dataset. */
    public record Evaluation(int correct, int total, double[] maxAbs) {
        /** Fraction of correctly classified images. */
        public double accuracy() {
            return total == 0 ? 0.0 : (double) correct / total;
        }

        /** Largest absolute value seen at {@code stage}. */
        public double maxAbs(Stage stage) {
            return maxAbs[stage.ordinal()];
        }
    }

    private final CryptoNetsWeights w;
    private final Activation activation;
    private final double[] conv = new double[CONV_FEATURES];
    private final double[] hidden = new double[HIDDEN];
    private final double[] logits = new double[CLASSES];
    private final double[] image = new double[INPUT_PIXELS];
    private final double[] maxAbs = new double[Stage.values().length];

    /** A forward pass over the given weights. */
    public PlaintextCryptoNets(CryptoNetsWeights weights) {
        this.w = weights;
        this.activation = weights.activation();
    }

    /**
     * Runs the network on one image (784 values, row-major, normally {@code pixel / 255}) and
     * returns the predicted class; the logits are then available from {@link #logits(double[])}.
     */
    public int predict(double[] input) {
        if (input.length != INPUT_PIXELS) {
            throw new IllegalArgumentException("image must have " + INPUT_PIXELS + " values, got " + input.length);
        }
        track(Stage.INPUT, input, INPUT_PIXELS);
        convolve(input);
        track(Stage.CONV, conv, CONV_FEATURES);
        activate(conv, CONV_FEATURES);
        track(Stage.CONV_ACTIVATED, conv, CONV_FEATURES);
        dense(w.dense1, w.dense1Bias, conv, CONV_FEATURES, hidden, HIDDEN);
        track(Stage.DENSE1, hidden, HIDDEN);
        activate(hidden, HIDDEN);
        track(Stage.DENSE1_ACTIVATED, hidden, HIDDEN);
        dense(w.dense2, w.dense2Bias, hidden, HIDDEN, logits, CLASSES);
        track(Stage.LOGITS, logits, CLASSES);
        int best = 0;
        for (int k = 1; k < CLASSES; k++) {
            if (logits[k] > logits[best]) {
                best = k;
            }
        }
        return best;
    }

    /** Copies the logits of the last {@link #predict} into {@code out} (length 10) and returns it. */
    public double[] logits(double[] out) {
        System.arraycopy(logits, 0, out, 0, CLASSES);
        return out;
    }

    /** Copies the activated conv features (845, map-major) of the last {@link #predict} into {@code out}. */
    public double[] convFeatures(double[] out) {
        System.arraycopy(conv, 0, out, 0, CONV_FEATURES);
        return out;
    }

    /** Largest absolute value seen at {@code stage} since construction or {@link #resetMagnitudes()}. */
    public double maxAbs(Stage stage) {
        return maxAbs[stage.ordinal()];
    }

    /** Forgets the tracked magnitudes. */
    public void resetMagnitudes() {
        java.util.Arrays.fill(maxAbs, 0.0);
    }

    /** Classifies every image of {@code data} and returns the accuracy and the magnitudes seen. */
    public Evaluation evaluate(MnistDataset data) {
        resetMagnitudes();
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            data.imageInto(i, image, 0);
            if (predict(image) == data.label(i)) {
                correct++;
            }
        }
        return new Evaluation(correct, data.size(), maxAbs.clone());
    }

    private void convolve(double[] in) {
        for (int m = 0; m < MAPS; m++) {
            int kBase = m * KERNEL_AREA;
            double bias = w.convBias[m];
            for (int r = 0; r < CONV_SIDE; r++) {
                for (int c = 0; c < CONV_SIDE; c++) {
                    double sum = bias;
                    for (int i = 0; i < KERNEL; i++) {
                        int y = r * STRIDE + i;
                        if (y >= INPUT_SIDE) {
                            continue; // the zero padding row
                        }
                        for (int j = 0; j < KERNEL; j++) {
                            int x = c * STRIDE + j;
                            if (x < INPUT_SIDE) { // else the zero padding column
                                sum += w.conv[kBase + i * KERNEL + j] * in[y * INPUT_SIDE + x];
                            }
                        }
                    }
                    conv[m * CONV_AREA + r * CONV_SIDE + c] = sum;
                }
            }
        }
    }

    private void activate(double[] v, int n) {
        for (int i = 0; i < n; i++) {
            v[i] = activation.apply(v[i]);
        }
    }

    private static void dense(double[] weights, double[] bias, double[] in, int nIn, double[] out, int nOut) {
        for (int o = 0; o < nOut; o++) {
            int base = o * nIn;
            double sum = bias[o];
            for (int i = 0; i < nIn; i++) {
                sum += weights[base + i] * in[i];
            }
            out[o] = sum;
        }
    }

    private void track(Stage stage, double[] v, int n) {
        double m = maxAbs[stage.ordinal()];
        for (int i = 0; i < n; i++) {
            m = Math.max(m, Math.abs(v[i]));
        }
        maxAbs[stage.ordinal()] = m;
    }
}
