package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;

/**
 * The server's side of one activation round trip: sends (already masked and shuffled) ciphertexts to the key
 * holder and returns its fresh encryptions of their ReLU, in the same order, after checking the count, size,
 * level (the top level) and scale (the default scale) of the answer. The answers belong to the caller, which may
 * recycle their memory once it has consumed them ({@link ClientAidedModel} does, in its folded rounds): a channel
 * must not keep using them.
 */
public interface ActivationChannel {
    /**
     * @param masked the ciphertexts to send
     * @return the key holder's answers, validated
     * @throws ClientAidedException if the round trip fails or the answer is malformed
     */
    Ciphertext[] exchange(Ciphertext[] masked);
}
