package io.github.jckks.math;

import static io.github.jckks.math.MathTestSupport.big;
import static io.github.jckks.math.MathTestSupport.randomBelow;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link RnsBasis}: CRT composition and decomposition against BigInteger, validation and sub-bases. */
class RnsBasisTest {
    /** Six distinct primes of 30 to 61 bits (NTT-friendly for N = 2^12, though RnsBasis does not need it). */
    private static final long[] PRIMES = Primes.nttPrimeChain(12, 61, 30, 45, 60, 31, 50);

    private static BigInteger product(long[] primes) {
        BigInteger p = BigInteger.ONE;
        for (long q : primes) {
            p = p.multiply(big(q));
        }
        return p;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void composeInvertsDecompose(int k) {
        long[] primes = Arrays.copyOf(PRIMES, k);
        RnsBasis basis = new RnsBasis(primes);
        BigInteger q = product(primes);
        assertEquals(q, basis.product());
        assertEquals(k, basis.size());
        SplittableRandom rnd = new SplittableRandom(k);
        BigInteger[] edges = {BigInteger.ZERO, BigInteger.ONE, q.subtract(BigInteger.ONE), q.shiftRight(1),
            q.shiftRight(1).add(BigInteger.ONE), big(primes[0]).mod(q), big(primes[k - 1]).subtract(BigInteger.ONE)};
        for (int t = 0; t < 500 + edges.length; t++) {
            BigInteger x = t < edges.length ? edges[t] : randomBelow(rnd, q);
            long[] r = basis.decompose(x);
            for (int i = 0; i < k; i++) {
                assertEquals(x.mod(big(primes[i])).longValue(), r[i]);
                assertTrue(r[i] >= 0 && r[i] < primes[i]);
            }
            assertEquals(x, basis.compose(r), "compose(decompose(x)) for x = " + x);
            // and decompose(compose(r)) = r for arbitrary residues
            long[] s = new long[k];
            for (int i = 0; i < k; i++) {
                s[i] = rnd.nextLong(primes[i]);
            }
            BigInteger y = basis.compose(s);
            assertTrue(y.signum() >= 0 && y.compareTo(q) < 0);
            assertArrayEquals(s, basis.decompose(y));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 6})
    void composeCenteredRecoversSignedValues(int k) {
        long[] primes = Arrays.copyOf(PRIMES, k);
        RnsBasis basis = new RnsBasis(primes);
        BigInteger q = product(primes);
        BigInteger half = q.shiftRight(1); // Q is odd: the centred range is [-half, half]
        SplittableRandom rnd = new SplittableRandom(100 + k);
        BigInteger[] edges = {BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE.negate(), half, half.negate(),
            big(Long.MIN_VALUE).max(half.negate()), MathTestSupport.centered(big(-primes[0]), q)};
        for (int t = 0; t < 500 + edges.length; t++) {
            BigInteger x = t < edges.length ? edges[t] : randomBelow(rnd, q).subtract(half);
            long[] r = basis.decompose(x);
            assertEquals(x, basis.composeCentered(r), "composeCentered(decompose(x)) for x = " + x);
            assertEquals(x.mod(q), basis.compose(r));
        }
        // values beyond the centred range wrap by Q
        assertEquals(half.negate(), basis.composeCentered(basis.decompose(half.add(BigInteger.ONE))));
    }

    @Test
    void composeOfAPrefixOfResidues() {
        RnsBasis basis = new RnsBasis(PRIMES);
        SplittableRandom rnd = new SplittableRandom(3);
        BigInteger x = randomBelow(rnd, basis.product());
        long[] r = basis.decompose(x);
        for (int k = 1; k <= PRIMES.length; k++) {
            BigInteger qk = product(Arrays.copyOf(PRIMES, k));
            assertEquals(qk, basis.product(k));
            assertEquals(x.mod(qk), basis.compose(Arrays.copyOf(r, k)));
            assertEquals(MathTestSupport.centered(x, qk), basis.composeCentered(Arrays.copyOf(r, k)));
        }
        assertEquals(BigInteger.ZERO, basis.compose(new long[0]));
        assertThrows(IllegalArgumentException.class, () -> basis.compose(new long[PRIMES.length + 1]));
    }

    @Test
    void rejectsInvalidPrimes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RnsBasis(PRIMES[0], PRIMES[1], PRIMES[0]));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RnsBasis(PRIMES[0], 561));
        assertTrue(e.getMessage().contains("not prime") && e.getMessage().contains("index 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RnsBasis(PRIMES[0], 3215031751L));
        assertThrows(IllegalArgumentException.class, () -> new RnsBasis(1));
        assertThrows(IllegalArgumentException.class, () -> new RnsBasis(-7));
        e = assertThrows(IllegalArgumentException.class, RnsBasis::new);
        assertTrue(e.getMessage().contains("at least one"), e.getMessage());
    }

    @Test
    void prefixSubConcat() {
        RnsBasis basis = new RnsBasis(PRIMES);
        assertArrayEquals(PRIMES, basis.primes());
        for (int i = 0; i < PRIMES.length; i++) {
            assertEquals(PRIMES[i], basis.modulus(i).value());
        }
        assertSame(basis, basis.prefix(PRIMES.length));
        for (int k = 1; k <= PRIMES.length; k++) {
            RnsBasis p = basis.prefix(k);
            assertArrayEquals(Arrays.copyOf(PRIMES, k), p.primes());
            assertEquals(product(Arrays.copyOf(PRIMES, k)), p.product());
            assertEquals(new RnsBasis(Arrays.copyOf(PRIMES, k)), p);
            assertEquals(new RnsBasis(Arrays.copyOf(PRIMES, k)).hashCode(), p.hashCode());
        }
        RnsBasis s = basis.sub(2, 5);
        assertArrayEquals(Arrays.copyOfRange(PRIMES, 2, 5), s.primes());
        assertEquals(product(Arrays.copyOfRange(PRIMES, 2, 5)), s.product());
        RnsBasis c = basis.prefix(2).concat(basis.sub(2, 6));
        assertEquals(basis, c);
        assertArrayEquals(PRIMES, c.primes());
        assertEquals(basis.product(), c.product());
        assertNotEquals(basis.prefix(2), basis.sub(0, 3));
        assertNotEquals(new RnsBasis(PRIMES[1], PRIMES[0]), new RnsBasis(PRIMES[0], PRIMES[1]));

        assertThrows(IllegalArgumentException.class, () -> basis.prefix(0));
        assertThrows(IllegalArgumentException.class, () -> basis.prefix(PRIMES.length + 1));
        assertThrows(IllegalArgumentException.class, () -> basis.sub(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> basis.sub(3, 3));
        assertThrows(IllegalArgumentException.class, () -> basis.sub(4, 2));
        assertThrows(IllegalArgumentException.class, () -> basis.sub(0, PRIMES.length + 1));
        // concatenating overlapping bases would repeat a prime
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> basis.prefix(3).concat(basis.sub(2, 4)));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());

        double expectedLog2 = 0;
        for (long q : PRIMES) {
            expectedLog2 += Math.log(q) / Math.log(2);
        }
        assertEquals(expectedLog2, basis.log2Product(), 1e-9);
        assertEquals(basis.product().bitLength(), Math.ceil(basis.log2Product()), 0.0);
        assertTrue(basis.toString().contains(Long.toString(PRIMES[3])));
    }

    @Test
    void nonNttFriendlyPrimesAreAllowed() {
        // RnsBasis only needs distinct primes; NTT friendliness is checked by RnsRing
        RnsBasis b = new RnsBasis(3, 5, 7, 2305843009213693951L);
        assertEquals(big(3 * 5 * 7).multiply(big(2305843009213693951L)), b.product());
        assertEquals(big(-1).mod(b.product()), b.compose(b.decompose(big(-1))));
        assertEquals(Set.of(3L, 5L, 7L, 2305843009213693951L).size(), b.size());
    }
}
