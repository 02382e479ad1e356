package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CompactCiphertext;

/**
 * One step of a network on flattened tensors ({@link Stage}: sizes, plaintext reference, description), computed two
 * ways: on one plaintext image (the reference) and on batch-packed ciphertexts (one ciphertext per tensor element,
 * slot i holding image i of the batch).
 * Layers are immutable and thread-safe.
 */
public non-sealed interface Layer extends Stage {
    /** @return how many rescales (levels) the encrypted form consumes */
    int depth();

    /**
     * The encrypted form on batch-packed ciphertexts. Returns either the input array itself (a layer that works
     * in place) or a new array of new ciphertexts, or of input ciphertexts passed through unchanged ({@link Pad},
     * {@link Concat}): {@link Sequential} recycles the input's memory after the layer, except what the output
     * still uses. A layer never changes the value of its input ciphertexts, except a {@link Sequential} used as a
     * layer, which consumes them (their memory serves its own layers).
     */
    Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime runtime);

    /**
     * The encrypted form on inputs held in 32 bits ({@link CompactCiphertext}), which are only read. By default they
     * are expanded into the runtime's pooled limbs (one pass each) and given to
     * {@link #forward(Ciphertext[], EncryptedRuntime)}; {@link LinearLayer} sums them in place instead.
     */
    default Ciphertext[] forward(CompactCiphertext[] input, EncryptedRuntime runtime) {
        Ciphertext[] wide = new Ciphertext[input.length];
        runtime.parallelFor(input.length, i -> wide[i] = input[i].expand(runtime.context(), k -> runtime.limbs().take(k, true)));
        Ciphertext[] out = forward(wide, runtime);
        if (out != wide) {
            runtime.releaseAll(wide, out); // the expanded copies go back to the pool
        }
        return out;
    }
}
