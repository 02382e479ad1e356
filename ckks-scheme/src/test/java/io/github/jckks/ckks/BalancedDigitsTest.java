package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.Prng;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Key switching with digits of different widths at a real size: {@link CkksParameters#general16384CompositeBalanced()}
 * (N = 16384, 128-bit secure, digits of 2, 3, 3, 3 and 3 primes). Every key switch (relinearization, rotation,
 * conjugation) decrypts to the exact result within the stated bounds, at the top level and at a level where the
 * last digit is cut short. Bounds, at scale 2<sup>40</sup> for values in [-1, 1]: 1e-6 after a rotation or
 * conjugation (measured max 1.4e-7 to 1.7e-7; the uniform digits of general16384Composite: max 6.0e-8 to 7.9e-8, mean 7.6e-9) and 2e-7 after a
 * product relinearized and rescaled (measured 3.7e-8).
 */
class BalancedDigitsTest {
    @Test
    void keySwitchingIsExactWithinBoundsAtN16384() {
        CkksParameters params = CkksParameters.general16384CompositeBalanced();
        CkksContext ctx = new CkksContext(params);
        KeyGenerator kg = new KeyGenerator(ctx, new Prng(new byte[Prng.SEED_BYTES]));
        EvaluationKeys keys = kg.evaluationKeys(true, true, 1);
        assertEquals(5, keys.relinearization().digits());
        Evaluator ev = new Evaluator(ctx, keys);
        CkksEncoder enc = new CkksEncoder(ctx);
        Encryptor encryptor = new Encryptor(ctx, kg.publicKey());
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        int slots = params.slots();
        Random r = new Random(7);
        double[] x = new double[slots];
        double[] y = new double[slots];
        for (int i = 0; i < slots; i++) {
            x[i] = 2 * r.nextDouble() - 1;
            y[i] = 2 * r.nextDouble() - 1;
        }
        double[] rotated = new double[slots];
        double[] product = new double[slots];
        for (int i = 0; i < slots; i++) {
            rotated[i] = x[(i + 1) % slots];
            product[i] = x[i] * y[i];
        }
        Ciphertext cx = encryptor.encrypt(enc.encode(x));
        Ciphertext cy = encryptor.encrypt(enc.encode(y));
        // top level (14 primes, 5 digits) and level 9 (10 primes: digits 2, 3, 3 and the first two of the last)
        for (int level : new int[] {params.maxLevel(), 9}) {
            Ciphertext a = ev.dropLevel(cx, level);
            Ciphertext b = ev.dropLevel(cy, level);
            check(rotated, enc.decode(dec.decrypt(ev.rotate(a, 1))), 1e-6, "rotate at level " + level);
            check(x, enc.decode(dec.decrypt(ev.conjugate(a))), 1e-6, "conjugate at level " + level);
            Ciphertext p = ev.multiply(a, b);
            ev.relinearizeAndRescaleInPlace(p);
            check(product, enc.decode(dec.decrypt(p)), 2e-7, "multiply + relinearize + rescale at level " + level);
        }
    }

    private static void check(double[] expected, double[] actual, double bound, String what) {
        PrecisionStats s = PrecisionStats.of(expected, actual);
        assertTrue(s.maxError() <= bound, what + ": " + s);
    }
}
