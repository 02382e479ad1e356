package io.github.jckks.cryptonets.train;

import io.github.jckks.cryptonets.model.CryptoNetsShape;

/**
 * Offsets of each tensor in the flat parameter vector, in the order of
 * {@link io.github.jckks.cryptonets.model.CryptoNetsWeights#flatParameters()}.
 */
final class ParameterLayout {
    static final int CONV_W = 0;
    static final int CONV_B = CONV_W + CryptoNetsShape.MAPS * CryptoNetsShape.KERNEL_AREA;
    static final int D1_W = CONV_B + CryptoNetsShape.MAPS;
    static final int D1_B = D1_W + CryptoNetsShape.HIDDEN * CryptoNetsShape.CONV_FEATURES;
    static final int D2_W = D1_B + CryptoNetsShape.HIDDEN;
    static final int D2_B = D2_W + CryptoNetsShape.CLASSES * CryptoNetsShape.HIDDEN;
    static final int SIZE = D2_B + CryptoNetsShape.CLASSES;

    private ParameterLayout() {
    }

    /** Whether parameter {@code i} is a bias (excluded from weight decay). */
    static boolean isBias(int i) {
        return (i >= CONV_B && i < D1_W) || (i >= D1_B && i < D2_W) || i >= D2_B;
    }
}
