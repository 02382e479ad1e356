package io.github.jckks.nn.clientaided;

/**
 * What the element-wise activations of one round ({@link ReluActivation}, {@link Relu6Activation}) share: a size
 * (inputs = outputs), one round trip, the level rule of a masked round (inputs at level &ge; 1, outputs at L - 1)
 * and the input-count check. Package-private.
 */
abstract class ElementwiseActivation implements ClientAidedActivation {
    final int size;

    /** @param size number of elements */
    ElementwiseActivation(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size " + size + " < 1");
        }
        this.size = size;
    }

    @Override
    public final int inputSize() {
        return size;
    }

    @Override
    public final int outputSize() {
        return size;
    }

    @Override
    public final int roundTrips() {
        return 1;
    }

    @Override
    public final int outputLevel(int inputLevel, int topLevel) {
        ClientAidedActivation.requireRoundLevel(describe(), inputLevel, topLevel);
        return topLevel - 1;
    }

    /** @throws IllegalArgumentException if {@code n} inputs are not this activation's size */
    final void check(int n) {
        if (n != size) {
            throw new IllegalArgumentException(describe() + ": got " + n + " inputs");
        }
    }
}
