package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.Prng;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The whole depth of {@link CkksParameters#general16384Composite()} (N = 16384, 128-bit secure): x<sup>64</sup> by six
 * squarings, each relinearized and rescaled. Its levels are prime pairs up to 0.88 bits away from 2<sup>40</sup>, and
 * in a chain of products the log2 scale drifts as e<sub>l-1</sub> = 2 e<sub>l</sub> - &delta;<sub>l</sub>: the pairs
 * sit closest-to-2<sup>40</sup> at the top (rescaled first, so compounded most). Measured: scale 2<sup>32.3</sup> and max
 * error 2.9e-6 at depth 6 (with the closest pair at the bottom instead, the scale fell to 2<sup>-7</sup> and the
 * result was noise). Bounds: log2 scale above 30 and max error below 2e-5 at depth 6, below 1e-6 through depth 5.
 */
class CompositeChainTest {
    @Test
    void sixSquaringsKeepScaleAndPrecision() {
        CkksParameters params = CkksParameters.general16384Composite();
        CkksContext ctx = new CkksContext(params);
        KeyGenerator kg = new KeyGenerator(ctx, new Prng(new byte[Prng.SEED_BYTES]));
        Evaluator ev = new Evaluator(ctx, kg.evaluationKeys(true, false));
        CkksEncoder enc = new CkksEncoder(ctx);
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        int slots = params.slots();
        Random r = new Random(3);
        double[] x = new double[slots];
        for (int i = 0; i < slots; i++) {
            x[i] = 0.9 + 0.1 * r.nextDouble();
        }
        Ciphertext c = new Encryptor(ctx, kg.publicKey()).encrypt(enc.encode(x));
        double[] expected = x.clone();
        for (int depth = 1; depth <= 6; depth++) {
            c = ev.multiply(c, c);
            ev.relinearizeAndRescaleInPlace(c);
            for (int i = 0; i < slots; i++) {
                expected[i] *= expected[i];
            }
            PrecisionStats s = PrecisionStats.of(expected, enc.decode(dec.decrypt(c)));
            double log2Scale = Math.log(c.scale()) / Math.log(2);
            String what = "depth " + depth + ", scale 2^" + log2Scale + ": " + s;
            assertTrue(log2Scale > 30, what);
            assertTrue(s.maxError() < (depth < 6 ? 1e-6 : 2e-5), what);
        }
    }
}
