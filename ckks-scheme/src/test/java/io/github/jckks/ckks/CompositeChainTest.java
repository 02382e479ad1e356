package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /**
     * With the inputs encoded at {@link CkksContext#levelScale} of the top level, the same chain rescales exactly onto
     * the per-level scales and ends at the default scale 2<sup>40</sup>; a product with a plaintext encoded at a
     * level's scale lands on the next level's scale too. Bounds: every scale within 1e-9 (relative) of the level's,
     * the final one 2^40; max error below 2e-6 at depth 6 (measured 5.9e-7, mean 1.9e-8; with the inputs at the
     * default scale, as in the test above: 2.9e-6, mean 3.6e-7).
     */
    @Test
    void levelScalesKeepTheChainOnTheDefaultScale() {
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
        int top = params.maxLevel();
        Ciphertext c = new Encryptor(ctx, kg.publicKey()).encrypt(enc.encode(x, top, ctx.levelScale(top)));
        double[] expected = x.clone();
        for (int depth = 1; depth <= 6; depth++) {
            c = ev.multiply(c, c);
            ev.relinearizeAndRescaleInPlace(c);
            for (int i = 0; i < slots; i++) {
                expected[i] *= expected[i];
            }
            assertEquals(ctx.levelScale(c.level()), c.scale(), 1e-9 * c.scale(), "scale at depth " + depth);
            PrecisionStats s = PrecisionStats.of(expected, enc.decode(dec.decrypt(c)));
            if (depth == 6) {
                assertTrue(s.maxError() < 2e-6, "depth 6: " + s);
            }
        }
        assertEquals(params.defaultScale(), c.scale(), 1e-9 * c.scale());
        // ct x pt at one level: both at that level's scale, the product rescales onto the next level's
        int l = 7;
        Ciphertext a = new Encryptor(ctx, kg.publicKey()).encrypt(enc.encode(x, l, ctx.levelScale(l)));
        Ciphertext p = ev.multiplyPlain(a, enc.encode(x, l, ctx.levelScale(l)));
        ev.rescaleInPlace(p);
        assertEquals(ctx.levelScale(l - 2), p.scale(), 1e-9 * p.scale());
        double[] sq = new double[slots];
        for (int i = 0; i < slots; i++) {
            sq[i] = x[i] * x[i];
        }
        assertTrue(PrecisionStats.of(sq, enc.decode(dec.decrypt(p))).maxError() < 1e-7);
        // levels that split a composite group hold no scale
        assertThrows(IllegalArgumentException.class, () -> ctx.levelScale(2));
        assertThrows(IllegalArgumentException.class, () -> ctx.levelScale(0));
    }
}
