package io.github.jckks.math;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link MixedRadix#toCenteredDouble} against BigInteger: the centred value of every residue vector, within the
 * conversion's relative error (about 2^-52; stated bound 4 ulp of the value), for 1 to 4 primes (2 has its own path),
 * including the values at and around 0, Q/2 and Q - 1 and residue vectors with a zero first residue.
 */
class MixedRadixTest {
    /** Primes in both orders of size (q1 above and below q0 matters for the reduction of a0 modulo q1). */
    private static final long[] PRIMES = Primes.nttPrimeChain(4, 30, 21, 31, 25);

    /** Primes of at most 30 bits: the limb-major SIMD path for three primes or more. */
    private static final long[] SMALL = Primes.nttPrimeChain(4, 30, 21, 29, 25, 17, 30);

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void matchesBigInteger(int k) {
        matches(java.util.Arrays.copyOf(PRIMES, k), k);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 6})
    void matchesBigIntegerWithPrimesOfAtMost30Bits(int k) {
        matches(java.util.Arrays.copyOf(SMALL, k), 10 + k);
    }

    private static void matches(long[] primes, int seed) {
        int k = primes.length;
        RnsBasis basis = new RnsBasis(primes);
        MixedRadix mr = new MixedRadix(basis);
        BigInteger q = basis.product();
        BigInteger half = q.shiftRight(1);
        int n = 16;
        SplittableRandom r = new SplittableRandom(seed);
        BigInteger[] xs = new BigInteger[64 * n];
        int c = 0;
        for (BigInteger v : new BigInteger[] {BigInteger.ZERO, BigInteger.ONE, half.subtract(BigInteger.ONE), half,
                half.add(BigInteger.ONE), half.add(BigInteger.TWO), q.subtract(BigInteger.ONE), q.subtract(BigInteger.TWO)}) {
            xs[c++] = v;
        }
        // multiples of q0 (first residue 0) on both sides of Q/2
        BigInteger q0 = BigInteger.valueOf(primes[0]);
        for (int t = 0; t < 8; t++) {
            xs[c++] = new BigInteger(q.bitLength() + 8, new java.util.Random(t)).mod(q).divide(q0).multiply(q0);
        }
        while (c < xs.length) {
            xs[c++] = new BigInteger(q.bitLength() + 8, new java.util.Random(r.nextLong())).mod(q);
        }
        for (int base = 0; base < xs.length; base += n) {
            RnsPoly p = new RnsPoly(n, k, false);
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < k; i++) {
                    p.limb(i)[j] = xs[base + j].mod(BigInteger.valueOf(primes[i])).longValueExact();
                }
            }
            double[] out = new double[n];
            double divisor = 0x1p20;
            mr.toCenteredDouble(p, divisor, out, new long[k]);
            for (int j = 0; j < n; j++) {
                BigInteger x = xs[base + j];
                BigInteger centred = x.compareTo(half) > 0 ? x.subtract(q) : x;
                double expected = new BigDecimal(centred).divide(new BigDecimal(divisor), MathContext.DECIMAL128).doubleValue();
                assertEquals(expected, out[j], 4 * Math.ulp(expected) + Double.MIN_VALUE, "value " + x + " with " + k + " primes");
            }
        }
    }
}
