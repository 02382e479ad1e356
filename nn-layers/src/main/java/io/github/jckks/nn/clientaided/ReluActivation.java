package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.nn.EncryptedRuntime;

/** ReLU(x) = max(x, 0): one masked round trip for all elements. */
public final class ReluActivation extends ElementwiseActivation {
    /** @param size number of elements */
    public ReluActivation(int size) {
        super(size);
    }

    @Override
    public int ciphertextsPerEvaluation() {
        return size;
    }

    @Override
    public double[] forward(double[] input) {
        check(input.length);
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = Math.max(input[i], 0);
        }
        return out;
    }

    @Override
    public Ciphertext[] forward(Ciphertext[] input, ReluOracle relu, EncryptedRuntime runtime) {
        check(input.length);
        return relu.relu(input);
    }

    @Override
    public String describe() {
        return "ReLU (client-aided, masked), " + size + " elements";
    }
}
