package io.github.jckks.cryptonets.model;

import static io.github.jckks.cryptonets.model.CryptoNetsShape.CLASSES;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.CONV_FEATURES;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.HIDDEN;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.KERNEL;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.KERNEL_AREA;
import static io.github.jckks.cryptonets.model.CryptoNetsShape.MAPS;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The immutable parameters of the CryptoNets network (shapes in {@link CryptoNetsShape}): conv
 * kernels {@code [5 maps][5][5]} with 5 biases, dense1 {@code [100][845]} with 100 biases, dense2
 * {@code [10][100]} with 10 biases, and the {@link Activation} used after the conv and dense1
 * layers. Accessors return copies; the weight file format is described in {@link WeightFile}.
 */
public final class CryptoNetsWeights {

    private final Activation activation;
    final double[] conv;     // [map][row][col] flat, 125
    final double[] convBias; // 5
    final double[] dense1;   // [out][in] flat, 100 * 845
    final double[] dense1Bias;
    final double[] dense2;   // [out][in] flat, 10 * 100
    final double[] dense2Bias;

    private CryptoNetsWeights(Activation activation, double[] conv, double[] convBias, double[] dense1,
                              double[] dense1Bias, double[] dense2, double[] dense2Bias) {
        this.activation = activation;
        this.conv = conv;
        this.convBias = convBias;
        this.dense1 = dense1;
        this.dense1Bias = dense1Bias;
        this.dense2 = dense2;
        this.dense2Bias = dense2Bias;
    }

    /**
     * Builds weights from flat row-major arrays (copied): conv {@code [m*25 + r*5 + c]}, dense1
     * {@code [out*845 + in]}, dense2 {@code [out*100 + in]}.
     *
     * @throws IllegalArgumentException if an array has the wrong length or a non-finite value
     */
    public static CryptoNetsWeights of(Activation activation, double[] conv, double[] convBias, double[] dense1,
                                       double[] dense1Bias, double[] dense2, double[] dense2Bias) {
        if (activation == null) {
            throw new IllegalArgumentException("activation is null");
        }
        return new CryptoNetsWeights(activation,
                checked("conv kernel", conv, MAPS * KERNEL_AREA),
                checked("conv bias", convBias, MAPS),
                checked("dense1 weights", dense1, HIDDEN * CONV_FEATURES),
                checked("dense1 bias", dense1Bias, HIDDEN),
                checked("dense2 weights", dense2, CLASSES * HIDDEN),
                checked("dense2 bias", dense2Bias, CLASSES));
    }

    private static double[] checked(String what, double[] values, int length) {
        if (values == null || values.length != length) {
            throw new IllegalArgumentException(what + " must have " + length + " values, got "
                    + (values == null ? "null" : values.length));
        }
        for (int i = 0; i < length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(what + "[" + i + "] is not finite: " + values[i]);
            }
        }
        return values.clone();
    }

    /** Resource path of the bundled weights for an activation. */
    public static String bundledResource(Activation activation) {
        return "/io/github/jckks/cryptonets/cryptonets-" + activation.fileTag() + ".bin";
    }

    /**
     * Loads the trained weights shipped in this module's resources.
     *
     * @throws WeightFormatException if the resource is missing or malformed
     */
    public static CryptoNetsWeights loadBundled(Activation activation) {
        String resource = bundledResource(activation);
        try (InputStream in = CryptoNetsWeights.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new WeightFormatException("bundled weight resource " + resource + " not found on the classpath");
            }
            CryptoNetsWeights w = WeightFile.read(in, resource);
            if (w.activation != activation) {
                throw new WeightFormatException(resource + ": holds " + w.activation + " weights, expected " + activation);
            }
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** Reads a weight file; see {@link WeightFile}. */
    public static CryptoNetsWeights load(Path file) {
        return WeightFile.read(file);
    }

    /** The activation after the conv and dense1 layers. */
    public Activation activation() {
        return activation;
    }

    /** Conv kernel weight of {@code map} at kernel position {@code (row, col)}. */
    public double convKernel(int map, int row, int col) {
        return conv[map * KERNEL_AREA + row * KERNEL + col];
    }

    /** Conv bias of {@code map}. */
    public double convBias(int map) {
        return convBias[map];
    }

    /** Dense1 weight from flattened conv feature {@code in} (see {@link CryptoNetsShape}) to hidden unit {@code out}. */
    public double dense1(int out, int in) {
        return dense1[out * CONV_FEATURES + in];
    }

    /** Dense1 bias of hidden unit {@code out}. */
    public double dense1Bias(int out) {
        return dense1Bias[out];
    }

    /** Dense2 weight from hidden unit {@code in} to class {@code out}. */
    public double dense2(int out, int in) {
        return dense2[out * HIDDEN + in];
    }

    /** Dense2 bias of class {@code out}. */
    public double dense2Bias(int out) {
        return dense2Bias[out];
    }

    /** A copy of the conv kernels as {@code [map][row][col]}. */
    public double[][][] convKernels() {
        double[][][] k = new double[MAPS][KERNEL][KERNEL];
        for (int m = 0; m < MAPS; m++) {
            for (int r = 0; r < KERNEL; r++) {
                System.arraycopy(conv, m * KERNEL_AREA + r * KERNEL, k[m][r], 0, KERNEL);
            }
        }
        return k;
    }

    /** A copy of the conv biases. */
    public double[] convBiases() {
        return convBias.clone();
    }

    /** A copy of the dense1 weights as {@code [100][845]}. */
    public double[][] dense1Weights() {
        return rows(dense1, HIDDEN, CONV_FEATURES);
    }

    /** A copy of the dense1 biases. */
    public double[] dense1Biases() {
        return dense1Bias.clone();
    }

    /** A copy of the dense2 weights as {@code [10][100]}. */
    public double[][] dense2Weights() {
        return rows(dense2, CLASSES, HIDDEN);
    }

    /** A copy of the dense2 biases. */
    public double[] dense2Biases() {
        return dense2Bias.clone();
    }

    /** All parameters in file order (conv, conv bias, dense1, dense1 bias, dense2, dense2 bias). */
    public double[] flatParameters() {
        double[] all = new double[CryptoNetsShape.PARAMETERS];
        int off = 0;
        for (double[] part : new double[][] {conv, convBias, dense1, dense1Bias, dense2, dense2Bias}) {
            System.arraycopy(part, 0, all, off, part.length);
            off += part.length;
        }
        return all;
    }

    /** Weights from parameters in {@link #flatParameters()} order. */
    public static CryptoNetsWeights fromFlat(Activation activation, double[] all) {
        if (all.length != CryptoNetsShape.PARAMETERS) {
            throw new IllegalArgumentException("expected " + CryptoNetsShape.PARAMETERS + " parameters, got " + all.length);
        }
        int[] sizes = {MAPS * KERNEL_AREA, MAPS, HIDDEN * CONV_FEATURES, HIDDEN, CLASSES * HIDDEN, CLASSES};
        double[][] parts = new double[sizes.length][];
        int off = 0;
        for (int i = 0; i < sizes.length; i++) {
            parts[i] = java.util.Arrays.copyOfRange(all, off, off + sizes[i]);
            off += sizes[i];
        }
        return of(activation, parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
    }

    private static double[][] rows(double[] flat, int rows, int cols) {
        double[][] out = new double[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = java.util.Arrays.copyOfRange(flat, r * cols, (r + 1) * cols);
        }
        return out;
    }
}
