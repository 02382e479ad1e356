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
 */
public final class Sequential {
    private final List<Layer> layers;

    private Sequential(List<Layer> layers) {
        this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
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
    public int inputSize() {
        return layers.get(0).inputSize();
    }

    /** @return the output size */
    public int outputSize() {
        return layers.get(layers.size() - 1).outputSize();
    }

    /** The plaintext reference on one image. */
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
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt) {
        if (input.length != inputSize()) {
            throw new IllegalArgumentException("network takes " + inputSize() + " ciphertexts, got " + input.length);
        }
        if (input[0].level() < depth()) {
            throw new IllegalArgumentException("inputs at level " + input[0].level() + " but the network needs depth " + depth());
        }
        Ciphertext[] x = input;
        for (Layer l : layers) {
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
    public Ciphertext[] forward(CompactCiphertext[] input, EncryptedRuntime rt) {
        if (input.length != inputSize()) {
            throw new IllegalArgumentException("network takes " + inputSize() + " ciphertexts, got " + input.length);
        }
        if (input[0].level() < depth()) {
            throw new IllegalArgumentException("inputs at level " + input[0].level() + " but the network needs depth " + depth());
        }
        Ciphertext[] x = layers.get(0).forward(input, rt);
        for (Layer l : layers.subList(1, layers.size())) {
            Ciphertext[] y = l.forward(x, rt);
            if (y != x) {
                rt.releaseAll(x, y);
            }
            x = y;
        }
        return x;
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
     * EncryptedRuntime)}); a wide input is consumed as {@link #forward(Ciphertext[], EncryptedRuntime)} says.
     *
     * @return the outputs, wide, of image shape [outputSize]
     * @throws IllegalArgumentException if the packing differs from the runtime's or the element count from the
     *                                  network's input size
     */
    public EncryptedTensor forward(EncryptedTensor input, EncryptedRuntime rt) {
        if (input.packing() != rt.packing()) {
            throw new IllegalArgumentException("tensor packed " + input.packing() + " but the runtime runs " + rt.packing());
        }
        Ciphertext[] out = input.isCompact() ? forward(input.compactCiphertexts(), rt) : forward(input.ciphertexts(), rt);
        return EncryptedTensor.of(out, input.batch(), input.packing(), outputSize());
    }

    /** @return a multi-line description with the depth */
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

        /** Appends a zero padding. */
        public Builder add(Pad pad) {
            return append(pad);
        }

        /** Appends a polynomial activation. */
        public Builder add(PolynomialActivation activation) {
            return append(activation);
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

        /** @return the planned network */
        public Sequential build() {
            if (steps.isEmpty()) {
                throw new IllegalStateException("empty network");
            }
            if (steps.get(steps.size() - 1) instanceof SquareActivation) {
                throw new IllegalStateException("a network ending in a square is not supported: end with a linear layer");
            }
            List<Layer> planned = new ArrayList<>();
            plan(steps, new State(false, false), true, false, planned);
            return new Sequential(planned);
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
