package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CompactCiphertext;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.math.Modulus;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;
import java.util.function.Consumer;

/**
 * An affine map out[o] = &Sigma;<sub>t</sub> w[o][t] &middot; in[idx[o][t]] + b[o]: dense layers (every input) and
 * convolutions (the taps of each output) alike. See {@link #dense} and {@link #conv2d}.
 *
 * <p><b>Encrypted form</b> (batch-axis packing: every weight is a scalar shared by all images): each weight is
 * scalar-encoded at the scale q<sub>l</sub> of the input's last prime, products are accumulated unrescaled by
 * the {@link MacKernel} with lazy modular reduction (<b>lazy rescaling</b>), the bias is added at the product
 * scale, and the sums are rescaled once per pending factor ({@link #rescales()}: two after an unrescaled
 * square). Zero weights are skipped in pruned layers (at least 3/4 of the weights zero: the zero taps are dropped,
 * a dense layer becomes sparse); in others they take a multiply-accumulate each, which the kernels' tiles do
 * faster than a skipping layout. A weight of &plusmn;1 or another small integer takes the same fused
 * multiply-accumulate as any other (in the kernel's tile the product is one instruction per 4 slots; single
 * ciphertexts have the exact paths of {@code Evaluator.multiplyInteger}); what a layer of such weights saves is the
 * rescale: when every weight is an integer ({@link #hasIntegerWeights}) the level plan encodes them at scale 1, so
 * the output keeps the input's scale and the layer consumes no level ({@link #withIntegerPlan}). Work is split over (ciphertext part,
 * prime) pairs on the runtime's pool, and when the pool has more threads than pairs (a low level on a large
 * machine), over contiguous ranges of outputs too.
 * Inputs held in 32 bits ({@link CompactCiphertext}, e.g. ciphertexts as received) are summed in place, with the
 * same result bit for bit: the kernel reads half the bytes (the CryptoNets convolution with 24-bit primes takes
 * about 0.9x the time). Cost: (weights, nonzero ones in a pruned layer) &middot; parts &middot; N &middot; (l + 1) multiply-accumulates
 * plus the rescales.
 */
public final class LinearLayer implements Layer {
    private final int inputSize;
    private final int[][] idx;
    private final double[][] weights;
    private final double[] bias;
    private final boolean dense;
    private final int rescales;
    private final boolean relinearize;
    /** Planned with its weights encoded as integers (scale 1): no rescale of its own. */
    private final boolean integer;
    private final String description;

    private LinearLayer(int inputSize, int[][] idx, double[][] weights, double[] bias, boolean dense, int rescales,
                        boolean relinearize, String description) {
        this(inputSize, idx, weights, bias, dense, rescales, relinearize, false, description, true);
    }

    /** {@code validate} false: the indices come from a layer already checked (a scaled copy). */
    private LinearLayer(int inputSize, int[][] idx, double[][] weights, double[] bias, boolean dense, int rescales,
                        boolean relinearize, String description, boolean validate) {
        this(inputSize, idx, weights, bias, dense, rescales, relinearize, false, description, validate);
    }

