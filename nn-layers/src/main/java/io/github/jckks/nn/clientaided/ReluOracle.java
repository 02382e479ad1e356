package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;

/**
 * Computes ReLU on encrypted values with the help of the key holder: one round trip per call, however many
 * ciphertexts. Every client-aided activation (ReLU, ReLU6, MaxPool) is built from this one primitive, so the
 * client only ever applies ReLU and does not learn which activation it serves.
 */
public interface ReluOracle {
    /**
     * @param values two-part ciphertexts at one level &ge; 1 (the masking product needs a rescale), any count
     * @return encryptions of ReLU(values), element-wise, same order, at level {@link #outputLevel()} and the
     * parameters' default scale
     */
    Ciphertext[] relu(Ciphertext[] values);

    /** @return the level of the ciphertexts {@link #relu} returns: the top level minus the unmasking rescale */
    int outputLevel();
}
