package io.github.jckks.cryptonets;

import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsShape;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.math.Primes;
import io.github.jckks.nn.LinearLayer;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.Sequential;
import io.github.jckks.nn.clientaided.ClientAidedModel;
import io.github.jckks.nn.clientaided.MaskMode;
import java.util.HashSet;
import java.util.Set;

/**
 * The CryptoNets networks on encrypted batches, with the CKKS parameters each one runs with.
 *
 * <p><b>SQUARE</b> ({@link #build}): an nn-layers {@link Sequential}: Conv 5x5 stride 2, 5 maps on the 28x28 image
 * padded to 29x29 (one zero row at the bottom, one zero column at the right) -&gt; x<sup>2</sup> -&gt; Dense
 * 845-&gt;100 -&gt; x<sup>2</sup> -&gt; Dense 100-&gt;10 (nGraph-HE2's variant, mean-pool folded into the dense layer).
 * The builder's level plan: conv (one rescale), square left three-part, dense 845-&gt;100 (one MAC pass over the
 * three parts, rescale, relinearize its 100 outputs, rescale), square, dense 100-&gt;10 (one rescale; the
 * three-part result is decrypted with s<sup>2</sup>, no rescale before decryption): depth 4, 100
 * relinearizations per batch. Parameters: {@link CkksParameters#cryptoNets()}, which is the ring the level plan
 * picks for this network ({@code Sequential.parameters(packing, batch, 24, 30)} for either packing's full batch).
 *
 * <p><b>RELU</b> ({@link #buildClientAided}): a {@link ClientAidedModel}: conv -&gt; masked client-aided ReLU -&gt;
 * dense 845-&gt;100 -&gt; masked ReLU -&gt; dense 100-&gt;10. Parameters: {@link #reluParameters()}.
 */
public final class EncryptedCryptoNets {
    /**
     * The logits of the SQUARE network are computed divided by this factor (folded into the last layer's
     * weights and bias, which leaves the argmax unchanged): the shipped model's logits reach about 86, and the
     * output, decrypted at level 1 (q<sub>0</sub>q<sub>1</sub> &asymp; 2<sup>55</sup>) with scale &asymp;
     * 2<sup>48</sup>, holds values below about 2<sup>6</sup>.
     */
    public static final double LOGIT_DIVISOR = 8;

    /**
     * The logits of the RELU network are not divided: they reach about 40 on the test set and are decrypted at
     * level 1 (q<sub>0</sub>q<sub>1</sub> &asymp; 2<sup>51</sup>) with scale 2<sup>21</sup>, which holds values up to
     * 2<sup>29</sup>. The tight spot of that network is the second activation instead (see
     * {@link #reluParameters()}), where no divisor helps: the values sent are the masked pre-activations.
     */
    public static final double RELU_LOGIT_DIVISOR = 1;

    private EncryptedCryptoNets() {
    }

    /** @return the parameters the network of {@code activation} runs with, RELU with per-slot masks */
    public static CkksParameters parameters(Activation activation) {
        return parameters(activation, MaskMode.PER_SLOT);
    }

    /**
     * @return the parameters the network of {@code activation} runs with: SQUARE {@link CkksParameters#cryptoNets()};
     * RELU {@link #reluParameters()} with per-slot masks, {@link #foldedReluParameters()} with per-ciphertext masks
     * (folded into the weights, no level per activation)
     */
    public static CkksParameters parameters(Activation activation, MaskMode mask) {
        if (activation == Activation.SQUARE) {
            return CkksParameters.cryptoNets();
        }
        return mask == MaskMode.PER_CIPHERTEXT ? foldedReluParameters() : reluParameters();
    }

    /**
     * @return the parameters the network of {@code activation} runs with under {@code packing}: as
     * {@link #parameters(Activation, MaskMode)} for slot packings, {@link #coefficientReluParameters()} for
     * {@link Packing#COEFFICIENT}
     * @throws IllegalArgumentException for coefficient packing with the SQUARE network or per-slot masks (it needs
     *                                  linear layers and folded ReLUs only)
     */
    public static CkksParameters parameters(Activation activation, MaskMode mask, Packing packing) {
        if (packing != Packing.COEFFICIENT) {
            return parameters(activation, mask);
        }
        requireCoefficientPackable(activation, mask);
        return coefficientReluParameters();
    }

    /**
     * Refuses coefficient packing for a network it cannot run: the SQUARE network (its squares are products of
     * ciphertexts) or per-slot masks (a product by a plaintext of factors).
     *
     * @throws IllegalArgumentException naming what to change
     */
    public static void requireCoefficientPackable(Activation activation, MaskMode mask) {
        if (activation != Activation.RELU || mask != MaskMode.PER_CIPHERTEXT) {
            throw new IllegalArgumentException("coefficient packing runs the RELU network with per-ciphertext masks "
                    + "(--activation relu --mask per-ciphertext): it holds no slots, so no square and no per-slot mask; got "
                    + activation + " with " + mask + " masks");
        }
    }

