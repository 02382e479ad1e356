package io.github.jckks.math;

import static io.github.jckks.math.MathTestSupport.big;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Primes}: Miller-Rabin against BigInteger, and the NTT-friendly prime generators against brute force. */
class PrimesTest {
    private static final int CERTAINTY = 100;

    private static boolean reference(long n) {
        return n >= 2 && big(n).isProbablePrime(CERTAINTY);
    }

    @Test
    void isPrimeExhaustiveForSmallNumbers() {
        for (long n = -50; n <= 20_000; n++) {
            long v = n;
            assertEquals(reference(n), Primes.isPrime(n), () -> "isPrime(" + v + ")");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {
        // Carmichael numbers
        561, 1105, 1729, 2465, 2821, 6601, 8911, 10585, 15841, 29341, 41041, 46657, 52633, 62745, 63973,
        75361, 101101, 115921, 126217, 162401, 172081, 188461, 252601, 278545, 294409, 314821, 334153,
        340561, 399001, 410041, 449065, 488881, 512461, 9746347772161L, 1436697831295441L,
        // strong pseudoprimes to base 2
        2047, 3277, 4033, 4681, 8321, 42799, 49141, 65281, 74665, 80581, 85489, 88357, 90751,
        // strong pseudoprimes to all of the bases 2..7, 2..11, 2..13 and 2..17 respectively
        3215031751L, 2152302898747L, 3474749660383L, 341550071728321L,
        // squares of primes and semiprimes near 2^60
        1369, 1681, 1152921429444920521L /* 1073741789^2 */, 1152921470247108503L /* 1073741789 * 1073741827 */,
        // 2^59 - 1 and 2^61 - 3 (composite), 2^58 + 1 (composite)
        576460752303423487L, 2305843009213693949L, 288230376151711745L})
    void isPrimeRejectsPseudoprimesAndComposites(long n) {
        assertFalse(reference(n), "test data: " + n + " must be composite");
        assertFalse(Primes.isPrime(n), () -> "isPrime(" + n + ")");
    }

    @ParameterizedTest
    @ValueSource(longs = {2, 3, 5, 37, 41, 65537, 2147483647L /* 2^31 - 1 */, 4294967291L, 1152921504606846883L,
        2305843009213693951L /* 2^61 - 1 */, 2305843009213693921L})
    void isPrimeAcceptsPrimes(long n) {
        assertTrue(reference(n), "test data: " + n + " must be prime");
        assertTrue(Primes.isPrime(n), () -> "isPrime(" + n + ")");
    }

    @Test
    void isPrimeMatchesBigIntegerOnRandomValues() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int bits = 2; bits <= 61; bits++) {
            long lo = 1L << (bits - 1);
            for (int t = 0; t < 300; t++) {
                long n = lo + rnd.nextLong(lo);
                if (t % 2 == 1) {
                    n |= 1;
                }
                long v = n;
                assertEquals(reference(n), Primes.isPrime(n), () -> "isPrime(" + v + ")");
            }
        }
    }

    @Test
    void isPrimeOnRandomPrimesAndTheirProducts() {
        Random rnd = new Random(11);
        for (int t = 0; t < 150; t++) {
            int bits = 2 + rnd.nextInt(60);
            long p = BigInteger.probablePrime(bits, rnd).longValueExact();
            assertTrue(Primes.isPrime(p), "isPrime(" + p + ")");
            int bits2 = Math.max(2, Math.min(61 - bits, 2 + rnd.nextInt(30)));
            long p2 = BigInteger.probablePrime(bits2, rnd).longValueExact();
            BigInteger prod = big(p).multiply(big(p2));
            if (prod.bitLength() <= 61) {
                assertFalse(Primes.isPrime(prod.longValueExact()), "isPrime(" + p + " * " + p2 + ")");
            }
        }
    }

    /** Brute force: the first {@code count} primes = 1 mod 2N of exactly {@code bits} bits, from the top. */
    private static long[] referenceNttPrimes(int bits, int logN, int count, Set<Long> exclude) {
        long twoN = 2L << logN;
        List<Long> l = new ArrayList<>();
        for (long c = (1L << bits) - twoN + 1; c > (1L << (bits - 1)) && l.size() < count; c -= twoN) {
            if (!exclude.contains(c) && reference(c)) {
                l.add(c);
            }
        }
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    @ParameterizedTest
    @CsvSource({"5, 2, 1", "10, 3, 4", "20, 10, 3", "30, 12, 5", "31, 13, 4", "32, 13, 4", "40, 13, 4",
        "50, 15, 3", "55, 16, 3", "60, 16, 6", "61, 17, 3", "61, 1, 5", "20, 17, 1", "5, 3, 1"})
    void nttPrimesAreTheLargestNttFriendlyPrimesOfExactlyBits(int bits, int logN, int count) {
        long[] p = Primes.nttPrimes(bits, logN, count, Set.of());
        assertEquals(count, p.length);
        long twoN = 2L << logN;
        for (int i = 0; i < p.length; i++) {
            assertTrue(reference(p[i]), p[i] + " is not prime");
            assertEquals(bits, 64 - Long.numberOfLeadingZeros(p[i]), p[i] + " has the wrong bit length");
            assertEquals(1, p[i] % twoN, p[i] + " != 1 mod 2N");
            if (i > 0) {
                assertTrue(p[i] < p[i - 1], "not strictly descending");
            }
        }
        assertArrayEquals(referenceNttPrimes(bits, logN, count, Set.of()), p);
        assertArrayEquals(p, Primes.nttPrimes(bits, logN, count, Set.of()), "not deterministic");
        assertEquals(0, Primes.nttPrimes(bits, logN, 0, Set.of()).length);
    }

    @Test
    void nttPrimesSkipExcluded() {
        long[] first = Primes.nttPrimes(50, 14, 5, Set.of());
        Set<Long> exclude = Set.of(first[0], first[2]);
        long[] p = Primes.nttPrimes(50, 14, 3, exclude);
        assertArrayEquals(new long[] {first[1], first[3], first[4]}, p);
        assertArrayEquals(referenceNttPrimes(50, 14, 3, exclude), p);
        // excluding something irrelevant changes nothing
        assertArrayEquals(first, Primes.nttPrimes(50, 14, 5, Set.of(17L, 97L)));
        // the list helper
        assertEquals(List.of(first[0], first[1]), Primes.asList(new long[] {first[0], first[1]}));
    }

    @Test
    void nttPrimesReportImpossibleRequests() {
        // 2N = 2048: the only 12-bit candidate is 2049 = 3 * 683
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(12, 10, 1, Set.of()));
        assertTrue(e.getMessage().contains("only 0"), e.getMessage());
        // only 17 is a 5-bit prime = 1 mod 8
        e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(5, 2, 2, Set.of()));
        assertTrue(e.getMessage().contains("only 1") && e.getMessage().contains("2 requested"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(5, 2, 1, Set.of(17L)));
        assertTrue(e.getMessage().contains("only 0"), e.getMessage());
        // too many 20-bit primes for N = 2^12 (there are fewer than 128 candidates at all)
        e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(20, 12, 200, Set.of()));
        assertTrue(e.getMessage().contains("200 requested"), e.getMessage());
        // bits too small, too large; logN out of range; negative count
        e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(11, 10, 1, Set.of()));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(62, 10, 1, Set.of()));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(40, 0, 1, Set.of()));
        assertTrue(e.getMessage().contains("logN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(40, 18, 1, Set.of()));
        assertTrue(e.getMessage().contains("logN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimes(40, 10, -1, Set.of()));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"30, 12, 6", "40, 13, 5", "45, 15, 5", "55, 16, 4", "60, 16, 4", "20, 4, 8"})
    void nttPrimesNearAlternateAroundThePowerOfTwo(int bits, int logN, int count) {
        long[] p = Primes.nttPrimesNear(bits, logN, count, Set.of());
        long twoN = 2L << logN;
        long center = 1L << bits;
        // reference: the primes = 1 mod 2N nearest to 2^bits above and below, interleaved (above first)
        List<Long> up = new ArrayList<>();
        for (long c = center + 1; up.size() < count; c += twoN) {
            if (reference(c)) {
                up.add(c);
            }
        }
        List<Long> down = new ArrayList<>();
        for (long c = center - twoN + 1; down.size() < count; c -= twoN) {
            if (reference(c)) {
                down.add(c);
            }
        }
        long[] expected = new long[count];
        for (int i = 0; i < count; i++) {
            expected[i] = (i % 2 == 0 ? up : down).get(i / 2);
        }
        assertArrayEquals(expected, p);
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < count; i++) {
            assertEquals(1, p[i] % twoN);
            assertTrue(Primes.isPrime(p[i]));
            assertTrue(distinct.add(p[i]));
            assertEquals(i % 2 == 0, p[i] > center, "primes must alternate above / below 2^bits");
        }
        assertArrayEquals(p, Primes.nttPrimesNear(bits, logN, count, Set.of()), "not deterministic");
    }

    @Test
    void nttPrimesNearSkipsExcludedAndReportsImpossible() {
        long[] p = Primes.nttPrimesNear(40, 13, 4, Set.of());
        long[] q = Primes.nttPrimesNear(40, 13, 2, Set.of(p[0], p[1]));
        assertArrayEquals(new long[] {p[2], p[3]}, q);
        // 2N = 4 around 2^3 = 8: 13 above, 5 below, and no third
        assertArrayEquals(new long[] {13, 5}, Primes.nttPrimesNear(3, 1, 2, Set.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimesNear(3, 1, 3, Set.of()));
        assertTrue(e.getMessage().contains("not enough"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimesNear(61, 10, 1, Set.of()));
        assertTrue(e.getMessage().contains("61"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimesNear(10, 10, 1, Set.of()));
        // one side exhausted: the rest comes from the other side
        long[] oneSided = Primes.nttPrimesNear(6, 2, 3, Set.of());
        for (long v : oneSided) {
            assertTrue(reference(v) && v % 8 == 1, "bad prime " + v);
        }
    }

    @Test
    void nttPrimeChainFollowsTheRequestedSizes() {
        long[] chain = Primes.nttPrimeChain(13, 60, 40, 40, 40, 60);
        long[] p60 = Primes.nttPrimes(60, 13, 2, Set.of());
        long[] p40 = Primes.nttPrimes(40, 13, 3, Set.of());
        assertArrayEquals(new long[] {p60[0], p40[0], p40[1], p40[2], p60[1]}, chain);
        assertEquals(5, new HashSet<>(Primes.asList(chain)).size());
        for (long q : chain) {
            assertDoesNotThrow(() -> Primes.requireNttFriendly(q, 13));
        }
        assertEquals(0, Primes.nttPrimeChain(13).length);
        assertArrayEquals(chain, Primes.nttPrimeChain(13, 60, 40, 40, 40, 60));
        // only one 5-bit prime = 1 mod 8 exists
        assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimeChain(2, 5, 5));
    }

    @Test
    void requireNttFriendly() {
        long q = Primes.nttPrimes(40, 12, 1, Set.of())[0];
        assertDoesNotThrow(() -> Primes.requireNttFriendly(q, 12));
        assertDoesNotThrow(() -> Primes.requireNttFriendly(q, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Primes.requireNttFriendly(q + 1, 12));
        assertTrue(e.getMessage().contains("not prime"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Primes.requireNttFriendly(561, 2));
        assertTrue(e.getMessage().contains("not prime"), e.getMessage());
        // 7 = 3 mod 4
        e = assertThrows(IllegalArgumentException.class, () -> Primes.requireNttFriendly(7, 1));
        assertTrue(e.getMessage().contains("NTT-friendly"), e.getMessage());
        // a prime = 1 mod 2^12 but not 1 mod 2^13 (N = 2^12 needs 1 mod 2^13)
        long p = firstPrime(1L << 40, 1L << 12, 1L << 13);
        e = assertThrows(IllegalArgumentException.class, () -> Primes.requireNttFriendly(p, 12));
        assertTrue(e.getMessage().contains("NTT-friendly") && e.getMessage().contains("need 1"), e.getMessage());
        assertDoesNotThrow(() -> Primes.requireNttFriendly(p, 11));
    }

    /** @return the first prime above {@code from} that is = 1 mod step but != 1 mod notModulus */
    private static long firstPrime(long from, long step, long notModulus) {
        for (long c = from / step * step + 1; ; c += step) {
            if (c % notModulus != 1 && reference(c)) {
                return c;
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"17, 3", "97, 4", "257, 7", "7681, 8", "12289, 10", "40961, 12"})
    void primitiveRootIsTheSmallestOfOrder2NForSmallPrimes(long q, int logN) {
        long twoN = 2L << logN;
        long psi = Primes.primitiveRoot2N(new Modulus(q), logN);
        long smallest = -1;
        for (long x = 1; x < q && smallest < 0; x++) {
            if (order(x, q) == twoN) {
                smallest = x;
            }
        }
        assertEquals(smallest, psi);
    }

    @ParameterizedTest
    @CsvSource({"30, 4", "45, 8", "55, 10", "60, 12", "61, 17", "50, 1"})
    void primitiveRootHasOrderExactly2N(int bits, int logN) {
        for (long q : Primes.nttPrimes(bits, logN, 2, Set.of())) {
            Modulus m = new Modulus(q);
            long psi = Primes.primitiveRoot2N(m, logN);
            BigInteger bq = big(q);
            long n = 1L << logN;
            // order divides 2N (a power of two) and psi^N = -1, so the order is exactly 2N
            assertEquals(BigInteger.ONE, big(psi).modPow(big(2 * n), bq));
            assertEquals(big(q - 1), big(psi).modPow(big(n), bq));
            assertEquals(psi, Primes.primitiveRoot2N(m, logN), "not deterministic");
            if (logN <= 12) {
                // canonical: the smallest of the primitive 2N-th roots psi^k, k odd
                BigInteger psi2 = big(psi).multiply(big(psi)).mod(bq);
                BigInteger cur = big(psi);
                for (long k = 1; k < 2 * n; k += 2) {
                    assertTrue(cur.longValue() >= psi, "psi^" + k + " = " + cur + " is smaller than psi = " + psi);
                    cur = cur.multiply(psi2).mod(bq);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Primes.primitiveRoot2N(new Modulus(7), 1));
    }

    private static long order(long x, long q) {
        long k = 1;
        long v = x % q;
        while (v != 1) {
            v = v * x % q;
            k++;
        }
        return k;
    }

    @org.junit.jupiter.api.Test
    void primePairsNearAPowerOfTwo() {
        for (int logN : new int[] {12, 13, 14}) {
            java.util.Set<Long> exclude = new HashSet<>(List.of(Primes.nttPrimes(30, logN, 2, List.of())[0]));
            long[] pairs = Primes.nttPrimePairsNear(40, logN, 4, exclude);
            assertArrayEquals(pairs, Primes.nttPrimePairsNear(40, logN, 4, exclude), "deterministic");
            assertEquals(8, pairs.length);
            assertEquals(8, new HashSet<>(Primes.asList(pairs)).size(), "distinct");
            for (int p = 0; p < 4; p++) {
                long a = pairs[2 * p];
                long b = pairs[2 * p + 1];
                assertTrue(a > b && b >= (1 << 16) && a <= (1L << 24), a + ", " + b);
                for (long q : new long[] {a, b}) {
                    assertTrue(Primes.isPrime(q) && q % (2L << logN) == 1 && !exclude.contains(q), "prime " + q);
                }
                assertEquals(40, Math.log((double) a * b) / Math.log(2), 0.9, "pair " + a + " x " + b);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimePairsNear(30, 13, 1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Primes.nttPrimePairsNear(40, 13, 1000, List.of()));
    }
}
