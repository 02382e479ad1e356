package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.math.RnsPoly;

/**
 * The square activation x -&gt; x<sup>2</sup> (CryptoNets). Encrypted: one ciphertext product per element, left
 * three-part and unrescaled (<b>lazy relinearization and rescaling</b>: the next linear layer accumulates the
 * three parts and rescales twice, so only its far fewer outputs are relinearized). Cost: 3 (l+1) N products
 * per element. Under {@link Packing#COMPLEX complex packing} each element is squared slot-wise in both packed
 * batches ({@code Evaluator.squareComplexPacked}: one conjugation, i.e. one key switch, and 4 (l+1) N products),
 * leaving a factor 4 in the scale that the next linear layer removes.
 */
public final class SquareActivation implements Layer {
    private final int size;

    /** @param size number of elements */
    public SquareActivation(int size) {
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
        return 1;
    }

    @Override
    public double[] forward(double[] input) {
        double[] out = new double[input.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = input[i] * input[i];
        }
        return out;
    }

    @Override
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt) {
        rt.packing().requireSlots(describe());
        Ciphertext[] out = new Ciphertext[input.length];
        rt.parallelFor(input.length, i -> {
            Ciphertext x = input[i];
            int k = x.level() + 1;
            RnsPoly[] parts = {rt.limbs().take(k, true), rt.limbs().take(k, true), rt.limbs().take(k, true)};
            out[i] = rt.packing() == Packing.COMPLEX
                    ? rt.evaluator().squareComplexPackedInto(x, parts)
                    : rt.evaluator().squareInto(x, parts);
        });
        return out;
    }

    @Override
    public String describe() {
        return "Square (x^2), " + size + " elements, left unrelinearized";
    }
}
