package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Rerandomizer}: both encryptions of zero replace c<sub>1</sub> and keep the values, the modulo-Q one before a
 * rescale (the masking round) and the P-divided one on a ciphertext that is not rescaled (a result).
 */
class RerandomizerTest {
    /** N = 1024, {30, 25, 25}, scale 2^25: a fresh encryption and one rescale are good to about 1e-5 per slot. */
    private static final CkksContext CTX = Fixtures.smallContext(2);
    private static final double BOUND = 2e-4;

    private final KeyGenerator kg = new KeyGenerator(CTX);
    private final Encryptor sym = new Encryptor(CTX, kg.secretKey());
    private final Decryptor dec = new Decryptor(CTX, kg.secretKey());
    private final CkksEncoder encoder = new CkksEncoder(CTX);
    private final Evaluator ev = new Evaluator(CTX);
    private final Rerandomizer rr = new Rerandomizer(CTX, kg.publicKey(), 0);
    private final double[] x = values();

    private static double[] values() {
        Random r = new Random(9);
        double[] v = new double[CTX.parameters().slots()];
        for (int i = 0; i < v.length; i++) {
            v[i] = 8 * r.nextDouble() - 4;
        }
        return v;
    }

    private double maxError(Ciphertext ct) {
        double[] got = encoder.decode(dec.decrypt(ct));
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(got[i] - x[i]));
        }
        return m;
    }

    @Test
    void beforeRescaleKeepsTheValuesAndReplacesC1() {
        int l = CTX.maxLevel();
        Ciphertext ct = sym.encrypt(encoder, x, l, CTX.parameters().defaultScale());
        ev.multiplyScalarInPlace(ct, 1.0, ev.lastPrime(l)); // the masking product's scale, delta q_l
        long[] c1 = ct.part(1).limb(0).clone();
        rr.rerandomizeBeforeRescale(ct);
        assertFalse(Arrays.equals(c1, ct.part(1).limb(0)), "c1 replaced");
        ev.rescaleInPlace(ct);
        assertEquals(l - 1, ct.level());
        assertEquals(CTX.parameters().defaultScale(), ct.scale());
        double err = maxError(ct);
        assertTrue(err < BOUND, "max error " + err);
    }

    @Test
    void rerandomizeAndRescaleInOnePassKeepsTheValuesAndReplacesC1() {
        int l = CTX.maxLevel();
        Ciphertext ct = sym.encrypt(encoder, x, l, CTX.parameters().defaultScale());
        ev.multiplyScalarInPlace(ct, 1.0, ev.lastPrime(l));
        Ciphertext plain = ct.copy();
        ev.rescaleInPlace(plain);
        rr.rerandomizeAndRescale(ct);
        assertEquals(l - 1, ct.level());
        assertEquals(CTX.parameters().defaultScale(), ct.scale());
        assertFalse(Arrays.equals(plain.part(1).limb(0), ct.part(1).limb(0)), "c1 replaced");
        double err = maxError(ct);
        assertTrue(err < BOUND, "max error " + err);
        Ciphertext bottom = sym.encrypt(encoder, x, 0, CTX.parameters().defaultScale());
        assertThrows(IllegalArgumentException.class, () -> rr.rerandomizeAndRescale(bottom));
    }

    @Test
    void resultRerandomizationKeepsTheValuesWithoutARescale() {
        Ciphertext ct = sym.encrypt(encoder, x, 0, CTX.parameters().defaultScale());
        long[] c1 = ct.part(1).limb(0).clone();
        rr.apply(ct);
        assertEquals(0, ct.level());
        assertFalse(Arrays.equals(c1, ct.part(1).limb(0)), "c1 replaced");
        double err = maxError(ct);
        assertTrue(err < BOUND, "max error " + err);
    }

    @Test
    void beforeRescaleRefusesLevelZero() {
        Ciphertext ct = sym.encrypt(encoder, x, 0, CTX.parameters().defaultScale());
        assertThrows(IllegalArgumentException.class, () -> rr.rerandomizeBeforeRescale(ct));
        Ciphertext top = sym.encrypt(encoder, x, CTX.maxLevel(), CTX.parameters().defaultScale());
        Ciphertext three = ev.multiply(top, top);
        assertThrows(IllegalArgumentException.class, () -> rr.rerandomize(three));
        assertThrows(IllegalArgumentException.class, () -> rr.rerandomizeBeforeRescale(three));
    }
}
