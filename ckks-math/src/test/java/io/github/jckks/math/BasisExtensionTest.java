package io.github.jckks.math;

import static io.github.jckks.math.MathTestSupport.big;
import static io.github.jckks.math.MathTestSupport.centered;
import static io.github.jckks.math.MathTestSupport.randomBelow;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link BasisExtension} against the BigInteger CRT: x + u Q with 0 &lt;= u &lt; k, and the exact centred x. */
class BasisExtensionTest {
    /** Source primes (30 to 60 bits) then target primes (31 to 61 bits), all distinct. */
    private static final long[] ALL = Primes.nttPrimeChain(10, 60, 30, 45, 55, 35, 50, 61, 40, 31, 59);
    private static final long[] FROM = Arrays.copyOfRange(ALL, 0, 6);
    private static final long[] TO = Arrays.copyOfRange(ALL, 6, 10);
    private static final int N = 64;

    static Stream<Arguments> bases() {
        List<Arguments> l = new ArrayList<>();
        for (int k = 1; k <= FROM.length; k++) {
            for (int t = 1; t <= TO.length; t++) {
                l.add(Arguments.of(k, t));
            }
        }
        return l.stream();
    }

    private static BigInteger product(long[] primes) {
        BigInteger p = BigInteger.ONE;
        for (long q : primes) {
            p = p.multiply(big(q));
        }
        return p;
    }

    /** Random values in [0, Q) plus edges: 0, 1, -1, values 2^-35 Q away from +-Q/2, a multiple of q_0. */
    private static BigInteger[] inputs(BigInteger q, long q0, SplittableRandom rnd) {
        BigInteger[] x = new BigInteger[N];
        for (int c = 0; c < N; c++) {
            x[c] = randomBelow(rnd, q);
        }
        BigInteger half = q.shiftRight(1);
        BigInteger gap = q.shiftRight(35).max(BigInteger.ONE);
        BigInteger[] edges = {BigInteger.ZERO, BigInteger.ONE, q.subtract(BigInteger.ONE), BigInteger.TWO.min(q.subtract(BigInteger.ONE)),
            half.subtract(gap), half.add(BigInteger.ONE).add(gap), big(q0).multiply(big(3)).mod(q), q.subtract(big(q0)).mod(q)};
        System.arraycopy(edges, 0, x, 0, edges.length);
        for (int c = 0; c < edges.length; c++) {
            x[c] = x[c].mod(q);
        }
        return x;
    }

    private static RnsPoly poly(long[] primes, BigInteger[] x, int extraLimbs) {
        RnsPoly p = new RnsPoly(N, primes.length + extraLimbs, false);
        for (int i = 0; i < primes.length; i++) {
            for (int c = 0; c < N; c++) {
                p.limb(i)[c] = x[c].mod(big(primes[i])).longValueExact();
            }
        }
        for (int i = primes.length; i < p.limbCount(); i++) {
            Arrays.fill(p.limb(i), 12345); // garbage beyond the source basis must be ignored
        }
        return p;
    }

    @ParameterizedTest(name = "{0} -> {1} primes")
    @MethodSource("bases")
    void convertGivesXPlusASmallMultipleOfQ(int k, int t) {
        long[] from = Arrays.copyOf(FROM, k);
        long[] to = Arrays.copyOf(TO, t);
        BigInteger q = product(from);
        BasisExtension ext = new BasisExtension(new RnsBasis(from), new RnsBasis(to));
        BigInteger[] x = inputs(q, from[0], new SplittableRandom(31L * k + t));
        RnsPoly in = poly(from, x, 1);
        RnsPoly out = new RnsPoly(N, t, true);
        ext.convert(in, out);
        assertFalse(out.isNtt());
        // the reference: S = sum_i [x_i (Q/q_i)^-1]_{q_i} (Q/q_i), exactly
        BigInteger[] expectedSum = new BigInteger[N];
        for (int c = 0; c < N; c++) {
            BigInteger s = BigInteger.ZERO;
            for (long qi : from) {
                BigInteger bq = big(qi);
                BigInteger hat = q.divide(bq);
                s = s.add(x[c].multiply(hat.modInverse(bq)).mod(bq).multiply(hat));
            }
            expectedSum[c] = s;
            BigInteger[] ur = s.subtract(x[c]).divideAndRemainder(q);
            assertEquals(BigInteger.ZERO, ur[1], "S - x must be a multiple of Q");
            assertTrue(ur[0].signum() >= 0 && ur[0].compareTo(big(k)) < 0, "u = " + ur[0] + " not in [0, " + k + ")");
        }
        for (int j = 0; j < t; j++) {
            BigInteger p = big(to[j]);
            for (int c = 0; c < N; c++) {
                long got = out.limb(j)[c];
                assertTrue(got >= 0 && got < to[j]);
                assertEquals(expectedSum[c].mod(p).longValueExact(), got, "target prime " + j + ", coefficient " + c);
            }
        }
        // x = 0 has u = 0 (all y_i vanish)
        for (int j = 0; j < t; j++) {
            assertEquals(0, out.limb(j)[0]);
        }
    }

