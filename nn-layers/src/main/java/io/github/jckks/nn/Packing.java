package io.github.jckks.nn;

/**
 * How a batch is laid out in the slots of the ciphertexts of an encrypted tensor (batch-axis packing: one
 * ciphertext per tensor element).
 *
 * <ul>
 * <li>{@link #REAL}: slot i holds image i; N/2 images per ciphertext.</li>
 * <li>{@link #COMPLEX}: slot i holds a<sub>i</sub> + i&middot;b<sub>i</sub>, image i of a first batch in the real part and
 * image i of a second batch in the imaginary part (nGraph-HE2's complex packing); N images per ciphertext.
 * Linear layers with real weights act on both batches at once unchanged (their biases are added as b + ib);
 * the square needs one conjugation per element ({@code Evaluator.squareComplexPacked}) and the server the
 * conjugation key. Per image, every linear layer, rescale and relinearization costs half.</li>
 * </ul>
 */
public enum Packing {
    /** One real batch of N/2 images per ciphertext. */
    REAL,
    /** Two real batches as the real and imaginary parts: N images per ciphertext. */
    COMPLEX,
    /** N images per ciphertext in the coefficients of the plaintext (linear layers and folded ReLUs only). */
    COEFFICIENT;

    /** @return images per ciphertext for N/2 slots */
    public int imagesPerCiphertext(int slots) {
        return this == REAL ? slots : 2 * slots;
    }

    /**
     * Refuses coefficient packing for {@code what}, which needs slots (a product of ciphertexts, a rotation, a tensor).
     *
     * @throws IllegalArgumentException for {@link #COEFFICIENT}
     */
    public void requireSlots(String what) {
        if (this == COEFFICIENT) {
            throw new IllegalArgumentException(what + " needs slot-packed values (REAL or COMPLEX packing): under "
                    + "COEFFICIENT packing only linear layers and folded client-aided ReLUs keep their meaning");
        }
    }
}
