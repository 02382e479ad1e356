package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import java.util.function.Consumer;

/**
 * A {@link ReluOracle} whose per-ciphertext masking factors the model <b>folds into the linear layers around the
 * ReLU</b> instead of multiplying them in: for A &rarr; ReLU &rarr; B (A, B affine), the server evaluates
 * A' = diag(r) A (rows and bias scaled by r<sub>j</sub> &gt; 0) and B' = B diag(1/r) (columns scaled), since
 * B ReLU(A x) = B diag(1/r) ReLU(diag(r) A x). The masking then costs no ciphertext operation, no encoding and no
 * level: A's rescale already returns its outputs to the default scale, the client re-encrypts at the top level L,
 * and B consumes L directly. What the client sees is the same as with {@link MaskMode#PER_CIPHERTEXT} products:
 * r<sub>j</sub> x<sub>j</sub>, one factor per ciphertext, shuffled and re-randomized.
 *
 * <p>{@link ClientAidedModel#forward} uses it for every {@link ReluActivation} that sits between two
 * {@link io.github.jckks.nn.LinearLayer}s when {@link #foldsFactors()} is true; other activations (ReLU6, MaxPool,
 * a ReLU next to another kind of step) still go through {@link #relu}.
 */
public interface FoldingReluOracle extends ReluOracle {
    /** @return whether the model should fold this oracle's factors into the surrounding linear layers */
    boolean foldsFactors();

    /**
     * @param n the number of ciphertexts of the coming round
     * @return n fresh positive factors (one per ciphertext), for the model to fold into the layer before the ReLU
     * (rows) and the one after it (columns, as 1/r)
     */
    double[] drawFactors(int n);

    /**
     * @return what performs the first rescale of each output of the layer before a folded round, in place of
     * {@link io.github.jckks.ckks.Evaluator#rescaleInPlace}: re-randomization and rescale in one pass
     * ({@link Rerandomizer#rerandomizeAndRescale}: an encryption of zero modulo Q<sub>l</sub> whose noise the rescale
     * divides by q<sub>l</sub>), or the plain rescale if re-randomization is off
     */
    Consumer<Ciphertext> firstRescale();

    /**
     * @return what the server applies to each output of an unrescaled layer before a folded round (a one-prime ring,
     * {@code LinearLayer.forwardUnrescaled}): an encryption of zero modulo Q<sub>l</sub> ({@link Rerandomizer#rerandomizeModQ}),
     * or null if re-randomization is off
     */
    Consumer<Ciphertext> rerandomization();

    /**
     * The round trip of values that already carry their factors (computed by the folded layer before): shuffle,
     * flood if configured, send, receive the client's fresh top-level encryptions of ReLU(r<sub>j</sub> x<sub>j</sub>)
     * = r<sub>j</sub> ReLU(x<sub>j</sub>), restore the order. Nothing is unmasked here: the next layer's columns do it.
     *
     * @param masked  two-part ciphertexts r<sub>j</sub> x<sub>j</sub> at one level &ge; 0
     * @param factors the factors {@link #drawFactors} gave for this round (for the audit of tests only)
     * @return encryptions of r<sub>j</sub> ReLU(x<sub>j</sub>) at the top level L and the default scale, in input order
     */
    Ciphertext[] reluOfMasked(Ciphertext[] masked, double[] factors);

    /**
     * @return true if the answers of {@link #reluOfMasked} belong to the caller alone, so that {@link ClientAidedModel}
     * may hand their limb arrays to its runtime's pool once the next layer has read them; false (the default) for an
     * oracle that keeps them (an audit, a cache). {@link MaskedReluOracle} says true: its answers are what its
     * {@link ActivationChannel} returned, which belong to the caller.
     */
    default boolean answersBelongToCaller() {
        return false;
    }
}
