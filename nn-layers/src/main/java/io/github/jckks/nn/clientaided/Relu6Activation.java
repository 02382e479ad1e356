package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.nn.EncryptedRuntime;

/**
 * ReLU6(x) = min(max(x, 0), 6) = ReLU(x) - ReLU(x - 6): both halves of every element (2n ciphertexts,
 * independently masked and shuffled together) in one round trip; the subtraction is free. The client cannot
 * tell the halves apart except statistically (x - 6 is mostly negative): it learns which values exceed 6.
 */
public final class Relu6Activation extends ElementwiseActivation {
    /** The clipping bound. */
    public static final double CAP = 6;

    /** @param size number of elements */
    public Relu6Activation(int size) {
        super(size);
    }

    @Override
    public int ciphertextsPerEvaluation() {
        return 2 * size;
    }

    @Override
    public double[] forward(double[] input) {
        check(input.length);
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = Math.min(Math.max(input[i], 0), CAP);
        }
        return out;
    }

    @Override
    public Ciphertext[] forward(Ciphertext[] input, ReluOracle relu, EncryptedRuntime runtime) {
        check(input.length);
        Evaluator ev = runtime.evaluator();
        Ciphertext[] both = new Ciphertext[2 * size];
        io.github.jckks.nn.Packing packing = runtime.packing();
        runtime.parallelFor(size, i -> {
            both[i] = input[i];
            Ciphertext x = input[i];
            both[size + i] = switch (packing) {
                case REAL -> ev.addScalar(x, -CAP);
                case COMPLEX -> { // two real batches a + ib: x - 6 in both is x - (6 + 6i)
                    Ciphertext shifted = x.copy();
                    ev.addComplexScalarInPlace(shifted, -CAP, -CAP);
                    yield shifted;
                }
                // -6 in every coefficient (addScalar would reach value 0 only)
                case COEFFICIENT -> ev.addPlain(x, runtime.coefficientEncoder().encodeConstant(-CAP, x.level(), x.scale()));
            };
        });
        Ciphertext[] r = relu.relu(both);
        Ciphertext[] out = new Ciphertext[size];
        runtime.parallelFor(size, i -> {
            ev.subInPlace(r[i], r[size + i]);
            out[i] = r[i];
        });
        return out;
    }

    @Override
    public String describe() {
        return "ReLU6 = ReLU(x) - ReLU(x-6) (client-aided, masked, one round), " + size + " elements";
    }
}