    private LinearLayer(int inputSize, int[][] idx, double[][] weights, double[] bias, boolean dense, int rescales,
                        boolean relinearize, boolean integer, String description, boolean validate) {
        if (validate) {
            validate(inputSize, idx, weights, bias);
        }
        if (integer ? rescales < 0 || rescales > 1 : rescales < 1 || rescales > 2) {
            throw new IllegalArgumentException("rescales " + rescales + " must be " + (integer ? "0 or 1 for a layer of "
                    + "integer weights" : "1 or 2"));
        }
        if (integer && !integerWeights(weights)) {
            throw new IllegalArgumentException("an integer plan for weights that are not all integers of magnitude at "
                    + "most " + MAX_INTEGER_WEIGHT);
        }
        if (validate && zeroCount(weights) * 4L >= 3L * tapCount(idx)) {
            // zero weights skipped in a pruned layer (at least 3/4 of its weights zero): the zero taps are dropped and
            // a dense layer becomes sparse. Below that the kernels' tiles are faster with the zeros in: the dense
            // tile needs whole rows, and the sparse one groups the maps that share their index rows (measured: a dense
            // 845 -> 100 layer with half its weights zero took 1.4-1.7x as long sparse, one with 80% zeros 0.8x;
            // one zero tap in one map of a convolution, 1.08x)
            int[][] keptIdx = new int[idx.length][];
            double[][] keptW = new double[weights.length][];
            for (int o = 0; o < weights.length; o++) {
                int kept = 0;
                for (double w : weights[o]) {
                    kept += w != 0 ? 1 : 0;
                }
                keptIdx[o] = new int[kept];
                keptW[o] = new double[kept];
                for (int t = 0, k = 0; t < weights[o].length; t++) {
                    if (weights[o][t] != 0) {
                        keptIdx[o][k] = idx[o][t];
                        keptW[o][k++] = weights[o][t];
                    }
                }
            }
            idx = keptIdx;
            weights = keptW;
            dense = false;
        }
        this.inputSize = inputSize;
        this.idx = idx;
        this.weights = weights;
        this.bias = bias;
        this.dense = dense;
        this.rescales = rescales;
        this.relinearize = relinearize;
        this.integer = integer;
        this.description = description;
    }

    /** The largest |w| an integer-weight layer ({@link #hasIntegerWeights}) may have. */
    public static final long MAX_INTEGER_WEIGHT = 1L << 16;