    /**
     * The parameters of the RELU network under coefficient packing ({@link Packing#COEFFICIENT}) with folded
     * per-ciphertext masks: N = 2048, <b>one</b> data prime q<sub>0</sub> of 30 bits, no special prime, scale
     * &Delta; = 2<sup>11</sup>; log2 Q = 30, far inside the 128-bit bound for N = 2048 (54).
     *
     * <ul>
     * <li><b>No rescale.</b> With one prime nothing is rescaled: every linear layer encodes its weights at
     * &Delta;<sub>w</sub> = q<sub>0</sub> / (2 &middot; 256 &middot; &Delta;) &asymp; 2<sup>10</sup> and leaves its outputs at
     * scale &Delta; &Delta;<sub>w</sub> &asymp; q<sub>0</sub>/512 ({@code ClientAidedModel.UNRESCALED_VALUE_BOUND}: values
     * below 256, the headroom of the other rings' rounds; conv outputs times r reach 19, dense1's 121, logits 40); the
     * client decrypts there and answers at &Delta;.</li>
     * <li><b>Precision.</b> Coefficient encoding decodes an error e to e/&Delta; per image (no &radic;N of the canonical
     * embedding): the client's encryption error 3.2/2<sup>11</sup> (&sigma;), the re-randomization's 167/2<sup>21</sup>, and the
     * folded weights r<sub>o</sub> w / r<sub>i</sub> quantized to 2<sup>-11</sup>, i.e. w to 2<sup>-11</sup> r<sub>i</sub> /
     * r<sub>o</sub>, at most 2<sup>-7</sup> with factors in [1/4, 4]. A plaintext simulation of exactly these errors on the 10,000 test images (log-uniform
     * factors in [1/4, 4]) agreed with the plaintext network on 99.97-100 % of the images, logit error 0.03 mean.</li>
     * <li><b>Cost.</b> Half the limbs of {@link #foldedReluParameters()}: half the multiply-accumulates and bytes, no
     * rescale, and no FFT for the client.</li>
     * </ul>
     */
    public static CkksParameters coefficientReluParameters() {
        int logN = 11;
        long q0 = Primes.nttPrimes(30, logN, 1, new HashSet<>())[0];
        return CkksParameters.builder().logN(logN).dataPrimes(q0).specialPrimes().scale(0x1p11).build();
    }

    /**
     * The parameters of the RELU network with per-ciphertext masking factors folded into the weights
     * ({@code FoldingReluOracle} of nn-layers): N = 2048, data primes q<sub>0</sub> of 30 bits and q<sub>1</sub> of 24
     * bits, <b>no special prime</b> (the network never switches keys), scale &Delta; = 2<sup>21</sup>; log2 Q = 54,
     * exactly the 128-bit bound for N = 2048 (the paper's CryptoNets-ReLU ring, where it used one 54-bit prime).
     *
     * <ul>
     * <li><b>Levels.</b> A folded activation costs no level (the factors ride in the weights of conv/dense1 and
     * dense1/dense2), so each linear layer starts from a fresh encryption at L = 1 and rescales once (by q<sub>1</sub>,
     * its weights encoded at q<sub>1</sub>): conv 1 &rarr; 0, round; dense1 1 &rarr; 0, round; dense2 1 &rarr; 0,
     * decrypted.</li>
     * <li><b>Headroom.</b> The rounds send r&middot;x at level 0: |r x| &Delta; &lt; q<sub>0</sub>/2 allows |r x| &lt; 256,
     * as with {@link #reluParameters()} (conv outputs reach 4.8, dense1's 30.3, r &le; 4). Before each rescale the
     * values sit at &Delta; q<sub>1</sub> &asymp; 2<sup>45</sup> under Q/2 = 2<sup>53</sup>: room for |x| &lt; 256 again
     * (logits &le; 40, so no divisor).</li>
     * <li><b>Sizes.</b> Both primes are below 2<sup>31</sup> (MAC kernel) and at most 30 bits (vector NTT); 24 bits
     * quantize the weights (times r or 1/r) to about 6e-8.</li>
     * </ul>
     */
    public static CkksParameters foldedReluParameters() {
        int logN = 11;
        Set<Long> used = new HashSet<>();
        long q0 = Primes.nttPrimes(30, logN, 1, used)[0];
        used.add(q0);
        long q1 = Primes.nttPrimes(24, logN, 1, used)[0];
        return CkksParameters.builder().logN(logN).dataPrimes(q0, q1).specialPrimes().scale(0x1p21).build();
    }

