package io.github.jckks.math;

import static io.github.jckks.math.MathTestSupport.big;
import static io.github.jckks.math.MathTestSupport.centered;
import static io.github.jckks.math.MathTestSupport.compose;
import static io.github.jckks.math.MathTestSupport.fromBig;
import static io.github.jckks.math.MathTestSupport.negacyclicMul;
import static io.github.jckks.math.MathTestSupport.randomBelow;
import static io.github.jckks.math.MathTestSupport.randomPoly;
import static io.github.jckks.math.MathTestSupport.roundDiv;
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
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RnsRing} against BigInteger references: the CRT composition of each coefficient, a naive negacyclic
 * product, the definition of the automorphisms and the exact rounding division of the rescale.
 */
class RnsRingTest {
    /** logN and prime sizes: 30/31-bit primes take the one-word Barrett path of ModArith, larger ones the 128-bit path. */
    private static final int[][] CONFIGS = {
        {4, 61, 30, 45, 32},
        {7, 60, 31, 50, 40},
        {10, 61, 45, 30, 58, 36},
    };
    private static final Map<String, RnsRing> RINGS = new ConcurrentHashMap<>();

    private static RnsRing ring(int[] config, NttKernel kernel) {
        return RINGS.computeIfAbsent(Arrays.toString(config) + kernel.name(), key -> {
            int logN = config[0];
            long[] primes = Primes.nttPrimeChain(logN, Arrays.copyOfRange(config, 1, config.length));
            return new RnsRing(logN, new RnsBasis(primes), kernel);
        });
    }

    static Stream<Arguments> rings() {
        List<Arguments> l = new ArrayList<>();
        for (NttKernel k : MathTestSupport.kernels()) {
            for (int[] c : CONFIGS) {
                RnsRing r = ring(c, k);
                l.add(Arguments.of(r, "N = " + r.n() + ", " + r.basis().size() + " primes, " + k.name() + " kernel"));
            }
        }
        return l.stream();
    }

    /** Rings small enough for the quadratic BigInteger negacyclic product. */
    static Stream<Arguments> smallRings() {
        return rings().filter(a -> ((RnsRing) a.get()[0]).n() <= 128);
    }

    private static RnsRing small() {
        return ring(CONFIGS[0], NttKernels.scalar());
    }

    private static BigInteger q(RnsRing ring, int limbs) {
        return ring.basis().product(limbs);
    }

    private static RnsPoly nttCopy(RnsRing ring, RnsPoly p) {
        RnsPoly c = p.copy();
        ring.ntt(c);
        return c;
    }

    private static RnsPoly inttCopy(RnsRing ring, RnsPoly p) {
        RnsPoly c = p.copy();
        ring.intt(c);
        return c;
    }

    private static void assertPolyEquals(RnsPoly expected, RnsPoly actual, String what) {
        assertEquals(expected.limbCount(), actual.limbCount(), what + ": limb count");
        assertEquals(expected.isNtt(), actual.isNtt(), what + ": form");
        for (int i = 0; i < expected.limbCount(); i++) {
            assertArrayEquals(expected.limb(i), actual.limb(i), what + ": limb " + i);
        }
    }

    private static void assertReduced(RnsRing ring, RnsPoly p) {
        for (int i = 0; i < p.limbCount(); i++) {
            long q = ring.modulus(i).value();
            for (long v : p.limb(i)) {
                assertTrue(v >= 0 && v < q, "residue " + v + " not in [0, " + q + ")");
            }
        }
    }

    // ------------------------------------------------------------------------------------------ transforms