    private static boolean integerWeights(double[][] weights) {
        for (double[] row : weights) {
            for (double w : row) {
                if (w != Math.rint(w) || Math.abs(w) > MAX_INTEGER_WEIGHT) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * @return whether every weight is an integer of magnitude at most {@value #MAX_INTEGER_WEIGHT} (0, &plusmn;1, small
     *         integers: sums and differences, binarized layers): the level plan then encodes them as integers
     *         (scale 1) and the layer needs no rescale of its own, as an integer product in
     *         {@code Evaluator.multiplyInteger} needs none (nGraph-HE2's cheap 1 and -1: no scale growth, no level)
     */
    public boolean hasIntegerWeights() {
        return integerWeights(weights);
    }

    /** @return whether the plan encodes the weights as integers (no rescale of the layer's own) */
    public boolean integerPlan() {
        return integer;
    }

    private static long tapCount(int[][] idx) {
        long t = 0;
        for (int[] row : idx) {
            t += row.length;
        }
        return t;
    }

    private static long zeroCount(double[][] weights) {
        long zeros = 0;
        for (double[] row : weights) {
            for (double w : row) {
                zeros += w == 0 ? 1 : 0;
            }
        }
        return zeros;
    }

    private static void validate(int inputSize, int[][] idx, double[][] weights, double[] bias) {
        if (bias.length != weights.length || idx.length != weights.length) {
            throw new IllegalArgumentException("weights, indices and bias disagree on the output count: "
                    + weights.length + ", " + idx.length + ", " + bias.length);
        }
        for (int o = 0; o < weights.length; o++) {
            if (idx[o].length != weights[o].length) {
                throw new IllegalArgumentException("output " + o + " has " + idx[o].length + " indices and "
                        + weights[o].length + " weights");
            }
            for (int i : idx[o]) {
                if (i < 0 || i >= inputSize) {
                    throw new IllegalArgumentException("output " + o + " reads input " + i + " outside [0, " + inputSize + ")");
                }
            }
            for (double w : weights[o]) {
                if (!Double.isFinite(w)) {
                    throw new IllegalArgumentException("output " + o + " has a non-finite weight");
                }
            }
        }
    }

    /**
     * A dense (fully connected) layer out = W in + b, PyTorch's {@code Linear} convention: W is [out][in]; b may
     * be null (no bias, {@code bias=False}).
     */
    public static LinearLayer dense(double[][] w, double[] b) {
        int in = w[0].length;
        int[][] idx = new int[w.length][];
        double[][] copy = new double[w.length][];
        for (int o = 0; o < w.length; o++) {
            if (w[o].length != in) {
                throw new IllegalArgumentException("dense weight row " + o + " has " + w[o].length + " entries, expected " + in);
            }
            idx[o] = new int[in];
            for (int j = 0; j < in; j++) {
                idx[o][j] = j;
            }
            copy[o] = w[o].clone();
        }
        if (b != null && b.length != w.length) {
            throw new IllegalArgumentException("dense bias has " + b.length + " entries, expected " + w.length);
        }
        return new LinearLayer(in, idx, copy, b == null ? new double[w.length] : b.clone(), true, 1, false,
                "Dense " + in + " -> " + w.length);
    }

    /**
     * A depthwise 2-D convolution (MobileNet's; PyTorch's {@code Conv2d} with {@code groups = in_channels}): one
     * kh x kw filter per channel, kernel [C][kh][kw], as one operation (nGraph-HE2 lowered it to thousands of
     * slices). The same as {@link #conv2d} with groups = C and one map per group.
     */
    public static LinearLayer depthwiseConv2d(int channels, int height, int width, double[][][] kernel, double[] bias,
                                              int stride, int padTop, int padLeft, int padBottom, int padRight) {
        if (kernel.length != channels) {
            throw new IllegalArgumentException("depthwise kernel has " + kernel.length + " filters for " + channels
                    + " channels");
        }
        double[][][][] k = new double[channels][1][][];
        for (int c = 0; c < channels; c++) {
            k[c][0] = kernel[c];
        }
        return conv2d(channels, height, width, k, bias, stride, padTop, padLeft, padBottom, padRight, channels);
    }

    /** The most outputs a layer may have (2<sup>24</sup>: a batch-packed tensor holds one ciphertext per element). */
    public static final long MAX_OUTPUTS = 1L << 24;
    /** The most taps (weights) a convolution may have (2<sup>26</sup>; its index and weight tables are 12 bytes each). */
    public static final long MAX_TAPS = 1L << 26;

    /**
     * A 2-D convolution on a C x H x W input (flattened channel-major, then row, then column), PyTorch's
     * {@code Conv2d} convention: kernel [M][C/groups][kh][kw], output M x H' x W' flattened the same way, with
     * H' = (H + padTop + padBottom - kh) / stride + 1 (likewise W'). Zero padding costs nothing: out-of-range taps
     * are dropped.
     */
    public static LinearLayer conv2d(int channels, int height, int width, double[][][][] kernel, double[] bias,
                                     int stride, int padTop, int padLeft, int padBottom, int padRight, int groups) {
        int maps = kernel.length;
        if (groups < 1 || channels % groups != 0 || maps % groups != 0) {
            throw new IllegalArgumentException("groups " + groups + " must divide channels " + channels + " and maps " + maps);
        }
        int cpg = channels / groups;
        int kh = kernel[0][0].length;
        int kw = kernel[0][0][0].length;
        if (kernel[0].length != cpg) {
            throw new IllegalArgumentException("kernel has " + kernel[0].length + " input channels per map, expected " + cpg);
        }
        if (stride < 1) {
            throw new IllegalArgumentException("stride " + stride + " < 1");
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("negative padding " + padTop + ", " + padLeft + ", " + padBottom + ", "
                    + padRight);
        }
        long spanH = (long) height + padTop + padBottom - kh;
        long spanW = (long) width + padLeft + padRight - kw;
        if (spanH < 0 || spanW < 0) {
            throw new IllegalArgumentException("a " + kh + " x " + kw + " kernel does not fit the padded " + height + " x "
                    + width + " input: the convolution output would be empty");
        }
        int oh = (int) (spanH / stride + 1);
        int ow = (int) (spanW / stride + 1);
        long outputCount = (long) maps * oh * ow;
        if (outputCount > MAX_OUTPUTS || outputCount * cpg * kh * kw > MAX_TAPS) {
            throw new IllegalArgumentException(String.format("convolution of %d x %d x %d outputs with %d taps each: more "
                    + "than the %d outputs or %d taps a layer may have", maps, oh, ow, (long) cpg * kh * kw, MAX_OUTPUTS,
                    MAX_TAPS));
        }
        int outputs = (int) outputCount;
        int[][] idx = new int[outputs][];
        double[][] w = new double[outputs][];
        double[] b = new double[outputs];
        int[] ti = new int[cpg * kh * kw];
        double[] tw = new double[cpg * kh * kw];
        for (int m = 0; m < maps; m++) {
            int g = m / (maps / groups);
            for (int r = 0; r < oh; r++) {
                for (int c = 0; c < ow; c++) {
                    int t = 0;
                    for (int ci = 0; ci < cpg; ci++) {
                        int channel = g * cpg + ci;
                        for (int dr = 0; dr < kh; dr++) {
                            int y = r * stride + dr - padTop;
                            for (int dc = 0; dc < kw; dc++) {
                                int x = c * stride + dc - padLeft;
                                if (y < 0 || y >= height || x < 0 || x >= width) {
                                    continue;
                                }
                                ti[t] = (channel * height + y) * width + x;
                                tw[t] = kernel[m][ci][dr][dc];
                                t++;
                            }
                        }
                    }
                    int o = (m * oh + r) * ow + c;
                    idx[o] = java.util.Arrays.copyOf(ti, t);
                    w[o] = java.util.Arrays.copyOf(tw, t);
                    b[o] = bias == null ? 0 : bias[m];
                }
            }
        }
        return new LinearLayer(channels * height * width, idx, w, b, false, 1, false, String.format(
                "Conv2D %dx%dx%d -> %dx%dx%d (kernel %dx%d, stride %d, groups %d)", channels, height, width, maps, oh, ow,
                kh, kw, stride, groups));
    }

    /**
     * Average pooling (PyTorch's {@code AvgPool2d} with {@code count_include_pad=True}): a depthwise convolution
     * whose k x k weights are all 1/k<sup>2</sup>, so it costs one lazy MAC pass and one level.
     */
    public static LinearLayer avgPool2d(int channels, int height, int width, int k, int stride, int padTop, int padLeft,
                                        int padBottom, int padRight) {
        double[][][][] kernel = new double[channels][1][k][k];
        for (double[][][] m : kernel) {
            for (double[] row : m[0]) {
                java.util.Arrays.fill(row, 1.0 / (k * k));
            }
        }
        LinearLayer l = conv2d(channels, height, width, kernel, null, stride, padTop, padLeft, padBottom, padRight, channels);
        return new LinearLayer(l.inputSize, l.idx, l.weights, l.bias, false, 1, false,
                String.format("AvgPool %dx%d stride %d on %dx%dx%d", k, k, stride, channels, height, width));
    }

    /** Global average pooling: C x H x W -&gt; C, each output the mean of its channel. */
    public static LinearLayer globalAvgPool(int channels, int height, int width) {
        int area = height * width;
        int[][] idx = new int[channels][area];
        double[][] w = new double[channels][area];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < area; i++) {
                idx[c][i] = c * area + i;
                w[c][i] = 1.0 / area;
            }
        }
        return new LinearLayer(channels * area, idx, w, new double[channels], false, 1, false,
                String.format("GlobalAvgPool %dx%dx%d -> %d", channels, height, width, channels));
    }

    /**
     * Folds a following batch normalization y = &gamma;(x - &mu;)/&radic;(&sigma;<sup>2</sup> + &epsilon;) + &beta; (per
     * output channel, channel-major outputs) into this layer's weights and bias, so it costs no level (the
     * BN-folding pass of nGraph-HE2).
     */
    public LinearLayer foldBatchNorm(double[] gamma, double[] beta, double[] mean, double[] variance, double eps) {
        int channels = gamma.length;
        if (beta.length != channels || mean.length != channels || variance.length != channels) {
            throw new IllegalArgumentException("batch-norm vectors differ in length");
        }
        if (channels == 0 || weights.length % channels != 0) {
            throw new IllegalArgumentException(channels + " batch-norm channels do not divide " + weights.length + " outputs");
        }
        int per = weights.length / channels;
        double[][] w = new double[weights.length][];
        double[] b = new double[weights.length];
        for (int o = 0; o < weights.length; o++) {
            int c = o / per;
            if (!(variance[c] + eps > 0)) {
                throw new IllegalArgumentException("batch-norm variance + eps of channel " + c + " is not positive");
            }
            double s = gamma[c] / Math.sqrt(variance[c] + eps);
            w[o] = weights[o].clone();
            for (int t = 0; t < w[o].length; t++) {
                w[o][t] *= s;
            }
            b[o] = s * (bias[o] - mean[c]) + beta[c];
        }
        return new LinearLayer(inputSize, idx, w, b, dense, rescales, relinearize, description + " + BatchNorm (folded)");
    }

    /**
     * The layer diag(rows) &middot; W &middot; diag(columns) + diag(rows) b: output o scaled by rows[o], input j by
     * columns[j] (either may be null for all ones). Client-aided servers fold per-ciphertext masking factors this way
     * ({@link io.github.jckks.nn.clientaided.FoldingReluOracle}): rows by r of the ReLU after the layer, columns by
     * 1/r of the ReLU before it. Cost: one pass over the weights (the index arrays are shared, not copied).
     *
     * @throws IllegalArgumentException if a vector has the wrong length or a factor is not positive and finite
     */
    public LinearLayer scaled(double[] rows, double[] columns) {
        if (integer) {
            throw new IllegalStateException(description + " is planned with integer weights and no rescale of its own: "
                    + "real factors cannot be folded into it");
        }
        checkFactors("row", rows, weights.length);
        checkFactors("column", columns, inputSize);
        double[][] w = new double[weights.length][];
        double[] b = bias.clone();
        for (int o = 0; o < w.length; o++) {
            double ro = rows == null ? 1 : rows[o];
            double[] src = weights[o];
            int[] ix = idx[o];
            double[] dst = new double[src.length];
            for (int t = 0; t < dst.length; t++) {
                dst[t] = src[t] * ro * (columns == null ? 1 : columns[ix[t]]);
            }
            w[o] = dst;
            b[o] *= ro;
        }
        return new LinearLayer(inputSize, idx, w, b, dense, rescales, relinearize, description, false);
    }

    private static void checkFactors(String what, double[] f, int expected) {
        if (f == null) {
            return;
        }
        if (f.length != expected) {
            throw new IllegalArgumentException(f.length + " " + what + " factors, expected " + expected);
        }
        for (int i = 0; i < f.length; i++) {
            if (!(f[i] > 0 && f[i] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(what + " factor " + i + " is " + f[i] + ", not positive and finite");
            }
        }
    }

    /**
     * @param count       how many times to rescale the output (2 after an unrescaled square, to return to the
     *                    input scale; 1 otherwise, or when the output goes to decryption)
     * @param relinearize whether to relinearize three-part outputs after the first rescale (before a later
     *                    product): at scale &Delta;<sup>2</sup> the key-switching noise is negligible, and the second
     *                    rescale then rounds a two-part ciphertext (no s<sup>2</sup> rounding term)
     * @return a copy of this layer with that plan
     */
    public LinearLayer withPlan(int count, boolean relinearize) {
        return new LinearLayer(inputSize, idx, weights, bias, dense, count, relinearize, description);
    }

    /**
     * @param count       rescales: 0, or 1 after an unrescaled square (the square's; the level plan does not use it,
     *                    since complex packing's factor 4 after a square needs weights at q_l / 4)
     * @param relinearize whether to relinearize three-part outputs before that rescale (fused with it); only with a
     *                    rescale
     * @return a copy of this layer planned with its weights encoded as integers at scale 1
     * @throws IllegalArgumentException if the weights are not all small integers ({@link #hasIntegerWeights}), or
     *                                  relinearize is asked without a rescale
     */
    public LinearLayer withIntegerPlan(int count, boolean relinearize) {
        if (relinearize && count == 0) {
            throw new IllegalArgumentException("an integer plan relinearizes only before a rescale");
        }
        return new LinearLayer(inputSize, idx, weights, bias, dense, count, relinearize, true, description, false);
    }

    /** @return the taps the kernel sums per ciphertext part and prime (zero weights of a sparse layer dropped) */
    long taps() {
        return tapCount(idx);
    }

    /** @return whether the layer runs on the dense kernel (every output reads every input) */
    boolean isDense() {
        return dense;
    }

    /**
     * @return whether the output is relinearized: after its first rescale (before the second), or in an integer plan
     *         right before its rescale
     */
    public boolean relinearizes() {
        return relinearize;
    }

    /** @return how many times the encrypted output is rescaled */
    public int rescales() {
        return rescales;
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public int outputSize() {
        return weights.length;
    }

    /** @return the levels the layer consumes: its rescales (1 unplanned; 0 with integer weights; 2 after a square) */
    @Override
    public int depth() {
        return rescales;
    }

    @Override
    public double[] forward(double[] input) {
        if (input.length != inputSize) {
            throw new IllegalArgumentException(description + ": input has " + input.length + " elements, expected " + inputSize);
        }
        double[] out = new double[weights.length];
        for (int o = 0; o < out.length; o++) {
            double s = bias[o];
            int[] ix = idx[o];
            double[] w = weights[o];
            for (int t = 0; t < ix.length; t++) {
                s += w[t] * input[ix[t]];
            }
            out[o] = s;
        }
        return out;
    }

    @Override
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt) {
        return forward(input, rt, null);
    }

    /**
     * {@link #forward(Ciphertext[], EncryptedRuntime)} with {@code firstRescale} performing the first rescale of every
     * output (after its bias) instead of {@link Evaluator#rescaleInPlace}: it must divide by the last prime as that
     * does (a client-aided server re-randomizes and rescales there, in one pass, what it will send); null for the plain
     * rescale. It must not keep the output's parts from before the rescale: the limbs an output no longer uses afterwards
     * go back to the runtime's pool.
     */
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt, Consumer<Ciphertext> firstRescale) {
        checkInputs(input);
        Ciphertext first = input[0];
        return forward(input, null, first.level(), first.size(), first.scale(), rt, firstRescale, Double.NaN);
    }

    /**
     * The layer <b>without rescaling</b>, for a ring with no prime to spare (a single data prime, where a rescale would
     * leave nothing): every weight is encoded as round(w &middot; {@code weightScale}), the outputs stay at the inputs'
     * level with scale (input scale) &middot; {@code weightScale}, and {@code after} (re-randomization before they
     * leave, or null) is applied to each output after its bias. The caller picks {@code weightScale} so that the
     * outputs' values times their scale stay below Q<sub>l</sub>/2 (nn-layers' client-aided models leave room for
     * |v| &lt; 256: {@code ClientAidedModel.UNRESCALED_VALUE_BOUND}).
     *
     * @throws IllegalArgumentException for inputs of unequal level, size or scale, a weight scale below 1, or a layer
     *                                  with an integer plan (its weights are already at scale 1)
     */
    public Ciphertext[] forwardUnrescaled(Ciphertext[] input, EncryptedRuntime rt, double weightScale,
                                         Consumer<Ciphertext> after) {
        if (integer) {
            throw new IllegalArgumentException(description + ": a layer with an integer plan has no weight scale to choose");
        }
        if (!(weightScale >= 1) || Double.isInfinite(weightScale)) {
            throw new IllegalArgumentException(description + ": weight scale " + weightScale + " must be finite and >= 1");
        }
        checkInputs(input);
        Ciphertext first = input[0];
        return forward(input, null, first.level(), first.size(), first.scale(), rt, after, weightScale);
    }

    /** The layer on inputs held in 32 bits, summed in place (no expansion); the inputs are only read. */
    @Override
    public Ciphertext[] forward(CompactCiphertext[] input, EncryptedRuntime rt) {
        return forward(input, rt, null);
    }

    /**
     * {@link #forward(Ciphertext[], EncryptedRuntime, Consumer)} on inputs held in 32 bits: the multiply-accumulate
     * kernel reads their limbs in place. The inputs are only read.
     */
    public Ciphertext[] forward(CompactCiphertext[] input, EncryptedRuntime rt, Consumer<Ciphertext> firstRescale) {
        checkCount(input.length);
        CompactCiphertext first = input[0];
        for (CompactCiphertext c : input) {
            if (c.level() != first.level() || c.size() != first.size() || c.scale() != first.scale()) {
                throw new IllegalArgumentException(description + ": inputs differ in level, size or scale (" + first + " vs " + c + ")");
            }
        }
        return forward(null, input, first.level(), first.size(), first.scale(), rt, firstRescale, Double.NaN);
    }

    /** Refuses a wrong count, or inputs that differ in level, size or scale. */
    private void checkInputs(Ciphertext[] input) {
        checkCount(input.length);
        Ciphertext first = input[0];
        for (Ciphertext c : input) {
            if (c.level() != first.level() || c.size() != first.size() || c.scale() != first.scale()) {
                throw new IllegalArgumentException(description + ": inputs differ in level, size or scale (" + first + " vs " + c + ")");
            }
        }
    }

    private void checkCount(int count) {
        if (count != inputSize) {
            throw new IllegalArgumentException(description + ": got " + count + " ciphertexts, expected " + inputSize);
        }
    }

    /**
     * The layer on 64-bit (wide) or 32-bit (compact) inputs, exactly one non-null, of equal level, size and scale;
     * {@code fixedWeightScale} NaN for the planned rescales ({@code firstRescale} replacing the first), else the
     * unrescaled form ({@code firstRescale} then applied to every output after its bias).
     */
    private Ciphertext[] forward(Ciphertext[] wide, CompactCiphertext[] compact, int level, int parts, double scale,
                                 EncryptedRuntime rt, Consumer<Ciphertext> firstRescale, double fixedWeightScale) {
        boolean unrescaled = !Double.isNaN(fixedWeightScale);
        if (!unrescaled && level < rescales) {
            throw new IllegalArgumentException(description + ": input at level " + level + " cannot be rescaled " + rescales
                    + " times: the parameters are not deep enough for this network");
        }
        Evaluator ev = rt.evaluator();
        RnsRing rq = rt.context().ringQ();
        // the kernel reads limbs directly: refuse ciphertexts of another parameter set here, as a ring operation would
        for (int j = 0; j < inputSize; j++) {
            for (int p = 0; p < parts; p++) {
                if (compact != null) {
                    rq.requireOwn(compact[j].part(p));
                } else {
                    rq.requireOwn(wide[j].part(p));
                }
            }
        }
        int k = level + 1;
        int n = rq.n();
        // Weights at the scale of q_l, so that the rescale brings the scale back. Under complex packing a
        // three-part input is an unrelinearized complex-packed square, whose polynomial carries a factor 4
        // (scale 4 s^2): weights at q_l / 4 cancel it and keep the headroom of real packing.
        // Integer weights (an integer plan) at scale 1: no scale growth, no rescale of the layer's own.
        double weightScale = unrescaled ? fixedWeightScale : integer ? 1 : ev.lastPrime(level);
        if (!unrescaled && !integer && rt.packing() == Packing.COMPLEX && parts == 3) {
            weightScale /= 4;
        }
        double outScale = scale * weightScale;
        int outputs = weights.length;
        // Scalar encoding of the weights: round(w * q_l), one residue per prime.
        long[][][] wres = new long[k][outputs][];
        for (int o = 0; o < outputs; o++) {
            long[] ints = new long[weights[o].length];
            for (int t = 0; t < ints.length; t++) {
                ints[t] = Math.round(weights[o][t] * weightScale);
            }
            for (int i = 0; i < k; i++) {
                Modulus q = rq.modulus(i);
                long[] r = new long[ints.length];
                for (int t = 0; t < r.length; t++) {
                    r[t] = q.reduceSigned(ints[t]);
                }
                wres[i][o] = r;
            }
        }
        Ciphertext[] out = new Ciphertext[outputs];
        for (int o = 0; o < outputs; o++) {
            RnsPoly[] ps = new RnsPoly[parts];
            for (int p = 0; p < parts; p++) {
                ps[p] = rt.limbs().take(k, true); // fully overwritten by the MAC kernel
            }
            out[o] = new Ciphertext(ps, outScale);
        }
        MacKernel mac = rt.mac();
        // one task per (part, prime), and on a runtime with more threads than those, the outputs split into that many
        // contiguous ranges more (each range packs the inputs' block again, so only when threads would idle)
        int pairs = parts * k;
        int chunks = (int) Math.max(1, Math.min(outputs / 4, (rt.parallelism() + pairs - 1) / pairs));
        rt.parallelFor(pairs * chunks, task -> {
            int p = task / chunks / k;
            int i = task / chunks % k;
            int c = task % chunks;
            int o0 = (int) ((long) outputs * c / chunks);
            int o1 = (int) ((long) outputs * (c + 1) / chunks);
            long[][] z = new long[o1 - o0][];
            for (int o = o0; o < o1; o++) {
                z[o - o0] = out[o].part(p).limb(i);
            }
            long[][] w = chunks == 1 ? wres[i] : java.util.Arrays.copyOfRange(wres[i], o0, o1);
            int[][] ix = chunks == 1 || dense ? idx : java.util.Arrays.copyOfRange(idx, o0, o1);
            if (compact != null) {
                int[][] in = new int[inputSize][];
                for (int j = 0; j < inputSize; j++) {
                    in[j] = compact[j].part(p).limbForReading(i);
                }
                if (dense) {
                    mac.dense(in, w, z, n, rq.modulus(i));
                } else {
                    mac.sparse(in, ix, w, z, n, rq.modulus(i));
                }
            } else {
                long[][] in = new long[inputSize][];
                for (int j = 0; j < inputSize; j++) {
                    in[j] = wide[j].part(p).limb(i);
                }
                if (dense) {
                    mac.dense(in, w, z, n, rq.modulus(i));
                } else {
                    mac.sparse(in, ix, w, z, n, rq.modulus(i));
                }
            }
        });
        rt.parallelFor(outputs, o -> {
            switch (rt.packing()) {
                case COMPLEX -> ev.addComplexScalarInPlace(out[o], bias[o], bias[o]); // b to both packed batches
                case REAL -> ev.addScalarInPlace(out[o], bias[o]);
                case COEFFICIENT -> rt.coefficientEncoder().addConstantInPlace(out[o], bias[o]); // b in every coefficient
            }
            if (unrescaled) {
                if (firstRescale != null) {
                    firstRescale.accept(out[o]);
                }
                return;
            }
            RnsPoly[] taken = new RnsPoly[out[o].size()];
            for (int p = 0; p < taken.length; p++) {
                taken[p] = out[o].part(p);
            }
            for (int r = 0; r < rescales; r++) {
                if (r == 0 && integer && relinearize) {
                    ev.relinearizeAndRescaleInPlace(out[o]); // an integer layer after a square: the square's rescale
                } else if (r == 0 && firstRescale != null) {
                    firstRescale.accept(out[o]);
                } else if (r == 1 && relinearize) {
                    ev.relinearizeAndRescaleInPlace(out[o]); // the relinearization after the first rescale, fused
                } else {
                    ev.rescaleInPlace(out[o]);
                }
                if (r == 0 && relinearize && rescales == 1 && !integer) {
                    ev.relinearizeInPlace(out[o]);
                }
            }
            releaseDropped(taken, out[o], rt);
        });
        return out;
    }

    /**
     * Hands the limb arrays the layer took from the pool for an output and that the output no longer uses (the primes
     * its rescales dropped, a relinearized c<sub>2</sub>) back to the pool: nothing else references them.
     */
    private static void releaseDropped(RnsPoly[] taken, Ciphertext now, EncryptedRuntime rt) {
        for (RnsPoly t : taken) {
            for (int l = 0; l < t.limbCount(); l++) {
                long[] a = t.limb(l);
                boolean used = false;
                for (int p = 0; p < now.size() && !used; p++) {
                    RnsPoly q = now.part(p);
                    for (int m = 0; m < q.limbCount() && !used; m++) {
                        used = q.limb(m) == a;
                    }
                }
                if (!used) {
                    rt.limbs().release(a);
                }
            }
        }
    }

    @Override
    public String describe() {
        return description + " [one lazy MAC pass" + (integer ? ", integer weights at scale 1" : "") + ", " + rescales
                + (rescales == 1 ? " rescale" : " rescales") + (relinearize ? (integer ? ", relinearized before it"
                : ", relinearized after the first") : "") + "]";
    }
}
