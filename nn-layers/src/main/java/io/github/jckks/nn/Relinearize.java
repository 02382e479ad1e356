package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;

/**
 * Relinearizes three-part ciphertexts before a step that needs two parts (a product); identity in plaintext.
 * Inserted by {@link Sequential.Builder} where lazy relinearization must end. Cost: one key switch per element.
 */
public final class Relinearize implements Layer {
    private final int size;

    /** @param size number of elements */
    public Relinearize(int size) {
        this.size = size;
    }

    @Override
    public int inputSize() {
        return size;
    }

    @Override
    public int outputSize() {
        return size;
    }

    @Override
    public int depth() {
        return 0;
    }

    @Override
    public double[] forward(double[] input) {
        return input.clone();
    }

    @Override
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt) {
        rt.parallelFor(input.length, i -> rt.evaluator().relinearizeInPlace(input[i]));
        return input;
    }

    @Override
    public String describe() {
        return "Relinearize " + size + " elements";
    }
}
