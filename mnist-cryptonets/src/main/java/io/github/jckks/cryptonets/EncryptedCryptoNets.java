package io.github.jckks.cryptonets;

import io.github.jckks.cryptonets.model.CryptoNetsShape;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.nn.LinearLayer;
import io.github.jckks.nn.Sequential;

/**
 * The CryptoNets network as an nn-layers {@link Sequential}: Conv 5x5 stride 2, 5 maps on the 28x28 image padded
 * to 29x29 (one zero row at the bottom, one zero column at the right) -&gt; x<sup>2</sup> -&gt; Dense 845-&gt;100 -&gt;
 * x<sup>2</sup> -&gt; Dense 100-&gt;10 (nGraph-HE2's variant, mean-pool folded into the dense layer). The builder's
 * level plan: conv (one rescale), square left three-part, dense 845-&gt;100 (one MAC pass over the three parts,
 * rescale, relinearize its 100 outputs, rescale), square, dense 100-&gt;10 (one rescale; the three-part result
 * is decrypted with s<sup>2</sup>, no rescale before decryption): depth 4, 100 relinearizations per batch.
 */
public final class EncryptedCryptoNets {
    /**
     * The logits are computed divided by this factor (folded into the last layer's weights and bias, which
     * leaves the argmax unchanged): the shipped model's logits reach about 86, and the output, decrypted at
     * level 1 (q<sub>0</sub>q<sub>1</sub> &asymp; 2<sup>55</sup>) with scale &asymp; 2<sup>48</sup>, holds values below
     * about 2<sup>6</sup>.
     */
    public static final double LOGIT_DIVISOR = 8;

    private EncryptedCryptoNets() {
    }

    /** @return the square-activation CryptoNets network for {@code weights} */
    public static Sequential build(CryptoNetsWeights weights) {
        double[][][] k = weights.convKernels();
        double[][][][] kernel = new double[k.length][1][][];
        for (int m = 0; m < k.length; m++) {
            kernel[m][0] = k[m];
        }
        int side = CryptoNetsShape.INPUT_SIDE;
        int pad = CryptoNetsShape.PADDED_SIDE - side;
        LinearLayer conv = LinearLayer.conv2d(1, side, side, kernel, weights.convBiases(), CryptoNetsShape.STRIDE,
                0, 0, pad, pad, 1);
        return switch (weights.activation()) {
            case SQUARE -> Sequential.builder()
                    .add(conv)
                    .square()
                    .add(LinearLayer.dense(weights.dense1Weights(), weights.dense1Biases()))
                    .square()
                    .add(LinearLayer.dense(scale(weights.dense2Weights(), 1 / LOGIT_DIVISOR),
                            scale(new double[][] {weights.dense2Biases()}, 1 / LOGIT_DIVISOR)[0]))
                    .build();
            default -> throw new UnsupportedOperationException("the " + weights.activation()
                    + " network needs client-aided activations, which this build does not run yet");
        };
    }

    private static double[][] scale(double[][] m, double f) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] *= f;
            }
        }
        return out;
    }
}
