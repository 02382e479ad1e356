package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.Layer;
import io.github.jckks.nn.LinearLayer;
import io.github.jckks.nn.Stage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A feed-forward network mixing server-side {@link Layer}s (typically {@link LinearLayer}: dense and
 * convolution) with client-aided activations ({@link ReluActivation}, {@link Relu6Activation},
 * {@link MaxPoolActivation}), which {@link io.github.jckks.nn.Sequential}'s builder cannot hold, and residual
 * blocks whose body holds such activations ({@link ClientAidedResidual}: MobileNetV2's inverted residuals). Runs three
 * ways: the plaintext reference ({@link #forward(double[])}); encrypted with a {@link ReluOracle}
 * ({@link #forward(Ciphertext[], EncryptedRuntime, ReluOracle)}), which {@link ClientAidedServer} gives
 * either an in-process or a TCP transport to the key holder.
 *
 * <p><b>Levels.</b> Inputs arrive at the top level L, or as low as {@link #minimumInputLevel} when the server
 * asks for that ({@link ClientAidedServer#withLowestInputLevel}). A linear layer consumes one level (its rescale); an
 * activation needs its input at level &ge; 1 (the masking product is rescaled before sending) and returns at
 * L - 1 (the client re-encrypts at L, the server's unmasking rescales once). So between two activations there
 * is room for L - 2 linear layers, and the first segment (from the input) for L - 1. With per-ciphertext factors
 * folded into the weights ({@link FoldingReluOracle}), a ReLU between two linear layers costs no level at all: its
 * input leaves at whatever level the layer before left it and its output is the client's encryption at L, so
 * L = 1 (two data primes) holds any chain of linear layers separated by ReLUs. {@link #checkLevels}
 * tells before running. Immutable.
 */
public final class ClientAidedModel {
    /**
     * The magnitude below which every value an unrescaled layer outputs must stay ({@link #forward} on a one-prime
     * ring): its weights are encoded at q<sub>0</sub> / (2 &middot; 256 &middot; input scale), so that |v| &lt; 256 fits
     * below q<sub>0</sub>/2 — the headroom the rescaling plans leave at level 0 for the masked values r x of a round.
     */
    public static final double UNRESCALED_VALUE_BOUND = 256;

    private final List<Stage> steps;

    private ClientAidedModel(List<Stage> steps) {
        this.steps = Collections.unmodifiableList(new ArrayList<>(steps));
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the steps: {@link Layer}s, {@link ClientAidedActivation}s and {@link ClientAidedResidual}s, in order */
    public List<Stage> steps() {
        return steps;
    }

    /** @return the number of input elements */
    public int inputSize() {
        return steps.get(0).inputSize();
    }

    /** @return the number of output elements */
    public int outputSize() {
        return steps.get(steps.size() - 1).outputSize();
    }

    /**
     * @return whether a server-side step switches keys under {@code packing}: a segment that relinearizes (a square
     *         followed by more products), or squares under complex packing (a conjugation each). The server then needs
     *         the client's evaluation keys (its HELLO carries them).
     */
    public boolean needsKeySwitching(io.github.jckks.nn.Packing packing) {
        for (Stage s : steps) {
            if (s instanceof Layer l && io.github.jckks.nn.Sequential.needsKeySwitching(l, packing)
                    || s instanceof ClientAidedResidual r && r.needsKeySwitching(packing)) {
                return true;
            }
        }
        return false;
    }

    /** @return round trips to the key holder per inference */
    public int roundTrips() {
        int r = 0;
        for (Stage s : steps) {
            if (s instanceof ClientAidedActivation a) {
                r += a.roundTrips();
            } else if (s instanceof ClientAidedResidual res) {
                r += res.roundTrips();
            }
        }
        return r;
    }

    /** @return ciphertexts sent to the key holder per inference (one batch), over all rounds */
    public int ciphertextsPerInference() {
        int r = 0;
        for (Stage s : steps) {
            if (s instanceof ClientAidedActivation a) {
                r += a.ciphertextsPerEvaluation();
            } else if (s instanceof ClientAidedResidual res) {
                r += res.ciphertextsPerEvaluation();
            }
        }
        return r;
    }

    /** The plaintext reference on one image. */
    public double[] forward(double[] input) {
        double[] x = input;
        for (Stage s : steps) {
            x = s.forward(x);
        }
        return x;
    }

    /** The plaintext reference on a batch: images[b] -&gt; outputs[b]. */
    public double[][] forward(double[][] images) {
        double[][] out = new double[images.length][];
        for (int b = 0; b < images.length; b++) {
            out[b] = forward(images[b]);
        }
        return out;
    }

    /**
     * The encrypted network on batch-packed ciphertexts (one per input element), the activations computed
     * through {@code relu}. If {@code relu} is a {@link FoldingReluOracle} that {@linkplain FoldingReluOracle#foldsFactors
     * folds}, every {@linkplain #foldable foldable} ReLU has its factors folded into the linear layers on either side
     * (no masking product, no level); the other activations use {@link ReluOracle#relu}. A folded round's answers go
     * to the runtime's limb pool once the next layer has read them if the oracle says they belong to the caller
     * ({@link FoldingReluOracle#answersBelongToCaller}).
     *
     * @throws IllegalArgumentException if the inputs' level is too low for the model ({@link #checkLevels})
     */
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime runtime, ReluOracle relu) {
        return forward(input, runtime, relu, null);
    }

    /**
     * {@link #forward(Ciphertext[], EncryptedRuntime, ReluOracle)}, calling {@code afterStep} with each step's index
     * once it has run (profilers time the steps this way); null for none.
     */
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime runtime, ReluOracle relu, IntConsumer afterStep) {
        if (input.length != inputSize()) {
            throw new IllegalArgumentException("model takes " + inputSize() + " ciphertexts, got " + input.length);
        }
        FoldingReluOracle folding = relu instanceof FoldingReluOracle f && f.foldsFactors() ? f : null;
        if (runtime.packing() == io.github.jckks.nn.Packing.COEFFICIENT || runtime.context().maxLevel() == 0) {
            requireLinearWithFoldedRelus(folding != null, runtime);
        }
        // one prime (L = 0): nothing can be rescaled, so every linear layer runs unrescaled (unrescaledWeightScale), its
        // outputs re-randomized modulo q0 before a folded round
        boolean unrescaled = runtime.context().maxLevel() == 0;
        if (unrescaled && runtime.packing() != io.github.jckks.nn.Packing.COEFFICIENT) {
            // the unrescaled layers' noise (re-randomization, the client's encryptions) decodes about sqrt(N) larger
            // per slot than per coefficient: 25x the error of coefficient packing for a three-layer test model
            throw new IllegalArgumentException("a ring with one data prime runs its layers unrescaled, which only "
                    + "COEFFICIENT packing keeps precise; this batch is " + runtime.packing() + "-packed");
        }
        if (!unrescaled) {
            checkLevels(input[0].level(), runtime.context().maxLevel(), folding != null);
        }
        Ciphertext[] x = input;
        double[] factors = null; // drawn for the ReLU that follows the current linear layer
        double[] columns = null; // 1/r of the ReLU that precedes it
        boolean answers = false; // x holds a folded round's answers, which only this loop references
        for (int i = 0; i < steps.size(); i++) {
            Stage s = steps.get(i);
            if (folding != null && s instanceof LinearLayer ll) {
                factors = foldable(i + 1) ? folding.drawFactors(ll.outputSize()) : null;
                LinearLayer eff = factors == null && columns == null ? ll : ll.scaled(factors, columns);
                Ciphertext[] in = x;
                x = unrescaled
                        ? eff.forwardUnrescaled(in, runtime, unrescaledWeightScale(ll, in[0].scale(), runtime),
                                factors == null ? null : folding.rerandomization())
                        : eff.forward(in, runtime, factors == null ? null : folding.firstRescale());
                if (answers) {
                    runtime.releaseAll(in, x); // consumed: their limbs become the next layer's outputs
                }
                columns = null;
                answers = false;
            } else if (folding != null && factors != null) { // the foldable ReLU after a folded layer
                x = folding.reluOfMasked(x, factors);
                columns = reciprocals(factors);
                factors = null;
                answers = folding.answersBelongToCaller();
            } else {
                answers = false;
                x = switch (s) {
                    case Layer l -> l.forward(x, runtime);
                    case ClientAidedActivation a -> a.forward(x, relu, runtime);
                    case ClientAidedResidual res -> res.forward(x, runtime, relu);
                };
            }
            if (afterStep != null) {
                afterStep.accept(i);
            }
        }
        return x;
    }

    /**
     * @return the weight scale of a linear layer on a one-prime ring (L = 0), where nothing can be rescaled: q<sub>0</sub>
     * / (2 {@link #UNRESCALED_VALUE_BOUND} s) for inputs at scale s, which leaves the outputs at scale about
     * q<sub>0</sub>/512 ({@link LinearLayer#forwardUnrescaled}; the client answers at the default scale)
     * @throws IllegalArgumentException if the inputs' scale leaves no room for weights
     */
    private static double unrescaledWeightScale(LinearLayer layer, double inputScale, EncryptedRuntime runtime) {
        double q0 = runtime.context().ringQ().modulus(0).value();
        double weightScale = q0 / (2 * UNRESCALED_VALUE_BOUND * inputScale);
        if (!(weightScale >= 1)) {
            throw new IllegalArgumentException(layer.describe() + ": inputs at scale 2^"
                    + String.format("%.1f", Math.log(inputScale) / Math.log(2)) + " leave no room for weights below q0 = 2^"
                    + String.format("%.1f", Math.log(q0) / Math.log(2)) + " without a rescale (values up to "
                    + UNRESCALED_VALUE_BOUND + "): lower the scale");
        }
        return weightScale;
    }

    /** @return 1/r for the factors r of a folded round: the next layer's column factors */
    private static double[] reciprocals(double[] factors) {
        double[] inv = new double[factors.length];
        for (int j = 0; j < inv.length; j++) {
            inv[j] = 1 / factors[j];
        }
        return inv;
    }

    /**
     * Refuses a model that is not linear layers separated by foldable ReLUs, or an oracle that does not fold: what
     * coefficient packing (no slots) and a one-prime ring (no rescale) can run.
     */
    private void requireLinearWithFoldedRelus(boolean folds, EncryptedRuntime runtime) {
        String where = runtime.packing() == io.github.jckks.nn.Packing.COEFFICIENT ? "under COEFFICIENT packing"
                : "on a ring with one data prime (no rescale)";
        if (!folds) {
            throw new IllegalArgumentException("a client-aided model " + where + " needs per-ciphertext factors folded "
                    + "into the weights (MaskMode.PER_CIPHERTEXT)");
        }
        int i = firstUnfoldableStep();
        if (i >= 0) {
            throw new IllegalArgumentException("step " + i + " (" + steps.get(i).describe() + ") cannot run " + where
                    + ": such a model holds only linear layers and ReLUs between two of them");
        }
    }

    /**
     * @return whether step {@code i} is a {@link ReluActivation} between two {@link LinearLayer}s, whose per-ciphertext
     * factors can be folded into their weights ({@link FoldingReluOracle}); the layer before must rescale once (its
     * rescale is where the values are re-randomized: after an unrescaled square, two rescales and a relinearization
     * between them, the masked round with its own product stays the way)
     */
    public boolean foldable(int i) {
        return i > 0 && i + 1 < steps.size() && steps.get(i) instanceof ReluActivation
                && steps.get(i - 1) instanceof LinearLayer before && before.rescales() == 1 && !before.integerPlan()
                && steps.get(i + 1) instanceof LinearLayer after && !after.integerPlan();
    }

    /**
     * @param foldFactors as in {@link #checkLevels(int, int, boolean)}
     * @return L, the fewest levels above q<sub>0</sub> with which this model runs on inputs encrypted at the top: the
     *         levels of its deepest stretch between activations (every round returns a fresh encryption at L), plus the
     *         masking and unmasking rescales of the rounds that do not fold their factors, plus one if the last step is
     *         a segment whose output stays at a square's product scale (it is decrypted at level 1 or above)
     * @throws IllegalArgumentException if no L up to 30 holds it
     */
    public int requiredLevels(boolean foldFactors) {
        // a last segment planned for decryption leaves a square's product at scale s^2: it must stay at level 1 or
        // above (q0 alone does not hold s^2), as Sequential.parameters plans it
        int lowestOutput = steps.get(steps.size() - 1) instanceof io.github.jckks.nn.Sequential s && s.threePartOutput()
                ? 1 : 0;
        IllegalArgumentException last = null;
        for (int top = 1; top <= 30; top++) {
            try {
                if (checkLevels(top, top, foldFactors) >= lowestOutput) {
                    return top;
                }
            } catch (IllegalArgumentException e) {
                last = e;
            }
        }
        throw new IllegalArgumentException("no top level up to 30 holds this model"
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /**
     * The level plan's choice of parameters for this model: {@link #requiredLevels} primes of {@code scaleBits}
     * after q<sub>0</sub> of {@code firstPrimeBits}, a special prime only if a server-side step switches keys under
     * {@code packing} ({@link #needsKeySwitching}; masking needs none, and a ring without one re-randomizes modulo
     * Q), in the smallest 128-bit ring whose slots hold {@code batch} images
     * ({@link io.github.jckks.nn.Sequential#smallestRing}). With per-ciphertext factors ({@link MaskMode#PER_CIPHERTEXT})
     * every ReLU between two linear layers folds its factors and costs no level. The values a round sends at level
     * 0 need |r x| &Delta; &lt; q<sub>0</sub>/2: {@code firstPrimeBits} decides that headroom (the factors r reach
     * 2<sup>maskBits</sup>). For CryptoNets-ReLU (conv, ReLU, dense, ReLU, dense; scale 2<sup>21</sup> or
     * 2<sup>24</sup>, q<sub>0</sub> of 30 bits, complex packing) this gives N = 4096 with {30, 21 x 3} for per-slot
     * masks and N = 2048 with {30, 24} folded: mnist-cryptonets' two rings.
     *
     * @throws IllegalArgumentException as {@link io.github.jckks.nn.Sequential#smallestRing}, or if the model is too
     *                                  deep
     */
    public io.github.jckks.ckks.CkksParameters parameters(MaskMode mode, io.github.jckks.nn.Packing packing, int batch,
                                                          int scaleBits, int firstPrimeBits) {
        boolean fold = mode == MaskMode.PER_CIPHERTEXT;
        int levels = requiredLevels(fold);
        return io.github.jckks.nn.Sequential.smallestRing(packing, batch, scaleBits, firstPrimeBits, levels,
                needsKeySwitching(packing), "a client-aided model of " + levels + " levels");
    }

    /** {@link #checkLevels(int, int, boolean)} without folded factors. */
    public int checkLevels(int inputLevel, int topLevel) {
        return checkLevels(inputLevel, topLevel, false);
    }

    /**
     * @param inputLevel the inputs' level
     * @param topLevel   L, where the client re-encrypts
     * @param foldFactors whether {@linkplain #foldable foldable} ReLUs fold their factors: such a round sends its
     *                   input at any level and returns at L (no masking or unmasking rescale)
     * @return the output level
     * @throws IllegalArgumentException naming the first step that has no level left
     */
    public int checkLevels(int inputLevel, int topLevel, boolean foldFactors) {
        if (topLevel == 0 && foldFactors && unrescaledForm()) {
            return 0; // one prime: the linear layers run unrescaled (forward), no level is consumed
        }
        int level = inputLevel;
        for (int i = 0; i < steps.size(); i++) {
            Stage s = steps.get(i);
            try {
                if (foldFactors && foldable(i)) {
                    level = topLevel;
                } else {
                    level = switch (s) {
                        case ClientAidedActivation a -> a.outputLevel(level, topLevel);
                        case ClientAidedResidual res -> res.outputLevel(level, topLevel, foldFactors);
                        case Layer l -> {
                            int d = l instanceof LinearLayer ll ? ll.rescales() : l.depth();
                            if (level < d) {
                                throw new IllegalArgumentException(l.describe() + ": input at level " + level
                                        + " cannot be rescaled " + d + " time(s)");
                            }
                            yield level - d;
                        }
                    };
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("step " + i + " of the model has no level left (top level " + topLevel
                        + "): " + e.getMessage() + ". Use parameters with more data primes, or fewer linear layers "
                        + "between activations", e);
            }
        }
        return level;
    }

    /** {@link #minimumInputLevel(int, boolean)} without folded factors. */
    public int minimumInputLevel(int topLevel) {
        return minimumInputLevel(topLevel, false);
    }

    /**
     * The lowest level at which the inputs can enter: the levels of the linear layers before the first activation,
     * plus the one the masking round rescales (none if no activation follows, or if that activation folds its
     * factors). Inputs at that level make the same
     * rounds at the same scales as inputs at the top (every activation's output is a fresh top-level encryption), but
     * the client encrypts fewer primes, the wire carries fewer, and the first layers and masks work on fewer; the
     * first round's values are sent at level 0, where |r x| &Delta; must stay below q<sub>0</sub>/2 (the same headroom
     * as any round sent at level 0).
     *
     * @param topLevel    L
     * @param foldFactors as in {@link #checkLevels(int, int, boolean)}
     * @throws IllegalArgumentException if the model does not fit even at L
     */
    public int minimumInputLevel(int topLevel, boolean foldFactors) {
        if (topLevel == 0) {
            checkLevels(0, 0, foldFactors);
            return 0;
        }
        int level = 0;
        for (int i = 0; i < steps.size(); i++) {
            Stage s = steps.get(i);
            if (s instanceof ClientAidedActivation) {
                if (!(foldFactors && foldable(i))) {
                    level++; // the mask's rescale: the first round needs its input at level >= 1
                }
                break;
            }
            if (s instanceof ClientAidedResidual res) {
                // the shortcut keeps the block's input (at the level it entered) until the sum, which is made at the
                // lower level of the two paths: the lowest input level from here on is the lowest that the whole
                // model's level check accepts, at least what the body's first round needs
                int lowest = Math.min(topLevel, level + res.body().minimumInputLevel(topLevel, foldFactors));
                for (; lowest < topLevel; lowest++) {
                    try {
                        checkLevels(lowest, topLevel, foldFactors);
                        return lowest;
                    } catch (IllegalArgumentException tooLow) {
                        // one level more
                    }
                }
                checkLevels(topLevel, topLevel, foldFactors);
                return topLevel;
            }
            Layer l = (Layer) s;
            level += l instanceof LinearLayer ll ? ll.rescales() : l.depth();
        }
        // every later segment starts from the client's fresh encryption at L, so only L decides whether it fits;
        // a first segment deeper than L fails the check at L, naming its step
        checkLevels(Math.min(level, topLevel), topLevel, foldFactors);
        return level;
    }

    /**
     * @return whether this model can run without any rescale on a one-prime ring with folded factors: linear layers
     * (weights at a chosen scale) separated by foldable ReLUs
     */
    public boolean unrescaledForm() {
        return firstUnfoldableStep() < 0;
    }

    /** @return the first step that is neither a linear layer without integer plan nor a foldable ReLU, or -1 */
    private int firstUnfoldableStep() {
        for (int i = 0; i < steps.size(); i++) {
            if (!(steps.get(i) instanceof LinearLayer ll && !ll.integerPlan()) && !foldable(i)) {
                return i;
            }
        }
        return -1;
    }

    /** @return a multi-line description */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Stage s : steps) {
            sb.append("  ").append(s.describe()).append('\n');
        }
        sb.append("  round trips per inference: ").append(roundTrips()).append(", ciphertexts sent to the client: ")
                .append(ciphertextsPerInference());
        return sb.toString();
    }

    /** Assembles a {@link ClientAidedModel}, checking that consecutive sizes agree. */
    public static final class Builder {
        private final List<Stage> steps = new ArrayList<>();

        private Builder() {
        }

        /** Appends a server-side layer (linear layers are used as they are: one rescale each). */
        public Builder add(Layer layer) {
            append(layer);
            return this;
        }

        /** Appends a client-aided activation. */
        public Builder add(ClientAidedActivation activation) {
            append(activation);
            return this;
        }

        /**
         * Appends a residual block out = body(x) + x whose body may hold client-aided activations (MobileNetV2's
         * inverted residual: expansion, ReLU6, depthwise convolution, ReLU6, projection).
         */
        public Builder residual(ClientAidedModel body) {
            return residual(body, null);
        }

        /** Appends a residual block out = body(x) + shortcut(x) (a null shortcut is the identity). */
        public Builder residual(ClientAidedModel body, Layer shortcut) {
            append(new ClientAidedResidual(body, shortcut));
            return this;
        }

        /** Appends a ReLU over the previous step's outputs. */
        public Builder relu() {
            return add(new ReluActivation(previousSize("relu")));
        }

        /** Appends a ReLU6 over the previous step's outputs. */
        public Builder relu6() {
            return add(new Relu6Activation(previousSize("relu6")));
        }

        /** Appends a max pool over the previous step's outputs, read as C x H x W. */
        public Builder maxPool(int channels, int height, int width, int kernel, int stride) {
            return add(new MaxPoolActivation(channels, height, width, kernel, stride));
        }

        private int previousSize(String what) {
            if (steps.isEmpty()) {
                throw new IllegalStateException(what + "(): no previous step to take the size from; add the activation "
                        + "object with an explicit size");
            }
            return steps.get(steps.size() - 1).outputSize();
        }

        private void append(Stage step) {
            if (!steps.isEmpty()) {
                int prev = steps.get(steps.size() - 1).outputSize();
                if (prev != step.inputSize()) {
                    throw new IllegalArgumentException(step.describe() + " takes " + step.inputSize()
                            + " inputs but the previous step gives " + prev);
                }
            }
            steps.add(step);
        }

        /** @return the model */
        public ClientAidedModel build() {
            if (steps.isEmpty()) {
                throw new IllegalStateException("empty model");
            }
            for (int i = 0; i < steps.size() - 1; i++) {
                if (steps.get(i) instanceof io.github.jckks.nn.Sequential seq && seq.threePartOutput()) {
                    throw new IllegalStateException("step " + i + " is a segment planned for decryption: its output is a "
                            + "three-part product that no later step can take; plan it with Sequential.Builder.buildSegment()");
                }
            }
            return new ClientAidedModel(steps);
        }
    }
}
