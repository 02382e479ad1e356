package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.Stage;

/**
 * A non-polynomial activation computed with the key holder's help (nGraph-HE2's client-aided model), on
 * flattened batch-packed tensors (one ciphertext per element, slot i = image i). Each is built from masked
 * ReLU rounds ({@link ReluOracle}); the client re-encrypts at the top level, so an activation refreshes its
 * output to level L - 1 whatever the input level (MaxPool: the lower of its input level and L - 1, since the
 * tree adds unrefreshed operands). Immutable and thread-safe.
 */
public non-sealed interface ClientAidedActivation extends Stage {
    /** @return round trips to the key holder per evaluation */
    int roundTrips();

    /** @return ciphertexts sent to the key holder per evaluation, over all rounds */
    int ciphertextsPerEvaluation();

    /** The encrypted form: inputs at one level &ge; 1, outputs as {@link #outputLevel}. */
    Ciphertext[] forward(Ciphertext[] input, ReluOracle relu, EncryptedRuntime runtime);

    /**
     * @param inputLevel the level of the inputs
     * @param topLevel   the parameters' highest level L (where the client re-encrypts)
     * @return the level of the outputs
     * @throws IllegalArgumentException if the levels do not allow the masking rescale
     */
    int outputLevel(int inputLevel, int topLevel);

    /** Checks that one masked round can run at {@code level} and that the top level can be unmasked. */
    static void requireRoundLevel(String what, int level, int topLevel) {
        if (topLevel < 1) {
            throw new IllegalArgumentException(what + ": client-aided activations need at least two data primes");
        }
        if (level < 1) {
            throw new IllegalArgumentException(what + ": input at level " + level + ", but masking needs level 1 or above "
                    + "(one rescale before the values leave the server)");
        }
    }
}
