package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.RnsPoly;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CkksEncoder}: round trips of real and complex vectors at every level and several scales, with the
 * stated bound N / (2 &Delta;) (each coefficient is rounded by at most 1/2, and a slot sums N of them); decoding
 * against an O(N<sup>2</sup>) reference evaluation of m(&zeta;<sup>5<sup>j</sup></sup>) / &Delta;; overflow and
 * bad-input checks.
 */
class EncoderTest {

    /** Scales tried at every level, when value * scale fits below Q_l / 2 with a bit to spare. */
    private static final double[] SCALES = {0x1p10, 0x1p20, 0x1p24, 0x1p30, 0x1p40, 0x1p50};

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.jckks.ckks.SchemeFixture#all")
    void roundTripAtEveryLevelAndScale(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        CkksEncoder enc = f.encoder;
        int n = f.params.n();
        double[] re = f.random(40);
        double[] im = f.random(41);
        RnsPoly probe;
        int checked = 0;
        for (int level = 0; level <= f.top(); level++) {
            double log2Q = f.ctx.ringQ().basis().prefix(level + 1).log2Product();
            for (double scale : SCALES) {
                if (Math.log(scale) / Math.log(2) + 2 > log2Q - 1) {
                    continue;
                }
                double bound = n / (2 * scale) + 1e-12;
                Plaintext pr = enc.encode(re, level, scale);
                assertEquals(level, pr.level());
                assertEquals(scale, pr.scale());
                PrecisionStats sr = PrecisionStats.of(re, enc.decode(pr));
                f.report("real round trip L" + level + " 2^" + Math.getExponent(scale), sr, bound);
                Plaintext pc = enc.encode(re, im, level, scale);
                double[][] d = enc.decodeComplex(pc);
                PrecisionStats sc = PrecisionStats.ofComplex(re, im, d[0], d[1]);
                f.report("complex round trip L" + level + " 2^" + Math.getExponent(scale), sc, 2 * bound);
                probe = pc.poly();
                assertTrue(probe.isNtt());
                checked++;
            }
        }
        assertTrue(checked >= f.top() + 1, "at least one scale per level");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.jckks.ckks.SchemeFixture#all")
    void shortVectorsFillTheRestWithZeros(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] v = {1.5, -2.25, 3.125};
        double[] d = f.encoder.decode(f.encoder.encode(v));
        double[] expected = Arrays.copyOf(v, f.slots);
        f.report("short vector", PrecisionStats.of(expected, d), f.params.n() / (2 * f.scale()) + 1e-12);
        double[][] c = f.encoder.decodeComplex(f.encoder.encode(v, new double[] {0, 1}, f.top(), f.scale()));
        assertEquals(1.0, c[1][1], 1e-6);
        assertEquals(0.0, c[1][2], 1e-6);
    }

