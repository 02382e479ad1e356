package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Coefficient encoding: N values in the coefficients. Round trips, fresh encryptions (both keys) within their error
 * bound per value, the operations that act value by value (additions, products by constants, sums of products,
 * constants in every value, rescaling), and the refusals.
 */
class CoefficientEncoderTest {
    /** 3.2 sigma, the Gaussian sampler's bound of about 6 sigma: a fresh secret-key error per coefficient. */
    private static final double FRESH_BOUND = 20;

    private static CkksParameters twoPrimes() {
        return CkksParameters.builder().logN(10).dataPrimeBits(30, 24).specialPrimes().scale(0x1p20)
                .insecureForTestsOnly().build();
    }

    private static double[] values(long seed, int n, double bound) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextDouble() * 2 - 1) * bound;
        }
        return v;
    }

    @Test
    void encodeDecodeRoundTripsAtEveryLevel() {
        CkksParameters p = twoPrimes();
        CkksContext ctx = new CkksContext(p);
        CoefficientEncoder enc = new CoefficientEncoder(ctx);
        assertEquals(p.n(), enc.capacity());
        double[] v = values(1, p.n(), 100);
        for (int level = 0; level <= p.maxLevel(); level++) {
            double[] d = enc.decode(enc.encode(v, level, 0x1p20));
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], d[i], 0.5 / 0x1p20 + 1e-12, "value " + i + " at level " + level);
            }
        }
        // fewer values than N: the rest decode to zero
        double[] d = enc.decode(enc.encode(new double[] {1.5, -2.25}, 1, 0x1p10));
        assertEquals(1.5, d[0]);
        assertEquals(-2.25, d[1]);
        assertEquals(0, d[2]);
        assertEquals(0, d[p.n() - 1]);
    }

    @Test
    void freshEncryptionsDecryptWithinTheirErrorPerValue() {
        CkksParameters p = twoPrimes();
        CkksContext ctx = new CkksContext(p);
        KeyGenerator kg = new KeyGenerator(ctx);
        CoefficientEncoder enc = new CoefficientEncoder(ctx);
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        double[] v = values(2, p.n(), 1);
        double scale = 0x1p20;
        Encryptor sk = new Encryptor(ctx, kg.secretKey());
        Encryptor pk = new Encryptor(ctx, kg.publicKey());
        // secret key: the Gaussian error itself; public key: u e + e0 + e1 s, within 6 sigma sqrt(4N/3 + 1)
        double pkBound = 6 * 3.2 * Math.sqrt(4.0 * p.n() / 3 + 1);
        for (int level = 0; level <= p.maxLevel(); level++) {
            Ciphertext fused = sk.encrypt(enc, v, level, scale);
            assertNotNull(fused.seed(), "a secret-key encryption keeps its seed");
            assertClose(v, enc.decode(dec.decrypt(fused)), (FRESH_BOUND + 0.5) / scale, "fused, secret key, level " + level);
            assertClose(v, enc.decode(dec.decrypt(sk.encrypt(enc.encode(v, level, scale)))), (FRESH_BOUND + 0.5) / scale,
                    "secret key, level " + level);
            assertClose(v, enc.decode(dec.decrypt(pk.encrypt(enc, v, level, scale))), (pkBound + 0.5) / scale,
                    "public key, level " + level);
        }
    }

    @Test
    void linearOperationsActValueByValue() {
        CkksParameters p = twoPrimes();
        CkksContext ctx = new CkksContext(p);
        KeyGenerator kg = new KeyGenerator(ctx);
        CoefficientEncoder enc = new CoefficientEncoder(ctx);
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        Encryptor sk = new Encryptor(ctx, kg.secretKey());
        Evaluator ev = new Evaluator(ctx);
        double scale = p.defaultScale();
        int n = p.n();
        double[][] x = {values(3, n, 1), values(4, n, 1), values(5, n, 1)};
        Ciphertext[] cts = new Ciphertext[x.length];
        for (int k = 0; k < x.length; k++) {
            cts[k] = sk.encrypt(enc, x[k], 1, scale);
        }
        double tol = 1e-4; // fresh errors of 20/2^20 and weights quantized at q1 (2^24), times weights below 2
        // a + b, a - b
        double[] sum = enc.decode(dec.decrypt(ev.add(cts[0], cts[1])));
        for (int i = 0; i < n; i++) {
            assertEquals(x[0][i] + x[1][i], sum[i], tol, "sum value " + i);
        }
        // sum of products by real constants, then a constant in every value, then one rescale: value by value
        double[] w = {0.75, -1.5, 0.3125};
        double q1 = ev.lastPrime(1);
        Ciphertext acc = ev.dotScalar(cts, w, q1);
        ev.addPlainInPlace(acc, enc.encodeConstant(-0.5, 1, acc.scale()), false);
        ev.rescaleInPlace(acc);
        assertEquals(0, acc.level());
        assertEquals(scale, acc.scale(), 1e-6 * scale);
        double[] got = enc.decode(dec.decrypt(acc));
        for (int i = 0; i < n; i++) {
            double want = w[0] * x[0][i] + w[1] * x[1][i] + w[2] * x[2][i] - 0.5;
            assertEquals(want, got[i], tol, "value " + i + " of the rescaled sum of products");
        }
        // a product by a constant without rescaling: the scale multiplies, the values do too
        Ciphertext unrescaled = ev.multiplyScalar(cts[2], -3.25, 0x1p8);
        got = enc.decode(dec.decrypt(unrescaled));
        for (int i = 0; i < n; i++) {
            assertEquals(-3.25 * x[2][i], got[i], tol, "value " + i + " of the unrescaled product");
        }
    }

    @Test
    void aConstantReachesEveryValueWhereAddScalarReachesOnlyTheFirst() {
        CkksParameters p = twoPrimes();
        CkksContext ctx = new CkksContext(p);
        CoefficientEncoder enc = new CoefficientEncoder(ctx);
        double[] c = enc.decode(enc.encodeConstant(2.5, 0, 0x1p20));
        for (int i = 0; i < p.n(); i++) {
            assertEquals(2.5, c[i], 1e-12, "constant at value " + i);
        }
        // the evaluator's addScalar adds the constant polynomial: under coefficient encoding, value 0 only
        KeyGenerator kg = new KeyGenerator(ctx);
        Ciphertext ct = new Encryptor(ctx, kg.secretKey()).encrypt(enc, new double[p.n()], 0, 0x1p20);
        new Evaluator(ctx).addScalarInPlace(ct, 2.5);
        double[] d = enc.decode(new Decryptor(ctx, kg.secretKey()).decrypt(ct));
        assertEquals(2.5, d[0], 1e-4);
        assertEquals(0, d[1], 1e-4);
    }

    /**
     * addConstantInPlace gives, bit for bit, what adding the plaintext {@link CoefficientEncoder#encodeConstant} gives,
     * keeps the seed (c1 is untouched) and refuses what it cannot add.
     */
    @Test
    void addConstantInPlaceEqualsAddingTheEncodedConstant() {
        CkksParameters p = twoPrimes();
        CkksContext ctx = new CkksContext(p);
        KeyGenerator kg = new KeyGenerator(ctx);
        CoefficientEncoder enc = new CoefficientEncoder(ctx);
        Encryptor sk = new Encryptor(ctx, kg.secretKey());
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        double[] v = values(9, p.n(), 1);
        for (int level = 0; level <= p.maxLevel(); level++) {
            Ciphertext ct = sk.encrypt(enc, v, level, 0x1p20);
            Ciphertext want = ct.copy();
            new Evaluator(ctx).addPlainInPlace(want, enc.encodeConstant(-1.75, level, 0x1p20), false);
            enc.addConstantInPlace(ct, -1.75);
            assertNotNull(ct.seed(), "c1 is untouched: the seed stays");
            for (int i = 0; i <= level; i++) {
                assertArrayEquals(want.part(0).limb(i), ct.part(0).limb(i), "c0, limb " + i + ", level " + level);
                assertArrayEquals(want.part(1).limb(i), ct.part(1).limb(i), "c1, limb " + i + ", level " + level);
            }
            double[] d = enc.decode(dec.decrypt(ct));
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i] - 1.75, d[i], (FRESH_BOUND + 1) / 0x1p20, "value " + i);
            }
        }
        Ciphertext ct = sk.encrypt(enc, v, 0, 0x1p20);
        assertThrows(IllegalArgumentException.class, () -> enc.addConstantInPlace(ct, Double.NaN));
        String overflow = assertThrows(IllegalArgumentException.class, () -> enc.addConstantInPlace(ct, 1e3)).getMessage();
        assertTrue(overflow.contains("overflow"), overflow);
        CkksContext other = new CkksContext(CkksParameters.builder().logN(10).dataPrimeBits(29, 25).specialPrimes()
                .scale(0x1p20).insecureForTestsOnly().build());
        Ciphertext foreign = new Encryptor(other, new KeyGenerator(other).secretKey())
                .encrypt(new CoefficientEncoder(other), v, 0, 0x1p20);
        assertThrows(IllegalArgumentException.class, () -> enc.addConstantInPlace(foreign, 1), "another ring's ciphertext");
    }

    /**
     * decodeInto works in per-thread scratch: it leaves the plaintext as it was, gives what decode gives, refuses a
     * plaintext of another ring of the same degree, and an encryptor's reused encoding scratch leaves no value of
     * an earlier, longer vector behind.
     */
    @Test
    void scratchLeavesNothingBehind() {
        CkksParameters p = twoPrimes();
        CkksContext ctx = new CkksContext(p);
        KeyGenerator kg = new KeyGenerator(ctx);
        CoefficientEncoder enc = new CoefficientEncoder(ctx);
        Encryptor sk = new Encryptor(ctx, kg.secretKey());
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        Plaintext pt = enc.encode(values(10, p.n(), 3), 1, 0x1p20);
        long[] before = pt.poly().limb(1).clone();
        double[] once = enc.decode(pt);
        double[] twice = new double[p.n()];
        enc.decodeInto(pt, twice);
        assertArrayEquals(once, twice);
        assertArrayEquals(before, pt.poly().limb(1), "the plaintext is unchanged");
        CkksContext other = new CkksContext(CkksParameters.builder().logN(10).dataPrimeBits(29, 25).specialPrimes()
                .scale(0x1p20).insecureForTestsOnly().build());
        Plaintext foreign = new CoefficientEncoder(other).encode(new double[] {1}, 1, 0x1p20);
        assertThrows(IllegalArgumentException.class, () -> enc.decodeInto(foreign, new double[p.n()]));
        // a full vector, then two values: the other N - 2 must decrypt to zero, not to the first vector's values
        sk.encrypt(enc, values(11, p.n(), 50), 1, 0x1p20);
        double[] d = enc.decode(dec.decrypt(sk.encrypt(enc, new double[] {4, -4}, 1, 0x1p20)));
        assertEquals(4, d[0], 1e-4);
        assertEquals(-4, d[1], 1e-4);
        for (int i = 2; i < p.n(); i++) {
            assertEquals(0, d[i], (FRESH_BOUND + 0.5) / 0x1p20, "value " + i);
        }
    }

    @Test
    void badInputIsRefusedByName() {
        CkksParameters p = twoPrimes();
        CkksContext ctx = new CkksContext(p);
        CoefficientEncoder enc = new CoefficientEncoder(ctx);
        String tooMany = assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[p.n() + 1], 0, 0x1p20))
                .getMessage();
        assertTrue(tooMany.contains("at most " + p.n()), tooMany);
        String nan = assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[] {0, Double.NaN}, 0, 0x1p20))
                .getMessage();
        assertTrue(nan.contains("value 1"), nan);
        String overflow = assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[] {1e3}, 0, 0x1p20))
                .getMessage();
        assertTrue(overflow.contains("overflow"), overflow);
        assertThrows(IllegalArgumentException.class, () -> enc.encodeConstant(1e3, 0, 0x1p20));
        assertThrows(IllegalArgumentException.class, () -> enc.encodeConstant(Double.POSITIVE_INFINITY, 0, 0x1p20));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[4], 2, 0x1p20), "level above L");
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[4], 0, 0.5), "scale below 1");
        assertThrows(IllegalArgumentException.class, () -> enc.decodeInto(enc.encode(new double[4], 0, 2), new double[3]));
        // the fused encryption refuses an encoder of other parameters
        CkksContext other = new CkksContext(CkksParameters.builder().logN(11).dataPrimeBits(30, 24).specialPrimes()
                .scale(0x1p20).insecureForTestsOnly().build());
        Encryptor e = new Encryptor(ctx, new KeyGenerator(ctx).secretKey());
        String foreign = assertThrows(IllegalArgumentException.class,
                () -> e.encrypt(new CoefficientEncoder(other), new double[4], 0, 0x1p20)).getMessage();
        assertTrue(foreign.contains("encoder belongs to"), foreign);
    }

    /**
     * Scales near Q (2^66 and 2^100 on three 50-bit primes): coefficients beyond 2^61 take the fused encryption's
     * general branch (the message reduced from its doubles, the error added after); it decrypts as the two steps do.
     */
    @Test
    void hugeCoefficientsTakeTheGeneralBranch() {
        CkksParameters p = CkksParameters.builder().logN(10).dataPrimeBits(50, 50, 50).specialPrimes().scale(0x1p40)
                .insecureForTestsOnly().build();
        CkksContext ctx = new CkksContext(p);
        KeyGenerator kg = new KeyGenerator(ctx);
        CoefficientEncoder enc = new CoefficientEncoder(ctx);
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        Encryptor sk = new Encryptor(ctx, kg.secretKey());
        double[] v = values(8, p.n(), 1000);
        for (double scale : new double[] {0x1p66, 0x1p100}) {
            double tol = 1000 * 0x1p-52 * 4 + (FRESH_BOUND + 0.5) / scale; // the doubles' rounding dominates
            assertClose(v, enc.decode(dec.decrypt(sk.encrypt(enc, v, 2, scale))), tol, "fused at 2^" + Math.getExponent(scale));
            assertClose(v, enc.decode(dec.decrypt(sk.encrypt(enc.encode(v, 2, scale)))), tol,
                    "two steps at 2^" + Math.getExponent(scale));
            double[] c = enc.decode(enc.encodeConstant(-777.25, 2, scale));
            assertEquals(-777.25, c[0], tol);
            assertEquals(-777.25, c[p.n() - 1], tol);
        }
    }

    /** At a real size: the 128-bit CryptoNets ring (N = 8192, six primes), every value of a full vector. */
    @Test
    void realSizeRoundTripAndSumOfProducts() {
        CkksParameters p = CkksParameters.cryptoNets();
        CkksContext ctx = new CkksContext(p);
        KeyGenerator kg = new KeyGenerator(ctx);
        CoefficientEncoder enc = new CoefficientEncoder(ctx);
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        Encryptor sk = new Encryptor(ctx, kg.secretKey());
        Evaluator ev = new Evaluator(ctx);
        int top = p.maxLevel();
        double[] a = values(6, p.n(), 1);
        double[] b = values(7, p.n(), 1);
        Ciphertext ca = sk.encrypt(enc, a, top, p.defaultScale());
        Ciphertext cb = sk.encrypt(enc, b, top, p.defaultScale());
        assertClose(a, enc.decode(dec.decrypt(ca)), (FRESH_BOUND + 0.5) / p.defaultScale(), "fresh, N = 8192");
        Ciphertext acc = ev.dotScalar(new Ciphertext[] {ca, cb}, new double[] {2, -0.5}, ev.lastPrime(top));
        ev.rescaleInPlace(acc);
        double[] got = enc.decode(dec.decrypt(acc));
        for (int i = 0; i < p.n(); i++) {
            assertEquals(2 * a[i] - 0.5 * b[i], got[i], 1e-3, "value " + i);
        }
    }

    private static void assertClose(double[] want, double[] got, double tol, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol, what + ": value " + i);
        }
    }
}
