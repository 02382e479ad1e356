package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.Prng;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole depth of {@link CkksParameters#general16384Composite()} (N = 16384, 128-bit secure): x<sup>64</sup> by six
 * squarings, each relinearized and rescaled, for x uniform in [0.9, 1]. Its levels are prime pairs up to 0.88 bits
 * away from 2<sup>40</sup>, and in a chain of products the log2 scale drifts as e<sub>l-1</sub> = 2 e<sub>l</sub> -
 * &delta;<sub>l</sub>.
 */
class CompositeChainTest {
    private static CkksParameters params;
    private static CkksContext ctx;
    private static KeyGenerator kg;
    private static Evaluator ev;
    private static CkksEncoder enc;
    private static Decryptor dec;
    private static double[] x;

    @BeforeAll
    static void keys() {
        params = CkksParameters.general16384Composite();
        ctx = new CkksContext(params);
        kg = new KeyGenerator(ctx, new Prng(new byte[Prng.SEED_BYTES]));
        ev = new Evaluator(ctx, kg.evaluationKeys(true, false));
        enc = new CkksEncoder(ctx);
        dec = new Decryptor(ctx, kg.secretKey());
        Random r = new Random(3);
        x = new double[params.slots()];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.9 + 0.1 * r.nextDouble();
        }
    }

    /**
     * From the default scale: the pairs sit closest-to-2<sup>40</sup> at the top (rescaled first, so compounded most).
     * Measured: scale 2<sup>32.3</sup> and max error 2.9e-6 at depth 6 (with the closest pair at the bottom instead,
     * the scale fell to 2<sup>-7</sup> and the result was noise); max error 6.0e-7 at depth 5. Bounds (public-key
     * encryption draws fresh noise each run): log2 scale above 30 and max error below 3e-5 at depth 6, below 3e-6
     * through depth 5.
     */
    @Test
    void sixSquaringsKeepScaleAndPrecision() {
        squareSixTimes(params.defaultScale(), (depth, c, s) -> {
            double log2Scale = Math.log(c.scale()) / Math.log(2);
            String what = "depth " + depth + ", scale 2^" + log2Scale + ": " + s;
            assertTrue(log2Scale > 30, what);
            assertTrue(s.maxError() < (depth < 6 ? 3e-6 : 3e-5), what);
        });
    }

    /**
     * From {@link CkksContext#levelScale} of the top level the same chain rescales exactly onto the per-level scales
     * and ends at the default scale 2<sup>40</sup>; a product with a plaintext encoded at a level's scale lands on the
     * next level's scale too. Bounds: every scale within 1e-9 (relative) of the level's, the final one 2<sup>40</sup>;
     * max error below 3e-6 at depth 6 (measured 5.9e-7, mean 1.9e-8; from the default scale: 2.9e-6, mean 3.6e-7).
     */
    @Test
    void levelScalesKeepTheChainOnTheDefaultScale() {
        Ciphertext last = squareSixTimes(ctx.levelScale(params.maxLevel()), (depth, c, s) -> {
            assertEquals(ctx.levelScale(c.level()), c.scale(), 1e-9 * c.scale(), "scale at depth " + depth);
            if (depth == 6) {
                assertTrue(s.maxError() < 3e-6, "depth 6: " + s);
            }
        });
        assertEquals(params.defaultScale(), last.scale(), 1e-9 * last.scale());
        // ct x pt at one level: both at that level's scale, the product rescales onto the next level's
        int l = 7;
        Ciphertext a = new Encryptor(ctx, kg.publicKey()).encrypt(enc.encode(x, l, ctx.levelScale(l)));
        Ciphertext p = ev.multiplyPlain(a, enc.encode(x, l, ctx.levelScale(l)));
        ev.rescaleInPlace(p);
        assertEquals(ctx.levelScale(l - 2), p.scale(), 1e-9 * p.scale());
        double[] sq = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            sq[i] = x[i] * x[i];
        }
        assertTrue(PrecisionStats.of(sq, enc.decode(dec.decrypt(p))).maxError() < 1e-7);
        // levels that split a composite group of primes hold no scale
        assertThrows(IllegalArgumentException.class, () -> ctx.levelScale(2));
        assertThrows(IllegalArgumentException.class, () -> ctx.levelScale(0));
    }

    private interface DepthCheck {
        void check(int depth, Ciphertext c, PrecisionStats s);
    }

    /** x encrypted at the top level with {@code scale}, squared, relinearized and rescaled six times, checked each time. */
    private static Ciphertext squareSixTimes(double scale, DepthCheck check) {
        Ciphertext c = new Encryptor(ctx, kg.publicKey()).encrypt(enc.encode(x, params.maxLevel(), scale));
        double[] expected = x.clone();
        for (int depth = 1; depth <= 6; depth++) {
            c = ev.multiply(c, c);
            ev.relinearizeAndRescaleInPlace(c);
            for (int i = 0; i < expected.length; i++) {
                expected[i] *= expected[i];
            }
            check.check(depth, c, PrecisionStats.of(expected, enc.decode(dec.decrypt(c))));
        }
        return c;
    }
}