    @ParameterizedTest(name = "{0} -> {1} primes")
    @MethodSource("bases")
    void convertExactGivesTheCentredValue(int k, int t) {
        long[] from = Arrays.copyOf(FROM, k);
        long[] to = Arrays.copyOf(TO, t);
        BigInteger q = product(from);
        BasisExtension ext = new BasisExtension(new RnsBasis(from), new RnsBasis(to));
        BigInteger[] x = inputs(q, from[0], new SplittableRandom(97L * k + t));
        RnsPoly in = poly(from, x, 0);
        RnsPoly out = new RnsPoly(N, t + 1, false); // more output limbs than needed: the extra one is untouched
        Arrays.fill(out.limb(t), 777);
        ext.convertExact(in, out);
        assertFalse(out.isNtt());
        for (int j = 0; j < t; j++) {
            BigInteger p = big(to[j]);
            for (int c = 0; c < N; c++) {
                assertEquals(centered(x[c], q).mod(p).longValueExact(), out.limb(j)[c],
                        "target prime " + j + ", coefficient " + c + ", x = " + x[c]);
            }
        }
        for (long v : out.limb(t)) {
            assertEquals(777, v);
        }
    }

    /** Primes of 17 to 30 bits (NTT-friendly for N = 2^10): the SIMD path of {@link BasisExtension#convertExact}. */
    private static final long[] SMALL = Primes.nttPrimeChain(10, 30, 20, 29, 17, 25, 30, 21, 26, 18);

    static Stream<Arguments> smallBases() {
        List<Arguments> l = new ArrayList<>();
        for (int k = 1; k <= 5; k++) {
            for (int t = 1; t <= 4; t++) {
                l.add(Arguments.of(k, t));
            }
        }
        return l.stream();
    }

    @ParameterizedTest(name = "{0} -> {1} primes of at most 30 bits")
    @MethodSource("smallBases")
    void convertExactWithSmallPrimesGivesTheCentredValue(int k, int t) {
        long[] from = Arrays.copyOf(SMALL, k);
        long[] to = Arrays.copyOfRange(SMALL, 5, 5 + t);
        BigInteger q = product(from);
        BasisExtension ext = new BasisExtension(new RnsBasis(from), new RnsBasis(to));
        assertEquals(ModArith.fast() != null && k >= 2 && k <= 4, ext.usesSimd());
        SplittableRandom rnd = new SplittableRandom(13L * k + t);
        BigInteger[] x = inputs(q, from[0], rnd);
        // and residues at their extremes: x = -1 / +1 / q_i - 1 in every prime at once lie at 0, 1, Q - 1
        for (int c = 8; c < 16; c++) {
            x[c] = q.subtract(BigInteger.valueOf(c - 7));
        }
        RnsPoly in = poly(from, x, 0);
        RnsPoly out = new RnsPoly(N, t, false);
        ext.convertExact(in, out);
        for (int j = 0; j < t; j++) {
            BigInteger p = big(to[j]);
            for (int c = 0; c < N; c++) {
                assertEquals(centered(x[c], q).mod(p).longValueExact(), out.limb(j)[c],
                        "target prime " + j + ", coefficient " + c + ", x = " + x[c]);
            }
        }
    }

