package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.Prng;
import io.github.jckks.math.RlweSampler;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Encryptions of zero for re-randomization: {@link Encryptor#encryptZeroModQ} (modulo Q<sub>l</sub> only) and
 * {@link Encryptor#encryptZero} (modulo Q<sub>l</sub>P, divided by P). Each is decrypted and its noise polynomial
 * checked coefficient by coefficient against the stated bounds.
 */
class EncryptZeroTest {
    /** N = 2^11, {30, 24, 24, 24} + {30}, scale 2^24: insecure, fast. */
    private static final CkksParameters P = CkksParameters.builder().logN(11).dataPrimeBits(30, 24, 24, 24)
            .specialPrimeBits(30).scale(0x1p24).insecureForTestsOnly().build();
    private static final CkksContext CTX = new CkksContext(P);
    private static final int N = P.n();
    /** Standard deviation of u e + e0 + e1 s for ternary u, s (density 2/3) and Gaussian e, e0, e1. */
    private static final double SIGMA_MOD_Q = RlweSampler.SIGMA * Math.sqrt(4.0 * N / 3 + 1);
    /** 7 standard deviations: a coefficient exceeds it with probability about 3e-12. */
    private static final double BOUND_MOD_Q = 7 * SIGMA_MOD_Q;

    private final KeyGenerator kg = new KeyGenerator(CTX, new Prng(seed(1)));
    private final PublicKey pk = kg.publicKey();
    private final Encryptor enc = new Encryptor(CTX, pk, null, new Prng(seed(2)));
    private final Decryptor dec = new Decryptor(CTX, kg.secretKey());
    private final CkksEncoder encoder = new CkksEncoder(CTX);

    private static byte[] seed(int b) {
        byte[] s = new byte[Prng.SEED_BYTES];
        s[0] = (byte) b;
        return s;
    }

    /**
     * The decryption of {@code ct} as signed integer coefficients, asserting that every limb holds the same small
     * integer (so no CRT is needed: the noise is far below every prime).
     */
    private long[] noise(Ciphertext ct) {
        RnsPoly m = dec.decrypt(ct).poly().copy();
        RnsRing rq = CTX.ringQ();
        rq.intt(m);
        long[] c = new long[N];
        Modulus q0 = rq.modulus(0);
        for (int j = 0; j < N; j++) {
            c[j] = q0.center(m.limb(0)[j]);
        }
        for (int i = 1; i < m.limbCount(); i++) {
            Modulus qi = rq.modulus(i);
            for (int j = 0; j < N; j++) {
                assertEquals(c[j], qi.center(m.limb(i)[j]), "limb " + i + " coefficient " + j);
            }
        }
        return c;
    }

    private static double rms(long[] c) {
        double s = 0;
        for (long v : c) {
            s += (double) v * v;
        }
        return Math.sqrt(s / c.length);
    }

    private static long maxAbs(long[] c) {
        long m = 0;
        for (long v : c) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Test
    void encryptZeroModQDecryptsToNoiseOfTheStatedSize() {
        for (int level = 0; level <= P.maxLevel(); level++) {
            double scale = 0x1p24 * (level + 1);
            Ciphertext z = enc.encryptZeroModQ(level, scale);
            assertEquals(level, z.level());
            assertEquals(2, z.size());
            assertEquals(scale, z.scale());
            assertNull(z.seed());
            long[] e = noise(z);
            // the noise u e + e0 + e1 s: below 7 sigma everywhere, below the hard bound 19 (2N + 1), and of the
            // stated standard deviation (not divided by P: within 15 % of sigma sqrt(4N/3 + 1) = 150 at N = 2048)
            assertTrue(maxAbs(e) <= BOUND_MOD_Q, "max |noise| " + maxAbs(e) + " above " + BOUND_MOD_Q);
            assertTrue(maxAbs(e) <= 19L * (2L * N + 1));
            double rms = rms(e);
            assertEquals(SIGMA_MOD_Q, rms, 0.15 * SIGMA_MOD_Q, "noise rms at level " + level);
            // in the slots: zero within 7 sigma sqrt(N) / scale
            double[][] slots = encoder.decodeComplex(dec.decrypt(z));
            double slotBound = 7 * SIGMA_MOD_Q * Math.sqrt(N) / scale;
            for (int i = 0; i < P.slots(); i++) {
                assertEquals(0, slots[0][i], slotBound, "real part of slot " + i);
                assertEquals(0, slots[1][i], slotBound, "imaginary part of slot " + i);
            }
        }
        // c1 is fresh every time
        Ciphertext a = enc.encryptZeroModQ(1, 0x1p24);
        Ciphertext b = enc.encryptZeroModQ(1, 0x1p24);
        assertFalse(Arrays.equals(a.part(1).limb(0), b.part(1).limb(0)));
    }

    @Test
    void encryptZeroDividedByPIsRoundingSized() {
        // (u e + e0 + e1 s) / P plus the ModDown's rounding r0 + r1 s: sd about sqrt(N / 18) = 10.7 at N = 2048
        double roundingSigma = Math.sqrt(N / 18.0) + 0.5;
        double bound = 7 * (roundingSigma + SIGMA_MOD_Q / P.specialPrimes()[0]) + 1;
        for (int level = 0; level <= P.maxLevel(); level++) {
            Ciphertext z = enc.encryptZero(level, P.defaultScale());
            assertEquals(level, z.level());
            assertEquals(P.defaultScale(), z.scale());
            long[] e = noise(z);
            assertTrue(maxAbs(e) <= bound, "max |noise| " + maxAbs(e) + " above " + bound);
            assertTrue(rms(e) < SIGMA_MOD_Q / 5, "P-divided noise rms " + rms(e) + " must be well below the mod-Q one");
        }
    }

    @Test
    void reRandomizingBeforeARescaleKeepsTheValues() {
        Random r = new Random(5);
        double[] x = new double[P.slots()];
        for (int i = 0; i < x.length; i++) {
            x[i] = 2 * r.nextDouble() - 1;
        }
        Evaluator ev = new Evaluator(CTX);
        Encryptor sym = new Encryptor(CTX, kg.secretKey());
        int level = P.maxLevel();
        double ql = ev.lastPrime(level);
        // the masking round's shape: a product at scale delta * q_l, re-randomized, rescaled
        Ciphertext ct = sym.encrypt(encoder, x, level, P.defaultScale());
        assertNotNull(ct.seed());
        Ciphertext reference = ct.copy();
        ev.multiplyScalarInPlace(ct, 1.0, ql);
        ev.multiplyScalarInPlace(reference, 1.0, ql);
        long[] c1Before = ct.partForReading(1).limb(0).clone();
        enc.addEncryptionOfZeroModQ(ct);
        assertNull(ct.seed(), "a re-randomized ciphertext has no seed");
        assertEquals(level, ct.level());
        assertEquals(P.defaultScale() * ql, ct.scale());
        assertFalse(Arrays.equals(c1Before, ct.part(1).limb(0)), "c1 changed");
        // before the rescale, the difference is exactly the encryption of zero's noise, within its bound
        Ciphertext diff = ev.sub(ct, reference);
        long[] e = noise(diff);
        assertTrue(maxAbs(e) <= BOUND_MOD_Q, "max |noise| " + maxAbs(e));
        assertTrue(maxAbs(e) > 0);
        // after it, it is gone below the rescale's rounding: both decrypt to x within the fresh-encryption error
        ev.rescaleInPlace(ct);
        ev.rescaleInPlace(reference);
        double[] got = encoder.decode(dec.decrypt(ct));
        double[] ref = encoder.decode(dec.decrypt(reference));
        double worst = 0;
        double diffWorst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - x[i]));
            diffWorst = Math.max(diffWorst, Math.abs(got[i] - ref[i]));
        }
        assertTrue(worst < 5e-3, "max error " + worst);
        // what re-randomizing changed after the rescale is of rescale-rounding size (two roundings of about
        // sqrt(N / 18) + 1 per coefficient, sqrt(N) / delta per slot, 7 sigma): the zero's own noise, divided by q_l,
        // is below 1e-4 of a coefficient
        double roundingBound = 7 * Math.sqrt(2) * (Math.sqrt(N / 18.0) + 1) * Math.sqrt(N) / P.defaultScale();
        assertTrue(diffWorst < roundingBound, "re-randomization moved a slot by " + diffWorst + " > " + roundingBound);
    }

    /**
     * The fused re-randomize-and-rescale equals the two steps bit for bit: drawn from the same generator, u, e0 and e1
     * are the same, and the rescale adds the errors in coefficient form instead of transforming them.
     */
    @Test
    void reRandomizingAndRescalingInOnePassEqualsTheTwoSteps() {
        Random r = new Random(6);
        double[] x = new double[P.slots()];
        for (int i = 0; i < x.length; i++) {
            x[i] = 2 * r.nextDouble() - 1;
        }
        Evaluator ev = new Evaluator(CTX);
        Encryptor sym = new Encryptor(CTX, kg.secretKey());
        for (int level = P.maxLevel(); level >= 1; level--) {
            Ciphertext a = sym.encrypt(encoder, x, level, P.defaultScale());
            ev.multiplyScalarInPlace(a, 1.0, ev.lastPrime(level));
            Ciphertext b = a.copy();
            new Encryptor(CTX, pk, null, new Prng(seed(40 + level))).addEncryptionOfZeroModQ(a);
            ev.rescaleInPlace(a);
            new Encryptor(CTX, pk, null, new Prng(seed(40 + level))).addEncryptionOfZeroAndRescale(b);
            assertEquals(a.level(), b.level());
            assertEquals(a.scale(), b.scale());
            assertNull(b.seed());
            for (int p = 0; p < 2; p++) {
                for (int i = 0; i <= a.level(); i++) {
                    assertTrue(Arrays.equals(a.part(p).limb(i), b.part(p).limb(i)), "part " + p + ", limb " + i);
                }
            }
            double[] got = encoder.decode(dec.decrypt(b));
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], got[i], 5e-3);
            }
        }
        Ciphertext bottom = sym.encrypt(encoder, x, 0, P.defaultScale());
        assertThrows(IllegalArgumentException.class, () -> enc.addEncryptionOfZeroAndRescale(bottom));
        assertThrows(IllegalStateException.class, () -> sym.addEncryptionOfZeroAndRescale(sym.encrypt(encoder, x, 1,
                P.defaultScale())), "a secret-key encryptor has no public key");
    }

    @Test
    void badInputIsRefused() {
        Encryptor sym = new Encryptor(CTX, kg.secretKey());
        assertThrows(IllegalStateException.class, () -> sym.encryptZeroModQ(0, 0x1p24));
        assertThrows(IllegalStateException.class, () -> sym.encryptZero(0, 0x1p24));
        assertThrows(IllegalArgumentException.class, () -> enc.encryptZeroModQ(-1, 0x1p24));
        assertThrows(IllegalArgumentException.class, () -> enc.encryptZeroModQ(P.maxLevel() + 1, 0x1p24));
        assertThrows(IllegalArgumentException.class, () -> enc.encryptZero(P.maxLevel() + 1, 0x1p24));
        assertThrows(IllegalArgumentException.class, () -> enc.encryptZeroModQ(0, 0));
        assertThrows(IllegalArgumentException.class, () -> enc.encryptZeroModQ(0, Double.NaN));
        Ciphertext x = enc.encryptZeroModQ(1, 0x1p24);
        Ciphertext three = new Evaluator(CTX).multiply(x, x);
        assertThrows(IllegalArgumentException.class, () -> enc.addEncryptionOfZeroModQ(three));
        CkksContext other = new CkksContext(CkksParameters.builder().logN(10).dataPrimeBits(30, 24).specialPrimeBits(30)
                .scale(0x1p24).insecureForTestsOnly().build());
        Ciphertext small = new Encryptor(other, new KeyGenerator(other).secretKey()).encrypt(new CkksEncoder(other)
                .encode(new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> enc.addEncryptionOfZeroModQ(small));
    }
}
