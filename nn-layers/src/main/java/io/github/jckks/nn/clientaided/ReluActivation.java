package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.nn.EncryptedRuntime;

/** ReLU(x) = max(x, 0): one masked round trip for all elements. */
public final class ReluActivation implements ClientAidedActivation {
    private final int size;

    /** @param size number of elements */
    public ReluActivation(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size " + size + " < 1");
        }
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
    public int roundTrips() {
        return 1;
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
    public int outputLevel(int inputLevel, int topLevel) {
        ClientAidedActivation.requireRoundLevel(describe(), inputLevel, topLevel);
        return topLevel - 1;
    }

    private void check(int n) {
        if (n != size) {
            throw new IllegalArgumentException(describe() + ": got " + n + " inputs");
        }
    }

    @Override
    public String describe() {
        return "ReLU (client-aided, masked), " + size + " elements";
    }
}