    /**
     * The parameters of the RELU network: N = 4096, data primes q<sub>0</sub> of 30 bits and q<sub>1</sub>,
     * q<sub>2</sub>, q<sub>3</sub> of 21 bits, one 16-bit special prime (40961), scale &Delta; = 2<sup>21</sup>;
     * log2(QP) = 109, exactly the 128-bit bound for N = 4096.
     *
     * <ul>
     * <li><b>Levels.</b> Every masked activation costs two rescales (mask before sending, unmask after the
     * client's fresh encryption at the top level L), and a linear layer one. An answer enters at L: unmask
     * (L-1), dense1 (L-2, which must be &ge; 1 for the next mask), ReLU (sent at L-3, back at L-1), dense2 (L-2):
     * L = 3, four data primes. The inputs need only conv and the first mask, so the server asks for them at
     * level 2 ({@code ClientAidedModel.minimumInputLevel}): conv (2 -&gt; 1), first ReLU sent at level 0. N = 2048 (54 bits at 128-bit security) cannot hold four
     * NTT-friendly primes (each &ge; 12289, 14 bits) plus a special prime and the headroom below, so N = 4096
     * is the smallest ring.</li>
     * <li><b>Headroom.</b> The second activation sends r&middot;x at level 0, where |r x| &Delta; must stay below
     * q<sub>0</sub>/2: q<sub>0</sub>/&Delta; &asymp; 2<sup>9</sup> allows |r x| &lt; 256, i.e. |x| &lt; 64 with the
     * default factors r &le; 4. The shipped model's dense1 pre-activations reach 30.3 on the test set, its conv
     * outputs (the first activation, also sent at level 0) 4.8. The logits (&le; 40) are decrypted at level 1
     * (q<sub>0</sub>q<sub>1</sub> &asymp; 2<sup>51</sup>), with ample room, so the last layer is not divided
     * ({@link #RELU_LOGIT_DIVISOR}).</li>
     * <li><b>Prime sizes.</b> q<sub>0</sub> = 30 bits is the largest the vector NTT kernel handles (31-bit primes
     * fall back to the scalar kernel) and every prime is below 2<sup>31</sup> for the MAC kernel. Weights and
     * masking factors are encoded at the scale q<sub>l</sub> of the prime the next rescale drops, so the scale
     * returns to &Delta; exactly whatever the sizes of q<sub>1</sub>&hellip;q<sub>3</sub>; 21 bits quantize weights to
     * about 5e-7. The special prime is never used (no key switching: the network has no squares and no
     * relinearization) but the parameters need one, so it is the smallest NTT-friendly prime.</li>
     * <li><b>Precision.</b> With &Delta; = 2<sup>21</sup> the client's fresh encryption error (about 1e-4 per slot,
     * amplified by up to 1/r = 4 at unmasking) is far below the logit gaps that decide the argmax.</li>
     * </ul>
     */
    public static CkksParameters reluParameters() {
        int logN = 12;
        Set<Long> used = new HashSet<>();
        long q0 = Primes.nttPrimes(30, logN, 1, used)[0];
        used.add(q0);
        long[] mid = Primes.nttPrimes(21, logN, 3, used);
        for (long q : mid) {
            used.add(q);
        }
        long p = Primes.nttPrimes(16, logN, 1, used)[0];
        return CkksParameters.builder().logN(logN).dataPrimes(q0, mid[0], mid[1], mid[2]).specialPrimes(p)
                .scale(0x1p21).build();
    }

    /** @return the square-activation CryptoNets network for {@code weights} */
    public static Sequential build(CryptoNetsWeights weights) {
        if (weights.activation() != Activation.SQUARE) {
            throw new UnsupportedOperationException("the " + weights.activation()
                    + " network needs client-aided activations: use buildClientAided");
        }
        return Sequential.builder()
                .add(conv(weights))
                .square()
                .add(LinearLayer.dense(weights.dense1Weights(), weights.dense1Biases()))
                .square()
                .add(lastLayer(weights, LOGIT_DIVISOR))
                .build();
    }

    /**
     * @return the RELU CryptoNets network for {@code weights}: conv -&gt; masked client-aided ReLU -&gt; dense
     * 845-&gt;100 -&gt; masked ReLU -&gt; dense 100-&gt;10 (divided by {@link #RELU_LOGIT_DIVISOR})
     */
    public static ClientAidedModel buildClientAided(CryptoNetsWeights weights) {
        if (weights.activation() != Activation.RELU) {
            throw new IllegalArgumentException("buildClientAided runs the RELU model, got " + weights.activation());
        }
        return ClientAidedModel.builder()
                .add(conv(weights))
                .relu()
                .add(LinearLayer.dense(weights.dense1Weights(), weights.dense1Biases()))
                .relu()
                .add(lastLayer(weights, RELU_LOGIT_DIVISOR))
                .build();
    }

    /** @return the divisor folded into the last layer of the network of {@code activation} */
    public static double logitDivisor(Activation activation) {
        return activation == Activation.SQUARE ? LOGIT_DIVISOR : RELU_LOGIT_DIVISOR;
    }

    private static LinearLayer conv(CryptoNetsWeights weights) {
        double[][][] k = weights.convKernels();
        double[][][][] kernel = new double[k.length][1][][];
        for (int m = 0; m < k.length; m++) {
            kernel[m][0] = k[m];
        }
        int side = CryptoNetsShape.INPUT_SIDE;
        int pad = CryptoNetsShape.PADDED_SIDE - side;
        return LinearLayer.conv2d(1, side, side, kernel, weights.convBiases(), CryptoNetsShape.STRIDE, 0, 0, pad, pad, 1);
    }

    private static LinearLayer lastLayer(CryptoNetsWeights weights, double divisor) {
        return LinearLayer.dense(scale(weights.dense2Weights(), 1 / divisor),
                scale(new double[][] {weights.dense2Biases()}, 1 / divisor)[0]);
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