    @ParameterizedTest(name = "{1}")
    @MethodSource("smallRings")
    void nttSlotsAreEvaluationsAtOddPowersOfPsiInBitReversedOrder(RnsRing ring, String label) {
        int n = ring.n();
        RnsPoly a = randomPoly(ring, ring.basis().size(), false, new SplittableRandom(1));
        RnsPoly e = nttCopy(ring, a);
        assertTrue(e.isNtt());
        for (int i = 0; i < a.limbCount(); i++) {
            BigInteger q = big(ring.modulus(i).value());
            BigInteger psi = big(ring.tables(i).psi());
            for (int j = 0; j < n; j++) {
                int exponent = 2 * NttTables.bitReverse(j, ring.logN()) + 1;
                BigInteger x = psi.modPow(big(exponent), q);
                BigInteger acc = BigInteger.ZERO;
                for (int c = n - 1; c >= 0; c--) { // Horner
                    acc = acc.multiply(x).add(big(a.limb(i)[c])).mod(q);
                }
                assertEquals(acc.longValue(), e.limb(i)[j], "limb " + i + " slot " + j);
            }
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void nttRoundTripAndFormTags(RnsRing ring, String label) {
        int k = ring.basis().size();
        for (int limbs = 1; limbs <= k; limbs++) {
            RnsPoly a = randomPoly(ring, limbs, false, new SplittableRandom(limbs));
            RnsPoly b = a.copy();
            ring.ntt(b);
            assertTrue(b.isNtt());
            assertReduced(ring, b);
            RnsPoly twice = b.copy();
            ring.ntt(twice); // no-op on NTT form
            assertPolyEquals(b, twice, "ntt of an NTT-form polynomial");
            ring.intt(b);
            assertPolyEquals(a, b, "intt(ntt(a))");
            ring.intt(b); // no-op on coefficient form
            assertPolyEquals(a, b, "intt of a coefficient-form polynomial");
        }
    }

    // ------------------------------------------------------------------------------------------ additive

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void addSubNegateMatchBigInteger(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(2);
        int k = ring.basis().size();
        for (int limbs : new int[] {k, 1, k - 1}) {
            BigInteger q = q(ring, limbs);
            for (boolean ntt : new boolean[] {false, true}) {
                RnsPoly a = randomPoly(ring, limbs, ntt, rnd);
                RnsPoly b = randomPoly(ring, limbs, ntt, rnd);
                // edge residues
                for (int i = 0; i < limbs; i++) {
                    long qi = ring.modulus(i).value();
                    a.limb(i)[0] = qi - 1;
                    b.limb(i)[0] = qi - 1;
                    a.limb(i)[1] = 0;
                    b.limb(i)[1] = 0;
                    a.limb(i)[2] = 0;
                    b.limb(i)[2] = qi - 1;
                }
                BigInteger[] x = compose(ring.basis(), a);
                BigInteger[] y = compose(ring.basis(), b);
                RnsPoly sum = ring.newPoly(limbs, !ntt);
                RnsPoly diff = ring.newPoly(limbs, !ntt);
                RnsPoly neg = ring.newPoly(limbs, !ntt);
                ring.add(a, b, sum);
                ring.sub(a, b, diff);
                ring.negate(a, neg);
                assertEquals(ntt, sum.isNtt());
                assertEquals(ntt, diff.isNtt());
                assertEquals(ntt, neg.isNtt());
                BigInteger[] s = compose(ring.basis(), sum);
                BigInteger[] d = compose(ring.basis(), diff);
                BigInteger[] m = compose(ring.basis(), neg);
                for (int j = 0; j < ring.n(); j++) {
                    assertEquals(x[j].add(y[j]).mod(q), s[j], "add, coefficient " + j);
                    assertEquals(x[j].subtract(y[j]).mod(q), d[j], "sub, coefficient " + j);
                    assertEquals(x[j].negate().mod(q), m[j], "negate, coefficient " + j);
                }
                // in place (out aliases an input) gives the same
                RnsPoly c = a.copy();
                ring.add(c, b, c);
                assertPolyEquals(sum, c, "add in place");
                c = a.copy();
                ring.sub(c, b, c);
                assertPolyEquals(diff, c, "sub in place");
                c = b.copy();
                ring.sub(a, c, c);
                assertPolyEquals(diff, c, "sub in place (second operand)");
                c = a.copy();
                ring.negate(c, c);
                assertPolyEquals(neg, c, "negate in place");
            }
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void operationsUseTheFirstOutLimbsOfLongerInputs(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(3);
        int k = ring.basis().size();
        RnsPoly a = randomPoly(ring, k, true, rnd);
        RnsPoly b = randomPoly(ring, k, true, rnd);
        RnsPoly full = ring.newPoly(k, true);
        RnsPoly low = ring.newPoly(2, true);
        ring.mulPointwise(a, b, full);
        ring.mulPointwise(a, b, low);
        assertPolyEquals(full.copy(2), low, "mulPointwise on a lower level");
        ring.add(a, b, full);
        ring.add(a, b, low);
        assertPolyEquals(full.copy(2), low, "add on a lower level");
    }

    // ------------------------------------------------------------------------------------------ multiplicative

    @ParameterizedTest(name = "{1}")
    @MethodSource("smallRings")
    void mulPointwiseInNttFormIsTheNegacyclicProduct(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(4);
        int k = ring.basis().size();
        for (int limbs : new int[] {k, 1}) {
            BigInteger q = q(ring, limbs);
            RnsPoly a = randomPoly(ring, limbs, false, rnd);
            RnsPoly b = randomPoly(ring, limbs, false, rnd);
            BigInteger[] expected = negacyclicMul(compose(ring.basis(), a), compose(ring.basis(), b), q);
            RnsPoly an = nttCopy(ring, a);
            RnsPoly bn = nttCopy(ring, b);
            RnsPoly c = ring.newPoly(limbs, false);
            ring.mulPointwise(an, bn, c);
            assertTrue(c.isNtt());
            assertReduced(ring, c);
            ring.intt(c);
            assertArrayEquals(expected, compose(ring.basis(), c), "a * b mod (X^N + 1, Q)");
            // in place
            ring.mulPointwise(an, bn, an);
            ring.intt(an);
            assertArrayEquals(expected, compose(ring.basis(), an), "a *= b");
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void mulPointwiseBySparsePolynomial(RnsRing ring, String label) {
        // a * (c0 + c1 X^t1 - c2 X^t2) against the BigInteger reference, cheap for any N
        SplittableRandom rnd = new SplittableRandom(5);
        int k = ring.basis().size();
        int n = ring.n();
        BigInteger q = q(ring, k);
        BigInteger[] sparse = new BigInteger[n];
        Arrays.fill(sparse, BigInteger.ZERO);
        sparse[0] = randomBelow(rnd, q);
        sparse[1 + rnd.nextInt(n - 1)] = randomBelow(rnd, q);
        sparse[n - 1] = q.subtract(BigInteger.ONE);
        RnsPoly s = fromBig(ring, sparse, k);
        RnsPoly a = randomPoly(ring, k, false, rnd);
        BigInteger[] expected = negacyclicMul(sparse, compose(ring.basis(), a), q);
        RnsPoly c = ring.newPoly(k, true);
        ring.mulPointwise(nttCopy(ring, s), nttCopy(ring, a), c);
        ring.intt(c);
        assertArrayEquals(expected, compose(ring.basis(), c));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void mulPointwiseAndMulAddPointwiseSlotBySlot(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(6);
        int k = ring.basis().size();
        RnsPoly a = randomPoly(ring, k, true, rnd);
        RnsPoly b = randomPoly(ring, k, true, rnd);
        for (int i = 0; i < k; i++) { // edge values
            long q = ring.modulus(i).value();
            a.limb(i)[0] = q - 1;
            b.limb(i)[0] = q - 1;
            a.limb(i)[1] = q - 1;
            b.limb(i)[1] = 0;
        }
        RnsPoly acc = randomPoly(ring, k, true, rnd);
        for (int i = 0; i < k; i++) {
            acc.limb(i)[0] = ring.modulus(i).value() - 1;
        }
        RnsPoly acc0 = acc.copy();
        RnsPoly prod = ring.newPoly(k, true);
        ring.mulPointwise(a, b, prod);
        ring.mulAddPointwise(a, b, acc);
        assertTrue(acc.isNtt());
        for (int i = 0; i < k; i++) {
            BigInteger q = big(ring.modulus(i).value());
            for (int j = 0; j < ring.n(); j++) {
                BigInteger p = big(a.limb(i)[j]).multiply(big(b.limb(i)[j]));
                assertEquals(p.mod(q).longValue(), prod.limb(i)[j], "product, limb " + i + " slot " + j);
                assertEquals(p.add(big(acc0.limb(i)[j])).mod(q).longValue(), acc.limb(i)[j], "acc, limb " + i + " slot " + j);
            }
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("smallRings")
    void mulAddPointwiseAccumulatesTheNegacyclicProduct(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(7);
        int k = ring.basis().size();
        BigInteger q = q(ring, k);
        RnsPoly a = randomPoly(ring, k, false, rnd);
        RnsPoly b = randomPoly(ring, k, false, rnd);
        RnsPoly acc = randomPoly(ring, k, false, rnd);
        BigInteger[] product = negacyclicMul(compose(ring.basis(), a), compose(ring.basis(), b), q);
        BigInteger[] acc0 = compose(ring.basis(), acc);
        ring.ntt(acc);
        ring.mulAddPointwise(nttCopy(ring, a), nttCopy(ring, b), acc);
        ring.intt(acc);
        BigInteger[] got = compose(ring.basis(), acc);
        for (int j = 0; j < ring.n(); j++) {
            assertEquals(acc0[j].add(product[j]).mod(q), got[j], "coefficient " + j);
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void mulScalarAndMulScalarAddInBothForms(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(8);
        int k = ring.basis().size();
        for (int limbs : new int[] {k, 2}) {
            BigInteger q = q(ring, limbs);
            RnsPoly a = randomPoly(ring, limbs, false, rnd);
            RnsPoly acc = randomPoly(ring, limbs, false, rnd);
            BigInteger[] x = compose(ring.basis(), a);
            BigInteger[] y = compose(ring.basis(), acc);
            for (int t = 0; t < 3; t++) {
                long[] c = new long[k]; // more residues than limbs is allowed
                for (int i = 0; i < k; i++) {
                    long qi = ring.modulus(i).value();
                    c[i] = t == 0 ? qi - 1 : t == 1 ? 0 : rnd.nextLong(qi);
                }
                BigInteger cc = ring.basis().compose(Arrays.copyOf(c, limbs));
                RnsPoly out = ring.newPoly(limbs, true);
                ring.mulScalar(a, c, out);
                assertFalse(out.isNtt());
                RnsPoly sum = acc.copy();
                ring.mulScalarAdd(a, c, sum);
                BigInteger[] p = compose(ring.basis(), out);
                BigInteger[] s = compose(ring.basis(), sum);
                for (int j = 0; j < ring.n(); j++) {
                    assertEquals(x[j].multiply(cc).mod(q), p[j], "mulScalar, coefficient " + j);
                    assertEquals(y[j].add(x[j].multiply(cc)).mod(q), s[j], "mulScalarAdd, coefficient " + j);
                }
                // NTT form: the same polynomial after the inverse transform
                RnsPoly an = nttCopy(ring, a);
                RnsPoly outN = ring.newPoly(limbs, false);
                ring.mulScalar(an, c, outN);
                assertTrue(outN.isNtt());
                assertPolyEquals(out, inttCopy(ring, outN), "mulScalar in NTT form");
                RnsPoly sumN = nttCopy(ring, acc);
                ring.mulScalarAdd(an, c, sumN);
                assertPolyEquals(sum, inttCopy(ring, sumN), "mulScalarAdd in NTT form");
                // in place
                RnsPoly inPlace = a.copy();
                ring.mulScalar(inPlace, c, inPlace);
                assertPolyEquals(out, inPlace, "mulScalar in place");
            }
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void addScalarInBothForms(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(9);
        int k = ring.basis().size();
        BigInteger q = q(ring, k);
        RnsPoly a = randomPoly(ring, k, false, rnd);
        long[] c = new long[k];
        for (int i = 0; i < k; i++) {
            c[i] = rnd.nextLong(ring.modulus(i).value());
        }
        c[0] = ring.modulus(0).value() - 1;
        BigInteger cc = ring.basis().compose(c);
        BigInteger[] x = compose(ring.basis(), a);
        // coefficient form: only the constant coefficient changes
        RnsPoly out = ring.newPoly(k, true);
        ring.addScalar(a, c, out);
        assertFalse(out.isNtt());
        BigInteger[] y = compose(ring.basis(), out);
        assertEquals(x[0].add(cc).mod(q), y[0]);
        for (int j = 1; j < ring.n(); j++) {
            assertEquals(x[j], y[j], "coefficient " + j + " must not change");
        }
        RnsPoly inPlace = a.copy();
        ring.addScalar(inPlace, c, inPlace);
        assertPolyEquals(out, inPlace, "addScalar in place, coefficient form");
        // NTT form: every slot moves by c, which is adding the constant polynomial c
        RnsPoly an = nttCopy(ring, a);
        RnsPoly outN = ring.newPoly(k, false);
        ring.addScalar(an, c, outN);
        assertTrue(outN.isNtt());
        for (int i = 0; i < k; i++) {
            long qi = ring.modulus(i).value();
            for (int j = 0; j < ring.n(); j++) {
                assertEquals((an.limb(i)[j] + c[i]) % qi, outN.limb(i)[j]);
            }
        }
        assertPolyEquals(out, inttCopy(ring, outN), "addScalar in NTT form = NTT(a + c)");
        ring.addScalar(an, c, an);
        assertPolyEquals(outN, an, "addScalar in place, NTT form");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void mulIntegerAndScalarResiduesWithSignedValues(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(10);
        int k = ring.basis().size();
        for (int limbs : new int[] {k, 1}) {
            BigInteger q = q(ring, limbs);
            RnsPoly a = randomPoly(ring, limbs, false, rnd);
            BigInteger[] x = compose(ring.basis(), a);
            for (long c : new long[] {0, 1, -1, -7, 3, 12345678901L, -12345678901L, Long.MIN_VALUE, Long.MAX_VALUE,
                Long.MIN_VALUE + 1, ring.modulus(0).value(), -ring.modulus(0).value(), rnd.nextLong()}) {
                long[] r = ring.scalarResidues(c, limbs);
                assertEquals(limbs, r.length);
                for (int i = 0; i < limbs; i++) {
                    assertEquals(big(c).mod(big(ring.modulus(i).value())).longValue(), r[i]);
                }
                RnsPoly out = ring.newPoly(limbs, false);
                ring.mulInteger(a, c, out);
                BigInteger[] y = compose(ring.basis(), out);
                for (int j = 0; j < ring.n(); j++) {
                    assertEquals(x[j].multiply(big(c)).mod(q), y[j], "c = " + c + ", coefficient " + j);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ring.scalarResidues(1, 0));
        assertThrows(IllegalArgumentException.class, () -> ring.scalarResidues(1, k + 1));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void setSignedReducesSignedCoefficients(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(11);
        int k = ring.basis().size();
        long[] coefficients = new long[ring.n()];
        for (int j = 0; j < coefficients.length; j++) {
            coefficients[j] = switch (j % 4) {
                case 0 -> rnd.nextInt(3) - 1;
                case 1 -> rnd.nextInt(39) - 19;
                default -> rnd.nextLong();
            };
        }
        coefficients[0] = Long.MIN_VALUE;
        coefficients[1] = Long.MAX_VALUE;
        coefficients[2] = -1;
        coefficients[3] = 0;
        RnsPoly out = ring.newPoly(k, true);
        ring.setSigned(coefficients, out);
        assertFalse(out.isNtt());
        assertReduced(ring, out);
        BigInteger[] y = compose(ring.basis(), out);
        for (int j = 0; j < ring.n(); j++) {
            // Q > 2^90 here, so the centred composition is the integer itself
            assertEquals(big(coefficients[j]), centered(y[j], q(ring, k)), "coefficient " + j);
        }
        RnsPoly low = ring.newPoly(1, false);
        ring.setSigned(coefficients, low);
        assertArrayEquals(out.limb(0), low.limb(0));
        assertThrows(IllegalArgumentException.class, () -> ring.setSigned(new long[ring.n() - 1], out));
        assertThrows(IllegalArgumentException.class, () -> ring.setSigned(new long[ring.n()], new RnsPoly(2 * ring.n(), 1, false)));
    }

    // ------------------------------------------------------------------------------------------ automorphisms

    private static int[] galoisElements(int n) {
        int twoN = 2 * n;
        List<Integer> l = new ArrayList<>(List.of(1, 3, 5, twoN - 1, twoN - 5, -1, -5, twoN + 3, 3 * twoN + 5, n + 1, n - 1));
        int g = 1;
        for (int k = 1; k <= 6; k++) {
            g = (int) ((long) g * 5 % twoN);
            l.add(g);
            l.add(twoN - g); // -5^k
        }
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void automorphismInCoefficientFormFollowsTheDefinition(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(12);
        int n = ring.n();
        int k = ring.basis().size();
        RnsPoly a = randomPoly(ring, k, false, rnd);
        for (int i = 0; i < k; i++) {
            a.limb(i)[1] = 0; // a zero coefficient must stay zero when negated
        }
        for (int galois : galoisElements(n)) {
            int g = Math.floorMod(galois, 2 * n);
            RnsPoly out = ring.newPoly(k, true);
            ring.automorphism(a, galois, out);
            assertFalse(out.isNtt());
            for (int i = 0; i < k; i++) {
                long q = ring.modulus(i).value();
                long[] expected = new long[n];
                for (int j = 0; j < n; j++) {
                    // X^j -> X^(j g) = (-1)^floor(j g / N) X^(j g mod N)
                    long e = (long) j * g % (2L * n);
                    long v = a.limb(i)[j];
                    if (e < n) {
                        expected[(int) e] = v;
                    } else {
                        expected[(int) (e - n)] = v == 0 ? 0 : q - v;
                    }
                }
                assertArrayEquals(expected, out.limb(i), "g = " + galois + ", limb " + i);
            }
        }
        // the identity
        RnsPoly id = ring.newPoly(k, false);
        ring.automorphism(a, 1, id);
        assertPolyEquals(a, id, "X -> X");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void automorphismInNttFormIsTheTransformOfTheCoefficientForm(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(13);
        int k = ring.basis().size();
        RnsPoly a = randomPoly(ring, k, false, rnd);
        RnsPoly an = nttCopy(ring, a);
        for (int galois : galoisElements(ring.n())) {
            RnsPoly coef = ring.newPoly(k, false);
            ring.automorphism(a, galois, coef);
            RnsPoly eval = ring.newPoly(k, false);
            ring.automorphism(an, galois, eval);
            assertTrue(eval.isNtt());
            assertPolyEquals(nttCopy(ring, coef), eval, "NTT(sigma_" + galois + "(a)) vs sigma_" + galois + "(NTT(a))");
            // fewer limbs: the first limbs of the same result
            RnsPoly low = ring.newPoly(2, false);
            ring.automorphism(an, galois, low);
            assertPolyEquals(eval.copy(2), low, "automorphism on a lower level");
        }
    }

    /** Key switching's lazy sums: first term written over anything, more added; 64-bit and 32-bit second operands. */
    @Test
    void lazyTwoPartSumsMatchReducedProducts() {
        for (NttKernel kernel : MathTestSupport.kernels()) {
            RnsRing ring = ring(new int[] {10, 30, 28, 24, 17}, kernel); // primes below 2^31: lazy products
            assertTrue(ring.lazyTerms() >= 8, "lazy terms " + ring.lazyTerms());
            assertTrue(ring.fitsCompact(4));
            lazyTwoPartSums(ring, 8);
        }
    }

    /**
     * dotScalar equals the sum of mulScalar products, limb by limb, past the lazy bound (40 terms of 30-bit primes),
     * with 31-bit primes, and with a prime above 31 bits (reduced per term); null rows are skipped; unreduced constants
     * are refused (the SIMD kernel reads 32 bits of them).
     */
    @Test
    void dotScalarMatchesTheSumOfScalarProducts() {
        for (NttKernel kernel : MathTestSupport.kernels()) {
            for (int[] config : new int[][] {{10, 30, 28, 24, 17}, {10, 31, 31}, {10, 50, 30}}) {
                RnsRing ring = ring(config, kernel);
                SplittableRandom rnd = new SplittableRandom(21);
                int k = ring.basis().size();
                int terms = 40;
                RnsPoly[] x = new RnsPoly[terms];
                long[][] c = new long[terms][];
                RnsPoly expected = ring.newPoly(k, true);
                RnsPoly product = ring.newPoly(k, true);
                for (int t = 0; t < terms; t++) {
                    x[t] = randomPoly(ring, k, true, rnd);
                    if (t % 9 == 4) {
                        continue; // a zero constant, given as a null row
                    }
                    c[t] = new long[k];
                    for (int i = 0; i < k; i++) {
                        c[t][i] = rnd.nextLong(ring.modulus(i).value());
                    }
                    ring.mulScalar(x[t], c[t], product);
                    ring.add(expected, product, expected);
                }
                RnsPoly out = ring.newPoly(k, true);
                ring.dotScalar(x, c, out);
                assertPolyEquals(expected, out, Arrays.toString(config) + " " + kernel.name());
                long[][] bad = c.clone();
                bad[0] = c[0].clone();
                bad[0][0] += ring.modulus(0).value();
                assertThrows(IllegalArgumentException.class, () -> ring.dotScalar(x, bad, out));
                assertThrows(IllegalArgumentException.class, () -> ring.dotScalar(x, Arrays.copyOf(c, 3), out));
                assertThrows(IllegalArgumentException.class, () -> ring.dotScalar(new RnsPoly[] {out}, new long[][] {c[0]}, out));
            }
        }
    }

    private static void lazyTwoPartSums(RnsRing ring, int terms) {
        SplittableRandom rnd = new SplittableRandom(16);
        int k = ring.basis().size();
        RnsPoly[] x = new RnsPoly[terms];
        RnsPoly[] y0 = new RnsPoly[terms];
        RnsPoly[] y1 = new RnsPoly[terms];
        RnsPoly e0 = ring.newPoly(k, true);
        RnsPoly e1 = ring.newPoly(k, true);
        for (int t = 0; t < terms; t++) {
            x[t] = randomPoly(ring, k, true, rnd);
            y0[t] = randomPoly(ring, k, true, rnd);
            y1[t] = randomPoly(ring, k, true, rnd);
            ring.mulAddPointwise(x[t], y0[t], e0);
            ring.mulAddPointwise(x[t], y1[t], e1);
        }
        for (boolean compact : new boolean[] {false, true}) {
            RnsPoly acc0 = randomPoly(ring, k, true, rnd); // garbage: the first term overwrites it
            RnsPoly acc1 = randomPoly(ring, k, true, rnd);
            for (int t = 0; t < terms; t++) {
                if (compact) {
                    ring.mulAddPointwiseLazy2(x[t], ring.compact(y0[t]), ring.compact(y1[t]), acc0, acc1, t == 0);
                } else {
                    ring.mulAddPointwiseLazy2(x[t], y0[t], y1[t], acc0, acc1, t == 0);
                }
            }
            ring.reduceLazy(acc0);
            ring.reduceLazy(acc1);
            assertPolyEquals(e0, acc0, "first sum, compact = " + compact);
            assertPolyEquals(e1, acc1, "second sum, compact = " + compact);
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void automorphismsCompose(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(14);
        int k = ring.basis().size();
        int twoN = 2 * ring.n();
        for (boolean ntt : new boolean[] {false, true}) {
            RnsPoly a = randomPoly(ring, k, ntt, rnd);
            int[] gs = {5, 25, twoN - 1, 3};
            for (int g : gs) {
                for (int h : gs) {
                    RnsPoly t = ring.newPoly(k, ntt);
                    RnsPoly gh = ring.newPoly(k, ntt);
                    ring.automorphism(a, h, t);
                    ring.automorphism(t, g, gh);
                    RnsPoly direct = ring.newPoly(k, ntt);
                    ring.automorphism(a, (int) ((long) g * h % twoN), direct);
                    assertPolyEquals(direct, gh, "sigma_" + g + " o sigma_" + h + ", ntt = " + ntt);
                }
            }
            // an automorphism is a ring homomorphism: sigma(a * b) = sigma(a) * sigma(b)
            if (ntt) {
                RnsPoly b = randomPoly(ring, k, true, rnd);
                RnsPoly ab = ring.newPoly(k, true);
                ring.mulPointwise(a, b, ab);
                RnsPoly left = ring.newPoly(k, true);
                ring.automorphism(ab, 5, left);
                RnsPoly sa = ring.newPoly(k, true);
                RnsPoly sb = ring.newPoly(k, true);
                ring.automorphism(a, 5, sa);
                ring.automorphism(b, 5, sb);
                RnsPoly right = ring.newPoly(k, true);
                ring.mulPointwise(sa, sb, right);
                assertPolyEquals(left, right, "sigma_5(a b)");
            }
        }
    }

    @Test
    void automorphismNttIndexIsAPermutationCachedPerElement() {
        RnsRing ring = ring(CONFIGS[1], NttKernels.scalar());
        int[] idx = ring.automorphismNttIndex(5);
        assertSame(idx, ring.automorphismNttIndex(5 + 2 * ring.n()));
        boolean[] seen = new boolean[ring.n()];
        for (int v : idx) {
            assertFalse(seen[v], "index " + v + " repeated");
            seen[v] = true;
        }
        int[] id = ring.automorphismNttIndex(1);
        for (int j = 0; j < ring.n(); j++) {
            assertEquals(j, id[j]);
        }
    }

    @Test
    void automorphismRejectsEvenElementsAndAliasing() {
        RnsRing ring = small();
        RnsPoly a = randomPoly(ring, 2, false, new SplittableRandom(15));
        RnsPoly out = ring.newPoly(2, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ring.automorphism(a, 4, out));
        assertTrue(e.getMessage().contains("even"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ring.automorphism(a, 0, out));
        assertThrows(IllegalArgumentException.class, () -> ring.automorphism(a, 2 * ring.n(), out));
        e = assertThrows(IllegalArgumentException.class, () -> ring.automorphism(a, 5, a));
        assertTrue(e.getMessage().contains("alias"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ring.automorphism(a, 5, a.view(1)));
        assertThrows(IllegalArgumentException.class, () -> ring.automorphism(a, 5, ring.newPoly(3, false)));
    }

    // ------------------------------------------------------------------------------------------ rescale

    /** Coefficients for the rescale: random in [0, Q) plus the rounding boundaries. */
    private static BigInteger[] rescaleInput(RnsRing ring, int limbs, SplittableRandom rnd) {
        BigInteger q = q(ring, limbs);
        BigInteger ql = big(ring.modulus(limbs - 1).value());
        BigInteger half = ql.shiftRight(1); // q_l odd: (q_l - 1) / 2
        BigInteger[] x = new BigInteger[ring.n()];
        for (int j = 0; j < x.length; j++) {
            x[j] = randomBelow(rnd, q);
        }
        BigInteger m = randomBelow(rnd, q.divide(ql)).multiply(ql);
        BigInteger[] edges = {BigInteger.ZERO, BigInteger.ONE, q.subtract(BigInteger.ONE), q.shiftRight(1),
            q.shiftRight(1).add(BigInteger.ONE), m.add(half), m.add(half).add(BigInteger.ONE), m.subtract(half),
            m.subtract(half).subtract(BigInteger.ONE), m, ql, half, half.add(BigInteger.ONE)};
        for (int j = 0; j < edges.length && j < x.length; j++) {
            x[j] = edges[j].mod(q);
        }
        return x;
    }

    private static void checkRescaled(RnsRing ring, BigInteger[] x, RnsPoly out, int limbs) {
        BigInteger q = q(ring, limbs);
        BigInteger ql = big(ring.modulus(limbs - 1).value());
        BigInteger qPrime = q(ring, limbs - 1);
        BigInteger[] y = compose(ring.basis(), out);
        for (int j = 0; j < x.length; j++) {
            assertEquals(roundDiv(x[j], ql).mod(qPrime), y[j], "round(x / q_l) mod Q', coefficient " + j + ", x = " + x[j]);
            // and, read centred, it is exactly the rounding of the centred input
            assertEquals(roundDiv(centered(x[j], q), ql), centered(y[j], qPrime),
                    "round([x]_Q / q_l), coefficient " + j + ", x = " + x[j]);
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void rescaleInCoefficientFormRoundsTheDivisionByTheLastPrime(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(16);
        for (int limbs = ring.basis().size(); limbs >= 2; limbs--) {
            BigInteger[] x = rescaleInput(ring, limbs, rnd);
            RnsPoly a = fromBig(ring, x, limbs);
            RnsPoly a0 = a.copy();
            RnsPoly out = ring.newPoly(limbs - 1, true);
            ring.rescale(a, out);
            assertFalse(out.isNtt());
            assertReduced(ring, out);
            assertPolyEquals(a0, a, "rescale must not modify its input");
            checkRescaled(ring, x, out, limbs);
            // in place, into a view of the input
            RnsPoly view = a.view(limbs - 1);
            ring.rescale(a, view);
            assertPolyEquals(out, view, "rescale into a.view(l)");
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void rescaleInNttFormEqualsTheCoefficientFormRescale(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(17);
        for (int limbs = ring.basis().size(); limbs >= 2; limbs--) {
            BigInteger[] x = rescaleInput(ring, limbs, rnd);
            RnsPoly a = fromBig(ring, x, limbs);
            RnsPoly an = nttCopy(ring, a);
            RnsPoly out = ring.newPoly(limbs - 1, false);
            ring.rescale(an, out);
            assertTrue(out.isNtt());
            assertReduced(ring, out);
            ring.intt(out);
            checkRescaled(ring, x, out, limbs);
            RnsPoly view = an.view(limbs - 1);
            ring.rescale(an, view);
            ring.intt(view);
            assertPolyEquals(out, view, "NTT-form rescale into a.view(l)");
        }
    }

    /** rescale(a, e, out) = round((a + e) / q_l) exactly, in both forms, with e never transformed by the caller. */
    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void rescaleWithSmallAddendRoundsTheDivisionOfTheSum(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(19);
        for (int limbs = ring.basis().size(); limbs >= 2; limbs--) {
            BigInteger[] x = rescaleInput(ring, limbs, rnd);
            long[] e = new long[ring.n()];
            for (int j = 0; j < e.length; j++) {
                e[j] = rnd.nextInt(-19, 20);
            }
            e[0] = -1;
            BigInteger q = q(ring, limbs);
            BigInteger[] sum = new BigInteger[x.length];
            for (int j = 0; j < x.length; j++) {
                sum[j] = x[j].add(BigInteger.valueOf(e[j])).mod(q);
            }
            RnsPoly a = fromBig(ring, x, limbs);
            RnsPoly out = ring.newPoly(limbs - 1, false);
            ring.rescale(a, e, out);
            assertReduced(ring, out);
            checkRescaled(ring, sum, out, limbs);
            RnsPoly an = nttCopy(ring, a);
            RnsPoly outN = ring.newPoly(limbs - 1, false);
            ring.rescale(an, e, outN);
            assertTrue(outN.isNtt());
            ring.intt(outN);
            assertPolyEquals(out, outN, "NTT form with a coefficient-form addend");
        }
        assertThrows(IllegalArgumentException.class, () -> ring.rescale(ring.newPoly(2, false), new long[3],
                ring.newPoly(1, false)));
        long[] huge = new long[ring.n()];
        huge[1] = ring.modulus(1).value();
        assertThrows(IllegalArgumentException.class, () -> ring.rescale(ring.newPoly(2, false), huge, ring.newPoly(1, false)),
                "an addend coefficient as large as a prime");
    }

    /** setSigned takes the short path for small coefficients and the Barrett path for large ones: same residues. */
    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void setSignedReducesSmallAndLargeCoefficients(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(20);
        long[] small = new long[ring.n()];
        long[] large = new long[ring.n()];
        for (int j = 0; j < small.length; j++) {
            small[j] = rnd.nextInt(-19, 20);
            large[j] = rnd.nextLong();
        }
        large[0] = Long.MIN_VALUE;
        for (long[] c : new long[][] {small, large}) {
            RnsPoly p = ring.newPoly(ring.basis().size(), true);
            ring.setSigned(c, p);
            assertFalse(p.isNtt());
            for (int i = 0; i < p.limbCount(); i++) {
                BigInteger qi = big(ring.modulus(i).value());
                for (int j = 0; j < c.length; j++) {
                    assertEquals(BigInteger.valueOf(c[j]).mod(qi).longValue(), p.limb(i)[j], "limb " + i + ", coefficient " + j);
                }
            }
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rings")
    void repeatedRescaleDividesByEachDroppedPrime(RnsRing ring, String label) {
        SplittableRandom rnd = new SplittableRandom(18);
        int k = ring.basis().size();
        BigInteger[] x = rescaleInput(ring, k, rnd);
        BigInteger[] expected = new BigInteger[x.length];
        for (int j = 0; j < x.length; j++) {
            expected[j] = centered(x[j], q(ring, k));
        }
        RnsPoly p = nttCopy(ring, fromBig(ring, x, k));
        for (int limbs = k; limbs >= 2; limbs--) {
            BigInteger ql = big(ring.modulus(limbs - 1).value());
            RnsPoly next = ring.newPoly(limbs - 1, true);
            ring.rescale(p, next);
            p = next;
            BigInteger qPrime = q(ring, limbs - 1);
            BigInteger[] y = compose(ring.basis(), inttCopy(ring, p));
            for (int j = 0; j < x.length; j++) {
                expected[j] = roundDiv(expected[j], ql);
                assertEquals(centered(expected[j], qPrime), centered(y[j], qPrime),
                        "after dropping prime " + (limbs - 1) + ", coefficient " + j);
            }
        }
    }

    @Test
    void rescaleIsThreadSafe() throws Exception {
        RnsRing ring = ring(CONFIGS[2], NttKernels.scalar());
        int k = ring.basis().size();
        List<RnsPoly> inputs = new ArrayList<>();
        List<RnsPoly> expected = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(19);
        for (int t = 0; t < 8; t++) {
            RnsPoly a = randomPoly(ring, k, t % 2 == 0, rnd);
            RnsPoly out = ring.newPoly(k - 1, false);
            ring.rescale(a, out);
            inputs.add(a);
            expected.add(out);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<RnsPoly>> futures = new ArrayList<>();
            for (int rep = 0; rep < 4; rep++) {
                for (RnsPoly a : inputs) {
                    futures.add(pool.submit(() -> {
                        RnsPoly out = ring.newPoly(k - 1, false);
                        ring.rescale(a, out);
                        return out;
                    }));
                }
            }
            for (int f = 0; f < futures.size(); f++) {
                assertPolyEquals(expected.get(f % inputs.size()), futures.get(f).get(), "concurrent rescale " + f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rescaleRejectsBadShapes() {
        RnsRing ring = small();
        RnsPoly one = ring.newPoly(1, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ring.rescale(one, ring.newPoly(1, false)));
        assertTrue(e.getMessage().contains("single prime"), e.getMessage());
        RnsPoly three = ring.newPoly(3, false);
        assertThrows(IllegalArgumentException.class, () -> ring.rescale(three, ring.newPoly(3, false)));
        assertThrows(IllegalArgumentException.class, () -> ring.rescale(three, ring.newPoly(1, false)));
        assertThrows(IllegalArgumentException.class, () -> ring.rescale(three, new RnsPoly(2 * ring.n(), 2, false)));
        assertThrows(IllegalArgumentException.class, () -> ring.rescale(new RnsPoly(2 * ring.n(), 3, false), ring.newPoly(2, false)));
    }

    // ------------------------------------------------------------------------------------------ validation

    @Test
    void constructorAndFactoryValidation() {
        long[] primes = Primes.nttPrimes(40, 4, 2, List.of());
        RnsBasis basis = new RnsBasis(primes);
        assertThrows(IllegalArgumentException.class, () -> new RnsRing(0, basis));
        assertThrows(IllegalArgumentException.class, () -> new RnsRing(18, basis));
        // the primes are 1 mod 32 but (almost surely) not 1 mod 2^11: not NTT-friendly for N = 2^10
        long notFriendly = primes[0] % 2048 == 1 ? primes[1] : primes[0];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RnsRing(10, new RnsBasis(notFriendly)));
        assertTrue(e.getMessage().contains("NTT-friendly"), e.getMessage());
        RnsRing ring = new RnsRing(4, basis);
        assertEquals(4, ring.logN());
        assertEquals(16, ring.n());
        assertSame(basis, ring.basis());
        assertEquals(primes[1], ring.modulus(1).value());
        assertEquals(NttKernels.get().supports(ring.modulus(0)) ? NttKernels.get() : NttKernels.scalar(), ring.kernel(0));
        assertEquals(16, ring.tables(1).n());
        assertThrows(IllegalArgumentException.class, () -> ring.newPoly(0, false));
        assertThrows(IllegalArgumentException.class, () -> ring.newPoly(3, false));
        RnsPoly p = ring.newPoly(2, true);
        assertEquals(16, p.n());
        assertEquals(2, p.limbCount());
        assertTrue(p.isNtt());
    }

    private static void assertIae(String what, Executable e) {
        assertThrows(IllegalArgumentException.class, e, what);
    }

    @Test
    void mismatchedDegreeLimbsAndFormsOfInputsAreRejected() {
        RnsRing ring = small(); // N = 16, 4 primes
        int n = ring.n();
        RnsPoly a = ring.newPoly(3, false);
        RnsPoly b = ring.newPoly(3, false);
        RnsPoly out = ring.newPoly(3, false);
        RnsPoly bigN = new RnsPoly(2 * n, 3, false);
        RnsPoly smallN = new RnsPoly(n / 2, 3, false);
        RnsPoly twoLimbs = ring.newPoly(2, false);
        RnsPoly fiveLimbs = new RnsPoly(n, 5, false);
        RnsPoly nttB = ring.newPoly(3, true);
        long[] s = new long[3];

        for (RnsPoly wrong : new RnsPoly[] {bigN, smallN}) {
            assertIae("add: degree of a", () -> ring.add(wrong, b, out));
            assertIae("add: degree of b", () -> ring.add(a, wrong, out));
            assertIae("add: degree of out", () -> ring.add(a, b, wrong));
            assertIae("sub: degree", () -> ring.sub(a, wrong, out));
            assertIae("sub: degree of out", () -> ring.sub(a, b, wrong));
            assertIae("mulPointwise: degree", () -> ring.mulPointwise(wrong, b, out));
            assertIae("mulPointwise: degree of out", () -> ring.mulPointwise(a, b, wrong));
            assertIae("mulAddPointwise: degree", () -> ring.mulAddPointwise(a, wrong, out));
            assertIae("mulAddPointwise: degree of acc", () -> ring.mulAddPointwise(a, b, wrong));
            assertIae("negate: degree", () -> ring.negate(wrong, out));
            assertIae("mulScalar: degree", () -> ring.mulScalar(wrong, s, out));
            assertIae("mulScalarAdd: degree", () -> ring.mulScalarAdd(wrong, s, out));
            assertIae("addScalar: degree", () -> ring.addScalar(wrong, s, out));
            assertIae("mulInteger: degree", () -> ring.mulInteger(wrong, 3, out));
            assertIae("ntt: degree", () -> ring.ntt(wrong));
            assertIae("intt: degree", () -> ring.intt(new RnsPoly(wrong.n(), 1, true)));
            assertIae("automorphism: degree", () -> ring.automorphism(wrong, 5, out));
            assertIae("setSigned: degree of out", () -> ring.setSigned(new long[n], wrong));
        }
        // inputs with fewer limbs than the output
        assertIae("add: limbs", () -> ring.add(twoLimbs, b, out));
        assertIae("add: limbs", () -> ring.add(a, twoLimbs, out));
        assertIae("sub: limbs", () -> ring.sub(twoLimbs, b, out));
        assertIae("mulPointwise: limbs", () -> ring.mulPointwise(a, twoLimbs, out));
        assertIae("mulAddPointwise: limbs", () -> ring.mulAddPointwise(a, twoLimbs, out));
        assertIae("negate: limbs", () -> ring.negate(twoLimbs, out));
        assertIae("mulScalar: limbs", () -> ring.mulScalar(twoLimbs, s, out));
        assertIae("mulScalar: too few scalar residues", () -> ring.mulScalar(a, new long[2], out));
        assertIae("mulScalarAdd: too few scalar residues", () -> ring.mulScalarAdd(a, new long[2], out));
        assertIae("addScalar: too few scalar residues", () -> ring.addScalar(a, new long[2], out));
        assertIae("automorphism: limbs", () -> ring.automorphism(twoLimbs, 5, out));
        // more limbs than the ring has primes
        assertIae("add: limbs beyond the basis", () -> ring.add(fiveLimbs, fiveLimbs, new RnsPoly(n, 5, false)));
        assertIae("ntt: limbs beyond the basis", () -> ring.ntt(fiveLimbs));
        assertIae("setSigned: limbs beyond the basis", () -> ring.setSigned(new long[n], fiveLimbs));
        // operands in different forms
        assertIae("add: forms", () -> ring.add(a, nttB, out));
        assertIae("sub: forms", () -> ring.sub(nttB, a, out));
        assertIae("mulPointwise: forms", () -> ring.mulPointwise(a, nttB, out));
        assertIae("mulAddPointwise: forms", () -> ring.mulAddPointwise(nttB, a, out));
    }

    /**
     * The output / accumulator of the unary and scalar operations must be validated like their inputs: an
     * output of another degree is otherwise half-written (larger N) or overrun (smaller N), and an accumulator in
     * the other form silently mixes coefficients and evaluations.
     */
    @Test
    void mismatchedOutputsOfUnaryAndScalarOperationsAreRejected() {
        RnsRing ring = small();
        int n = ring.n();
        RnsPoly a = ring.newPoly(3, false);
        RnsPoly aNtt = ring.newPoly(3, true);
        long[] s = new long[3];
        List<String> failures = new ArrayList<>();
        Consumer<Object[]> expectIae = args -> {
            try {
                ((Executable) args[1]).execute();
                failures.add(args[0] + ": no exception");
            } catch (IllegalArgumentException expected) {
                // good
            } catch (Throwable t) {
                failures.add(args[0] + ": " + t);
            }
        };
        for (int wrongN : new int[] {2 * n, n / 2}) {
            expectIae.accept(new Object[] {"negate into N = " + wrongN, (Executable) () -> ring.negate(a, new RnsPoly(wrongN, 3, false))});
            expectIae.accept(new Object[] {"mulScalar into N = " + wrongN, (Executable) () -> ring.mulScalar(a, s, new RnsPoly(wrongN, 3, false))});
            expectIae.accept(new Object[] {"mulInteger into N = " + wrongN, (Executable) () -> ring.mulInteger(a, 3, new RnsPoly(wrongN, 3, false))});
            expectIae.accept(new Object[] {"mulScalarAdd into N = " + wrongN, (Executable) () -> ring.mulScalarAdd(a, s, new RnsPoly(wrongN, 3, false))});
            expectIae.accept(new Object[] {"addScalar into N = " + wrongN, (Executable) () -> ring.addScalar(a, s, new RnsPoly(wrongN, 3, false))});
            expectIae.accept(new Object[] {"automorphism into N = " + wrongN, (Executable) () -> ring.automorphism(a, 5, new RnsPoly(wrongN, 3, false))});
        }
        expectIae.accept(new Object[] {"mulAddPointwise into a coefficient-form accumulator",
            (Executable) () -> ring.mulAddPointwise(aNtt, aNtt, ring.newPoly(3, false))});
        expectIae.accept(new Object[] {"mulScalarAdd of an NTT-form input into a coefficient-form accumulator",
            (Executable) () -> ring.mulScalarAdd(aNtt, s, ring.newPoly(3, false))});
        assertTrue(failures.isEmpty(), "expected IllegalArgumentException:\n  " + String.join("\n  ", failures));
    }
}
