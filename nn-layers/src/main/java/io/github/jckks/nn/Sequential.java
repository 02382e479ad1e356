package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CompactCiphertext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A feed-forward network: a list of {@link Layer}s run on a plaintext image (the reference) or on a batch of
 * encrypted images. Built by {@link Builder}, which applies the graph passes of nGraph-HE2 and plans the
 * levels: <b>lazy rescaling</b> (one rescale per linear layer for its whole sum of products; after an
 * unrescaled square, two), <b>lazy relinearization</b> (a square's three-part outputs go through the next linear
 * layer unrelinearized, and only that layer's outputs are relinearized, between their two rescales; a
 * three-part result that goes to decryption is never relinearized: the client decrypts with s<sup>2</sup>), and
 * no rescale right before decryption. {@link #depth()} is the number of levels the parameters must provide.
 * Besides linear layers and squares it takes {@link Pad}s, {@link PolynomialActivation}s and blocks of branches
 * that read the same input ({@link ResidualBlock}: out = x + f(x); {@link Concat}), so a model can be
 * "sequential plus residual branches". Immutable.
 *
 * <p>A planned network is itself a {@link Layer}: a {@code ClientAidedModel} (package {@code clientaided}) takes one
 * as a step between two client-aided activations, so a segment with squares, batch normalization and residual or
 * concatenation blocks runs between ReLU rounds. As a layer it consumes its input like
 * {@link #forward(Ciphertext[], EncryptedRuntime)} (its memory goes to the runtime's pool).
 */
public final class Sequential implements Layer {
    private final List<Layer> layers;
    private final boolean threePartOutput;

    private Sequential(List<Layer> layers, boolean threePartOutput) {
        this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
        this.threePartOutput = threePartOutput;
    }

    /**
     * @return whether the encrypted output is three-part (a square's product left for decryption with
     *         s<sup>2</sup>: {@link Builder#build} after a square ending in one linear layer), which only the key holder
     *         can take further; a segment planned with {@link Builder#buildSegment} never is
     */
    public boolean threePartOutput() {
        return threePartOutput;
    }

    /** @return a builder (the input size comes from the first layer; an empty builder is an identity branch) */
    public static Builder builder() {
        return new Builder(-1);
    }

    /**
     * @param inputSize the number of input elements
     * @return a builder that may start with an activation or a block (e.g. a residual branch x -&gt; x<sup>2</sup> ...)
     */
    public static Builder builder(int inputSize) {
        if (inputSize < 1) {
            throw new IllegalArgumentException("input size " + inputSize + " must be positive");
        }
        return new Builder(inputSize);
    }

    /** @return the layers, with the inserted steps */
    public List<Layer> layers() {
        return layers;
    }

    /** @return the number of rescales (levels) the encrypted network consumes */
    @Override
    public int depth() {
        return levels(layers);
    }

    /**
     * The levels a planned layer consumes in a {@link Sequential}: a linear layer's rescales, a polynomial
     * activation's or a block's depth; a square (whose levels the next linear layer's second rescale pays),
     * a relinearization and a padding consume none.
     */
    static int levels(Layer l) {
        if (l instanceof LinearLayer ll) {
            return ll.rescales();
        }
        if (l instanceof SquareActivation || l instanceof Relinearize || l instanceof Pad) {
            return 0;
        }
        return l.depth();
    }

    static int levels(List<Layer> layers) {
        int d = 0;
        for (Layer l : layers) {
            d += levels(l);
        }
        return d;
    }

    /** @return the input size */
    @Override
    public int inputSize() {
        return layers.get(0).inputSize();
    }

    /** @return the output size */
    @Override
    public int outputSize() {
        return layers.get(layers.size() - 1).outputSize();
    }

    /** The plaintext reference on one image. */
    @Override
    public double[] forward(double[] input) {
        double[] x = input;
        for (Layer l : layers) {
            x = l.forward(x);
        }
        return x;
    }

    /**
     * The encrypted network on batch-packed ciphertexts. The network consumes its input: the array's elements
     * are set to null as soon as a layer has used them and their memory goes to the runtime's limb pool (the
     * caller must not use the input ciphertexts afterwards), so a batch allocates little beyond its largest
     * layer. Input at level {@link #depth()} or above.
     */
    @Override
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt) {
        checkInput(input.length, input[0].level());
        return forwardFrom(0, input, rt);
    }

    private void checkInput(int count, int level) {
        if (count != inputSize()) {
            throw new IllegalArgumentException("network takes " + inputSize() + " ciphertexts, got " + count);
        }
        if (level < depth()) {
            throw new IllegalArgumentException("inputs at level " + level + " but the network needs depth " + depth());
        }
    }

    /** Runs the layers from {@code first} on, each consumed input's limb arrays going to the pool. */
    private Ciphertext[] forwardFrom(int first, Ciphertext[] input, EncryptedRuntime rt) {
        if (rt.packing() == Packing.COEFFICIENT) {
            for (Layer l : layers) {
                if (!(l instanceof LinearLayer ll) || ll.relinearizes()) {
                    rt.packing().requireSlots(l.describe());
                }
            }
        }
        Ciphertext[] x = input;
        for (Layer l : layers.subList(first, layers.size())) {
            Ciphertext[] y = l.forward(x, rt);
            if (y != x) {
                rt.releaseAll(x, y); // consumed: its limb arrays serve the next layers
            }
            x = y;
        }
        return x;
    }

    /**
     * The encrypted network on inputs held in 32 bits ({@link CompactCiphertext}: e.g. ciphertexts as received from a
     * client, half the memory): the first layer reads them in place if it is a {@link LinearLayer} (its kernel
     * then reads half the bytes), else they are expanded first. The inputs are only read; after the first layer
     * the network runs as {@link #forward(Ciphertext[], EncryptedRuntime)} does.
     */
    @Override
    public Ciphertext[] forward(CompactCiphertext[] input, EncryptedRuntime rt) {
        checkInput(input.length, input[0].level());
        return forwardFrom(1, layers.get(0).forward(input, rt), rt);
    }

    /**
     * The plaintext reference on a batch: {@link #forward(double[])} on every image.
     *
     * @return the outputs [B, outputSize]
     */
    public Tensor forward(Tensor batch) {
        if (batch.imageSize() != inputSize()) {
            throw new IllegalArgumentException("network takes " + inputSize() + " elements per image, got " + batch);
        }
        double[][] out = new double[batch.batch()][];
        for (int b = 0; b < out.length; b++) {
            out[b] = forward(batch.image(b));
        }
        return Tensor.ofImages(out, outputSize());
    }

    /**
     * The encrypted network on a batch-packed tensor, wide or compact (see {@link #forward(CompactCiphertext[],
     * EncryptedRuntime)}). A wide input is consumed as {@link #forward(Ciphertext[], EncryptedRuntime)} says: its
     * memory serves the network, and the tensor is marked so, every later use of it throwing
     * {@link IllegalStateException} (keep a {@link EncryptedTensor#compact compact} copy to reuse inputs). A compact
     * input is only read.
     *
     * @return the outputs, wide, of image shape [outputSize]
     * @throws IllegalArgumentException if the packing differs from the runtime's or the element count from the
     *                                  network's input size
     */
    public EncryptedTensor forward(EncryptedTensor input, EncryptedRuntime rt) {
        if (input.packing() != rt.packing()) {
            throw new IllegalArgumentException("tensor packed " + input.packing() + " but the runtime runs " + rt.packing());
        }
        Ciphertext[] out;
        if (input.isCompact()) {
            out = forward(input.compactCiphertexts(), rt);
        } else {
            Ciphertext[] in = input.ciphertexts();
            checkInput(in.length, in[0].level());
            input.consume();
            out = forwardFrom(0, in, rt);
        }
        return EncryptedTensor.of(out, input.batch(), input.packing(), outputSize());
    }

    /**
     * Whether running this network switches keys (so that its parameters need a special prime and the runtime's
     * evaluator evaluation keys): a relinearization (a linear layer after a square, a {@link Relinearize} step, a
     * polynomial activation, the scale alignment of a block with a product in a branch) or, under complex packing,
     * any ciphertext product (its conjugation). Conservative: a network it calls key-switching may run without.
     */
    public boolean needsKeySwitching(Packing packing) {
        return needsKeySwitching(layers, packing);
    }

    /**
     * @return whether {@code layer}, as a step of a larger model (a client-aided one), switches keys: a planned
     *         {@code Sequential} as {@link #needsKeySwitching(Packing)} says, any other layer if it relinearizes, or
     *         squares under complex packing
     */
    public static boolean needsKeySwitching(Layer layer, Packing packing) {
        return needsKeySwitching(List.of(layer), packing);
    }

    private static boolean needsKeySwitching(List<Layer> layers, Packing packing) {
        for (Layer l : layers) {
            if (l instanceof Sequential s && s.needsKeySwitching(packing)) {
                return true;
            }
            if (l instanceof LinearLayer ll && ll.relinearizes() || l instanceof Relinearize
                    || l instanceof PolynomialActivation
                    || l instanceof SquareActivation && packing == Packing.COMPLEX) {
                return true;
            }
            if (l instanceof BranchLayer b) {
                for (List<Layer> branch : b.branches()) {
                    if (needsKeySwitching(branch, packing) || containsProduct(branch)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean containsProduct(List<Layer> layers) {
        for (Layer l : layers) {
            if (l instanceof SquareActivation || l instanceof PolynomialActivation
                    || l instanceof BranchLayer b && b.branches().stream().anyMatch(Sequential::containsProduct)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The level plan's choice of parameters: the smallest 128-bit-secure ring that runs this network on a batch.
     * <ul>
     * <li>Data primes: q<sub>0</sub> of {@code firstPrimeBits}, then {@link #depth()} + 1 primes of
     * {@code scaleBits} (the scale &Delta; = 2<sup>scaleBits</sup>, which each rescale divides by): the network
     * leaves its output at level 1 or above, so that an output at the product scale &Delta;<sup>2</sup> (a square's
     * product, decrypted without a rescale) still has 2<sup>firstPrimeBits - scaleBits - 1</sup> of headroom for its
     * values (at least 2<sup>3</sup>: q<sub>0</sub> must have {@value #OUTPUT_HEADROOM_BITS} bits more than the
     * scale), and an output at &Delta; has 2<sup>firstPrimeBits - 1</sup>.</li>
     * <li>A special prime of {@code firstPrimeBits} if the network switches keys ({@link #needsKeySwitching}),
     * none otherwise (the whole budget goes to data; the client then encrypts with its secret key, since a
     * public-key encryption's noise u e + e<sub>0</sub> + e<sub>1</sub> s is only divided by a special prime).</li>
     * <li>N: the smallest power of two from 2<sup>10</sup> whose HomomorphicEncryption.org bound holds log2 QP and
     * whose slots hold {@code batch} images with {@code packing} (N/2 real, N complex).</li>
     * </ul>
     * Every prime is below 2<sup>31</sup>, as the multiply-accumulate kernels need. NTT-friendly primes near
     * 2<sup>s</sup> alternate above and below it, so about half have s + 1 bits: each candidate ring is built and its
     * actual log2 QP checked against the bound; a ring whose bound those primes overshoot is built with primes just
     * below 2<sup>s</sup> instead (s bits each), and one that cannot hold even those is passed over for the next. For CryptoNets (depth 4, scale 2<sup>24</sup>, q<sub>0</sub> of 30 bits,
     * 4,096 or 8,192 images) this gives N = 8192 with data primes {30, 24 x 5} and a special prime of 30 bits:
     * {@code CkksParameters.cryptoNets()}.
     *
     * @throws IllegalArgumentException if the bits are out of range (scale 10 to 30; q<sub>0</sub> at least
     *                                  {@value #OUTPUT_HEADROOM_BITS} bits above the scale, and at most 31) or no ring
     *                                  up to N = 2<sup>15</sup> is both deep and wide enough
     */
    public io.github.jckks.ckks.CkksParameters parameters(Packing packing, int batch, int scaleBits, int firstPrimeBits) {
        return smallestRing(packing, batch, scaleBits, firstPrimeBits, depth() + 1, needsKeySwitching(packing),
                "depth " + depth());
    }

    /**
     * The smallest 128-bit-secure ring with data primes {q<sub>0</sub> of {@code firstPrimeBits}, {@code scalePrimes}
     * of {@code scaleBits}}, a special prime of {@code firstPrimeBits} if {@code keySwitching}, and slots for
     * {@code batch} images packed as {@code packing}: the search behind {@link #parameters} (and
     * {@code ClientAidedModel.parameters}), each candidate built and its actual log2 QP checked against the bound.
     *
     * @param what what needs the primes, for the error message
     * @throws IllegalArgumentException as {@link #parameters}
     */
    public static io.github.jckks.ckks.CkksParameters smallestRing(Packing packing, int batch, int scaleBits,
                                                                   int firstPrimeBits, int scalePrimes,
                                                                   boolean keySwitching, String what) {
        if (scaleBits < 10 || scaleBits > 30) {
            throw new IllegalArgumentException("scale bits " + scaleBits + " outside [10, 30]");
        }
        if (firstPrimeBits < scaleBits + OUTPUT_HEADROOM_BITS || firstPrimeBits > 31) {
            throw new IllegalArgumentException("first prime bits " + firstPrimeBits + " outside ["
                    + (scaleBits + OUTPUT_HEADROOM_BITS) + ", 31]: an output at the product scale needs q0 "
                    + OUTPUT_HEADROOM_BITS + " bits above the scale (values up to 2^" + (OUTPUT_HEADROOM_BITS - 1)
                    + "), and the multiply-accumulate kernels take primes of at most 31 bits");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch " + batch + " below 1");
        }
        if (scalePrimes < 1) {
            throw new IllegalArgumentException(scalePrimes + " primes of the scale: at least 1");
        }
        int[] data = new int[scalePrimes + 1];
        java.util.Arrays.fill(data, scaleBits);
        data[0] = firstPrimeBits;
        int nominal = firstPrimeBits + scalePrimes * scaleBits + (keySwitching ? firstPrimeBits : 0);
        String lastReason = "";
        for (int logN = 10; logN <= 15; logN++) {
            int max = io.github.jckks.ckks.SecurityLevel.BITS_128.maxModulusBits(logN);
            if (nominal > max || packing.imagesPerCiphertext(1 << (logN - 1)) < batch) {
                continue;
            }
            io.github.jckks.ckks.CkksParameters.Builder b = io.github.jckks.ckks.CkksParameters.builder().logN(logN)
                    .dataPrimeBits(data).scale(Math.scalb(1.0, scaleBits));
            try {
                return (keySwitching ? b.specialPrimeBits(firstPrimeBits) : b.specialPrimeBits()).build();
            } catch (IllegalArgumentException e) { // primes of s + 1 bits over the bound, or too few of the size
                lastReason = "; at N = 2^" + logN + ": " + e.getMessage();
            }
            // a ring whose bound the nominal bits meet exactly: primes just below 2^s (s bits each, so log2 QP stays
            // at most nominal; the scale then drifts up a little per rescale, which the context's per-level scales
            // track), as mnist-cryptonets' folded ReLU ring {30, 24} at N = 2048 is made
            try {
                java.util.List<Long> used = new java.util.ArrayList<>();
                long[] q = new long[data.length];
                for (int i = 0; i < data.length; i++) {
                    q[i] = io.github.jckks.math.Primes.nttPrimes(data[i], logN, 1, used)[0];
                    used.add(q[i]);
                }
                io.github.jckks.ckks.CkksParameters.Builder below = io.github.jckks.ckks.CkksParameters.builder()
                        .logN(logN).dataPrimes(q).scale(Math.scalb(1.0, scaleBits));
                return (keySwitching ? below.specialPrimes(io.github.jckks.math.Primes.nttPrimes(firstPrimeBits, logN, 1,
                        used)[0]) : below.specialPrimes()).build();
            } catch (IllegalArgumentException e) {
                lastReason = "; at N = 2^" + logN + ": " + e.getMessage();
            }
        }
        throw new IllegalArgumentException("no 128-bit ring up to N = 2^15 holds this network: " + what
                + " needs log2 QP of about " + nominal + " bits" + (keySwitching ? " (with a special prime)" : "")
                + " and " + batch + " images need N >= " + (packing == Packing.COMPLEX ? batch : 2 * batch)
                + lastReason + "; lower the scale or the batch");
    }

    /**
     * Bits of q<sub>0</sub> above the scale that {@link #parameters} asks for: an output at the product scale
     * &Delta;<sup>2</sup>, decrypted at level 1, holds values below 2<sup>3</sup> (the CryptoNets ring has 6).
     */
    public static final int OUTPUT_HEADROOM_BITS = 4;

    /** @return a multi-line description with the depth */
    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Layer l : layers) {
            sb.append("  ").append(l.describe()).append('\n');
        }
        sb.append("  multiplicative depth: ").append(depth());
        return sb.toString();
    }

    /**
     * Assembles a {@link Sequential} (or a branch of a block) and plans its levels: a linear layer after an
     * unrescaled square rescales twice (lazy rescaling) and relinearizes between the two rescales (lazy
     * relinearization: on its outputs, not on the square's many inputs; rescaling a three-part ciphertext down to
     * the working scale would add the rounding of c<sub>2</sub> times s<sup>2</sup>, while at scale &Delta;<sup>2</sup>
     * the key-switching noise is negligible). The last layer is not rescaled a second time: its output goes to
     * decryption, which needs no particular scale, and is never relinearized (the client decrypts with
     * s<sup>2</sup>). A three-part value that still meets a product is relinearized right before it.
     *
     * <p><b>Branches</b> ({@link #residual}, {@link #concat}) are builders too (an empty one is the identity); they
     * are planned with the rest of the network, from the state of the block's input (e.g. an unrescaled square),
     * and never as the network's output (their last linear layer rescales fully). The deepest branch decides the
     * block's depth; branches as deep as each other must end in the same state (both rescaled, or both in an
     * unrescaled square), otherwise their scales could not be aligned and {@link #build} refuses the network.
     */
    public static final class Builder {
        private final List<Object> steps = new ArrayList<>();
        private final int declaredInput;
        private int size;

        private Builder(int inputSize) {
            this.declaredInput = inputSize;
            this.size = inputSize;
        }

        /** Appends a linear layer (dense, convolution, pooling). */
        public Builder add(LinearLayer layer) {
            return append(layer);
        }

        /**
         * Flatten (PyTorch's {@code nn.Flatten}): nothing to do, since the layers already take and give their tensors
         * flattened in channel, row, column order; present so that a model reads as its source. Reshape the same way
         * ({@link Tensor#reshape}, {@link EncryptedTensor#reshape} for the batch's own shape).
         */
        public Builder flatten() {
            return this;
        }

        /** Appends a zero padding. */
        public Builder add(Pad pad) {
            return append(pad);
        }

        /** Appends a polynomial activation. */
        public Builder add(PolynomialActivation activation) {
            return append(activation);
        }

        /**
         * Appends a batch normalization y = &gamma;(x - &mu;)/&radic;(&sigma;<sup>2</sup> + &epsilon;) + &beta; per output
         * channel (PyTorch's {@code BatchNorm2d}/{@code BatchNorm1d} in eval mode), folded right away into the linear
         * layer it follows ({@link LinearLayer#foldBatchNorm}): it costs no level and no work when the network runs.
         *
         * @throws IllegalStateException    if the previous step is not a linear layer (nothing to fold into)
         * @throws IllegalArgumentException if the vectors' length does not divide the layer's outputs
         */
        public Builder batchNorm(double[] gamma, double[] beta, double[] mean, double[] variance, double eps) {
            if (steps.isEmpty() || !(steps.get(steps.size() - 1) instanceof LinearLayer last)) {
                throw new IllegalStateException("a batch normalization must follow a linear layer (convolution or dense) "
                        + "to be folded into it; here it follows " + (steps.isEmpty() ? "nothing"
                        : steps.get(steps.size() - 1) instanceof Layer l ? l.describe() : "a block"));
            }
            steps.set(steps.size() - 1, last.foldBatchNorm(gamma, beta, mean, variance, eps));
            return this;
        }

        /** Appends a square activation. */
        public Builder square() {
            if (size < 0) {
                throw new IllegalStateException("a network cannot start with an activation here: give the input size with "
                        + "Sequential.builder(inputSize)");
            }
            if (!steps.isEmpty() && steps.get(steps.size() - 1) instanceof SquareActivation) {
                throw new IllegalStateException("two squares in a row: insert a linear layer between them");
            }
            steps.add(new SquareActivation(size));
            return this;
        }

        /** Appends a residual block with the identity shortcut: out = x + body(x) (ResNet, MobileNetV2). */
        public Builder residual(Builder body) {
            return residual(new Builder(-1), body);
        }

        /** Appends a residual block out = shortcut(x) + body(x) (e.g. a 1x1 convolution as the shortcut). */
        public Builder residual(Builder shortcut, Builder body) {
            return block(true, shortcut, body);
        }

        /**
         * Appends the concatenation of branches' outputs (in order; channels for channel-major tensors of equal
         * H x W). An empty builder is the identity branch (DenseNet: {@code concat(builder(), builder(n).add(conv))}).
         */
        public Builder concat(Builder... branches) {
            return block(false, branches);
        }

        private Builder block(boolean sum, Builder... branches) {
            if (size < 0) {
                throw new IllegalStateException("a network cannot start with a block here: give the input size with "
                        + "Sequential.builder(inputSize)");
            }
            if (branches.length < 2) {
                throw new IllegalArgumentException("a block needs at least two branches, got " + branches.length);
            }
            List<List<Object>> copies = new ArrayList<>();
            int out = 0;
            for (int b = 0; b < branches.length; b++) {
                Builder br = branches[b];
                if (br == this) {
                    throw new IllegalArgumentException("a builder cannot be a branch of itself");
                }
                int in = br.inputSize();
                if (in >= 0 && in != size) {
                    throw new IllegalArgumentException("branch " + b + " takes " + in + " inputs but the block's input has "
                            + size + " elements");
                }
                int bo = br.steps.isEmpty() ? size : br.size;
                if (sum && b > 0 && bo != out) {
                    throw new IllegalArgumentException("residual branches must output the same number of elements: "
                            + "branch 0 gives " + out + ", branch " + b + " gives " + bo);
                }
                out = sum ? bo : out + bo;
                copies.add(List.copyOf(br.steps));
            }
            steps.add(new Block(sum, size, List.copyOf(copies)));
            size = out;
            return this;
        }

        private Builder append(Layer layer) {
            if (size >= 0 && size != layer.inputSize()) {
                throw new IllegalArgumentException("layer " + layer.describe() + " takes " + layer.inputSize()
                        + " inputs but the previous layer gives " + size);
            }
            steps.add(layer);
            size = layer.outputSize();
            return this;
        }

        private int inputSize() {
            if (declaredInput >= 0 || steps.isEmpty()) {
                return declaredInput;
            }
            Object first = steps.get(0);
            return first instanceof Layer l ? l.inputSize() : ((Block) first).inputSize();
        }

        /** @return the planned network, its output going to decryption */
        public Sequential build() {
            return planned(true);
        }

        /**
         * @return the network planned as a segment whose output more server-side work takes (a client-aided round,
         *         another layer of a {@code ClientAidedModel}), not decryption: the last linear layer after a square
         *         rescales twice and relinearizes between (one more level than {@link #build}), so the output is
         *         two-part at the working scale
         */
        public Sequential buildSegment() {
            return planned(false);
        }

        private Sequential planned(boolean forDecryption) {
            if (steps.isEmpty()) {
                throw new IllegalStateException("empty network");
            }
            if (steps.get(steps.size() - 1) instanceof SquareActivation) {
                throw new IllegalStateException("a " + (forDecryption ? "network" : "segment") + " ending in a square is "
                        + "not supported: end with a linear layer");
            }
            List<Layer> planned = new ArrayList<>();
            State end = plan(steps, new State(false, false), forDecryption, false, planned);
            return new Sequential(planned, end.threePart());
        }

        /** A residual (sum) or concatenation block before planning: the branches' unplanned steps. */
        private record Block(boolean sum, int inputSize, List<List<Object>> branches) {
        }

        /** The state of the values between two steps: an unrescaled square's output, three parts. */
        private record State(boolean pendingSquare, boolean threePart) {
        }

        /**
         * Plans {@code steps} from state {@code s} into {@code out}.
         *
         * @param terminal     whether the last step's output goes to decryption
         * @param productAfter whether a product follows these steps (in an enclosing network)
         * @return the state after the steps
         */
        private static State plan(List<Object> steps, State s, boolean terminal, boolean productAfter, List<Layer> out) {
            for (int i = 0; i < steps.size(); i++) {
                Object step = steps.get(i);
                boolean last = terminal && i == steps.size() - 1;
                boolean productLater = productAfter || hasProduct(steps.subList(i + 1, steps.size()));
                if (step instanceof SquareActivation sq) {
                    if (s.pendingSquare()) {
                        throw new IllegalStateException("a square right after an unrescaled square: insert a linear layer between them");
                    }
                    if (s.threePart()) {
                        out.add(new Relinearize(sq.inputSize()));
                    }
                    out.add(sq);
                    s = new State(true, true);
                } else if (step instanceof PolynomialActivation p) {
                    if (s.pendingSquare()) {
                        throw new IllegalStateException("a polynomial activation right after an unrescaled square: insert a "
                                + "linear layer between them");
                    }
                    if (s.threePart()) {
                        out.add(new Relinearize(p.inputSize()));
                    }
                    out.add(p);
                    s = new State(false, false);
                } else if (step instanceof LinearLayer ll && ll.hasIntegerWeights() && !s.pendingSquare()) {
                    // integer weights (0, +-1, small integers) at scale 1: no rescale, no level. Not right after an
                    // unrescaled square: there the layer rescales as any other, since under complex packing the
                    // square's factor 4 is cancelled by weights at q_l / 4, which integers cannot be, and a branch
                    // left at the square's scale could not be aligned with one rescale
                    out.add(ll.withIntegerPlan(0, false));
                } else if (step instanceof LinearLayer ll) {
                    int rescales = s.pendingSquare() && !last ? 2 : 1;
                    // a three-part value is relinearized between two rescales: rescaling it to the working scale would
                    // add c2's rounding times s^2 (about 1e-2 at scale 2^24, N = 2^11), while at s^2 the key switch is negligible
                    boolean relin = s.threePart() && rescales == 2;
                    out.add(ll.withPlan(rescales, relin));
                    s = new State(false, s.threePart() && !relin);
                } else if (step instanceof Pad pad) {
                    out.add(pad);
                } else {
                    s = planBlock((Block) step, s, productLater, out);
                }
            }
            return s;
        }

        private static State planBlock(Block block, State s, boolean productAfter, List<Layer> out) {
            int n = block.branches().size();
            List<List<Layer>> planned = new ArrayList<>();
            State[] ends = new State[n];
            int[] depths = new int[n];
            int deepest = 0;
            for (int b = 0; b < n; b++) {
                List<Layer> branch = new ArrayList<>();
                ends[b] = plan(block.branches().get(b), s, false, productAfter, branch);
                depths[b] = levels(branch);
                deepest = Math.max(deepest, depths[b]);
                planned.add(branch);
            }
            Boolean pending = null;
            boolean threePart = false;
            for (int b = 0; b < n; b++) {
                threePart |= ends[b].threePart();
                if (depths[b] != deepest) {
                    continue;
                }
                if (pending == null) {
                    pending = ends[b].pendingSquare();
                } else if (pending != ends[b].pendingSquare()) {
                    throw new IllegalStateException("block branches of equal depth " + deepest + " end at different scales "
                            + "(one in an unrescaled square, ~s^2, the other rescaled, ~s) and have no spare level to align them: "
                            + "end the branches with a linear layer");
                }
            }
            out.add(block.sum() ? new ResidualBlock(block.inputSize(), planned) : new Concat(block.inputSize(), planned));
            return new State(pending, threePart);
        }

        private static boolean hasProduct(List<Object> steps) {
            for (Object step : steps) {
                if (step instanceof SquareActivation || step instanceof PolynomialActivation) {
                    return true;
                }
                if (step instanceof Block b) {
                    for (List<Object> branch : b.branches()) {
                        if (hasProduct(branch)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }
}