    /** convertExactForNtt: the same residues as convertExact, only reduced into [0, 3p), and the same after an NTT. */
    @ParameterizedTest(name = "{0} -> {1} primes of at most 30 bits")
    @MethodSource("smallBases")
    void convertExactForNttIsCongruentBelowThreeP(int k, int t) {
        long[] from = Arrays.copyOf(SMALL, k);
        long[] to = Arrays.copyOfRange(SMALL, 5, 5 + t);
        BasisExtension ext = new BasisExtension(new RnsBasis(from), new RnsBasis(to));
        SplittableRandom rnd = new SplittableRandom(17L * k + t);
        RnsPoly in = poly(from, inputs(product(from), from[0], rnd), 0);
        RnsPoly exact = new RnsPoly(N, t, false);
        RnsPoly lazy = new RnsPoly(N, t, false);
        ext.convertExact(in, exact);
        ext.convertExactForNtt(in, lazy);
        for (int j = 0; j < t; j++) {
            long p = to[j];
            NttTables tables = new NttTables(new Modulus(p), 6); // N = 64
            for (int c = 0; c < N; c++) {
                long v = lazy.limb(j)[c];
                assertTrue(v >= 0 && v < 3 * p, "target " + j + ", coefficient " + c + ": " + v);
                assertEquals(exact.limb(j)[c], v % p);
            }
            long[] a = exact.limb(j).clone();
            long[] b = lazy.limb(j).clone();
            NttKernels.get().forward(a, tables);
            NttKernels.get().forward(b, tables);
            assertArrayEquals(a, b, "after the forward NTT, target " + j);
        }
    }

    @Test
    void convertExactToTheSourcePrimesIsTheIdentityAndAgreesWithRnsBasis() {
        RnsBasis from = new RnsBasis(Arrays.copyOf(FROM, 4));
        RnsBasis to = new RnsBasis(TO);
        BasisExtension ext = new BasisExtension(from, to);
        assertSame(from, ext.from());
        assertSame(to, ext.to());
        BigInteger[] x = inputs(from.product(), FROM[0], new SplittableRandom(5));
        RnsPoly in = poly(from.primes(), x, 0);
        RnsPoly out = new RnsPoly(N, TO.length, false);
        ext.convertExact(in, out);
        // composing the converted residues in the target basis gives the centred value modulo P
        BigInteger p = to.product();
        for (int c = 0; c < N; c++) {
            long[] r = new long[TO.length];
            for (int j = 0; j < r.length; j++) {
                r[j] = out.limb(j)[c];
            }
            assertEquals(centered(x[c], from.product()), to.composeCentered(r), "coefficient " + c);
            assertTrue(from.product().compareTo(p) < 0);
        }
        // converting back from the target basis to the source basis recovers the input
        BasisExtension back = new BasisExtension(to, from);
        RnsPoly again = new RnsPoly(N, from.size(), false);
        back.convertExact(out, again);
        for (int i = 0; i < from.size(); i++) {
            assertArrayEquals(in.limb(i), again.limb(i), "round trip, limb " + i);
        }
    }

    @Test
    void scratchFollowsTheRingDegree() {
        BasisExtension ext = new BasisExtension(new RnsBasis(Arrays.copyOf(FROM, 3)), new RnsBasis(Arrays.copyOf(TO, 2)));
        for (int n : new int[] {64, 8, 256, 64}) {
            RnsPoly in = new RnsPoly(n, 3, false);
            for (int i = 0; i < 3; i++) {
                Arrays.fill(in.limb(i), FROM[i] - 5); // x = -5
            }
            RnsPoly out = new RnsPoly(n, 2, false);
            ext.convertExact(in, out);
            for (int j = 0; j < 2; j++) {
                for (long v : out.limb(j)) {
                    assertEquals(TO[j] - 5, v, "N = " + n);
                }
            }
        }
    }

    @Test
    void rejectsBadInputs() {
        BasisExtension ext = new BasisExtension(new RnsBasis(Arrays.copyOf(FROM, 3)), new RnsBasis(Arrays.copyOf(TO, 2)));
        RnsPoly out = new RnsPoly(N, 2, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ext.convert(new RnsPoly(N, 3, true), out));
        assertTrue(e.getMessage().contains("coefficient form"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ext.convertExact(new RnsPoly(N, 3, true), out));
        assertThrows(IllegalArgumentException.class, () -> ext.convert(new RnsPoly(N, 2, false), out));
        assertThrows(IllegalArgumentException.class, () -> ext.convert(new RnsPoly(N, 3, false), new RnsPoly(N, 1, false)));
        assertThrows(IllegalArgumentException.class, () -> ext.convertExact(new RnsPoly(N, 3, false), new RnsPoly(2 * N, 2, false)));
    }
}