    @Test
    void complexPackingCarriesTwoRealBatches() {
        SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_40);
        double[] a = f.random(42);
        double[] b = f.random(43);
        Plaintext p = f.encoder.encodeComplexPacked(a, b, f.top(), f.scale());
        double[][] d = f.encoder.decodeComplex(p);
        double bound = f.params.n() / (2 * f.scale());
        f.report("packed batch a (real parts)", PrecisionStats.of(a, d[0]), bound);
        f.report("packed batch b (imaginary parts)", PrecisionStats.of(b, d[1]), bound);
    }

    /**
     * decodeComplexInto (per-thread scratch) gives what decodeComplex gives and leaves the plaintext as it was; the
     * fused encryption's reused encoding scratch leaves no slot of an earlier, longer vector behind.
     */
    @Test
    void scratchLeavesNothingBehind() {
        SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_40);
        Plaintext p = f.encoder.encode(f.random(44), f.random(45), f.top(), f.scale());
        long[] before = p.poly().limb(0).clone();
        double[][] once = f.encoder.decodeComplex(p);
        double[] re = new double[f.slots];
        double[] im = new double[f.slots];
        f.encoder.decodeComplexInto(p, re, im);
        assertArrayEquals(once[0], re);
        assertArrayEquals(once[1], im);
        assertArrayEquals(before, p.poly().limb(0), "the plaintext is unchanged");
        assertThrows(IllegalArgumentException.class, () -> f.encoder.decodeComplexInto(p, re, new double[3]));
        Encryptor sk = new Encryptor(f.ctx, f.keyGen.secretKey());
        Decryptor dec = f.decryptor;
        sk.encrypt(f.encoder, f.random(46), f.random(47), f.top(), f.scale());
        double[][] d = f.encoder.decodeComplex(dec.decrypt(sk.encrypt(f.encoder, new double[] {2}, null, f.top(), f.scale())));
        assertEquals(2, d[0][0], 1e-4);
        for (int j = 1; j < f.slots; j++) {
            assertEquals(0, d[0][j], 1e-4, "real part of slot " + j);
        }
        for (int j = 0; j < f.slots; j++) {
            assertEquals(0, d[1][j], 1e-4, "imaginary part of slot " + j);
        }
    }

    /** Decoding equals the direct evaluation m(zeta^(5^j)) / scale, and encoding inverts it, for small N. */
    @ParameterizedTest(name = "logN = {0}")
    @ValueSource(ints = {3, 5, 8, 10})
    void decodeMatchesQuadraticReferenceEvaluation(int logN) {
        CkksParameters p = CkksParameters.builder().logN(logN).dataPrimeBits(50, 40).specialPrimeBits(51).scale(0x1p40)
                .insecureForTestsOnly().build();
        CkksContext ctx = new CkksContext(p);
        CkksEncoder enc = new CkksEncoder(ctx);
        int n = p.n();
        int slots = p.slots();
        Random r = new Random(logN);
        double[] re = new double[slots];
        double[] im = new double[slots];
        for (int j = 0; j < slots; j++) {
            re[j] = 4 * r.nextDouble() - 2;
            im[j] = 4 * r.nextDouble() - 2;
        }
        double scale = p.defaultScale();
        Plaintext pt = enc.encode(re, im, p.maxLevel(), scale);
        // the integer coefficients of m, by CRT
        RnsPoly c = pt.poly().copy();
        ctx.ringQ().intt(c);
        double[] coeff = new double[n];
        long[] residues = new long[c.limbCount()];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < residues.length; i++) {
                residues[i] = c.limb(i)[k];
            }
            BigInteger v = ctx.ringQ().basis().prefix(c.limbCount()).composeCentered(residues);
            coeff[k] = v.doubleValue();
        }
        // reference: slot j = m(zeta^(5^j)) / scale with zeta = exp(i pi / N), exponents reduced exactly mod 2N
        double[] refRe = new double[slots];
        double[] refIm = new double[slots];
        long twoN = 2L * n;
        long g = 1;
        for (int j = 0; j < slots; j++) {
            double sr = 0;
            double si = 0;
            for (int k = 0; k < n; k++) {
                long e = g * k % twoN;
                double angle = Math.PI * e / n;
                sr += coeff[k] * Math.cos(angle);
                si += coeff[k] * Math.sin(angle);
            }
            refRe[j] = sr / scale;
            refIm[j] = si / scale;
            g = g * 5 % twoN;
        }
        double[][] dec = enc.decodeComplex(pt);
        PrecisionStats vsReference = PrecisionStats.ofComplex(refRe, refIm, dec[0], dec[1]);
        assertTrue(vsReference.within(1e-11 * n), "decode vs O(N^2) reference, N = " + n + ": " + vsReference);
        // and the reference evaluation recovers the input within the rounding bound N / (2 scale)
        PrecisionStats vsInput = PrecisionStats.ofComplex(re, im, refRe, refIm);
        assertTrue(vsInput.within(n / (2 * scale) + 1e-12), "reference vs input, N = " + n + ": " + vsInput);
    }

    @Test
    void overflowRaisesIllegalArgumentException() {
        SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_40);
        double[] big = new double[f.slots];
        // a constant vector c encodes to the constant polynomial c * scale: at level 0 Q = q_0 < 2^50
        Arrays.fill(big, 512); // 2^9 * 2^40 = 2^49 >= Q_0 / 2
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.encoder.encode(big, 0, f.scale()));
        assertTrue(e.getMessage().contains("overflow"), e.getMessage());
        Arrays.fill(big, 200); // 2^47.6: fits
        assertEquals(200, f.encoder.decode(f.encoder.encode(big, 0, f.scale()))[7], 1e-6);
        // the same value fits at a higher level, and overflows again at a larger scale
        Arrays.fill(big, 512);
        assertEquals(512, f.encoder.decode(f.encoder.encode(big, 1, f.scale()))[3], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> f.encoder.encode(big, 1, 0x1p82)); // 2^91 > Q_1 / 2 (Q_1 about 2^90)
        // complex values too
        assertThrows(IllegalArgumentException.class, () -> f.encoder.encode(new double[1], fill(f.slots, 1e3), 0, f.scale()));
    }

    @Test
    void badInputsAreRefused() {
        SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_40);
        CkksEncoder enc = f.encoder;
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> enc.encode(new double[f.slots + 1]));
        assertTrue(tooMany.getMessage().contains("at most " + f.slots + " slots"), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[1], new double[f.slots + 1], 0, 0x1p20));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[] {Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[] {Double.POSITIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[] {1}, -1, 0x1p20));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[] {1}, f.top() + 1, 0x1p20));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[] {1}, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[] {1}, 0, Double.NaN));
    }

    private static double[] fill(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
