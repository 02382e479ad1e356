package io.github.jckks.math;

import static io.github.jckks.math.MathTestSupport.big;
import static io.github.jckks.math.MathTestSupport.unsigned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Modulus} against BigInteger, for moduli of every bit length from 2 to 61. */
class ModulusTest {
    private static final int RANDOM_OPS = 60;

    static IntStream bitLengths() {
        return IntStream.rangeClosed(2, Modulus.MAX_BITS);
    }

    /** Moduli of exactly {@code bits} bits: the smallest and largest, a random odd one, a random prime. */
    static List<Long> moduliOf(int bits) {
        SplittableRandom rnd = new SplittableRandom(1000 + bits);
        long lo = 1L << (bits - 1);
        long hi = (1L << bits) - 1;
        List<Long> l = new ArrayList<>();
        l.add(lo);
        l.add(hi);
        l.add((lo + rnd.nextLong(lo)) | 1);
        l.add(BigInteger.probablePrime(bits, new Random(bits)).longValueExact());
        return l;
    }

    /** Residues in [0, q): edges and random values. */
    static long[] residues(long q, SplittableRandom rnd) {
        long[] edges = {0, 1, q - 1, q >>> 1, (q + 1) >>> 1, Math.min(2, q - 1)};
        long[] out = new long[edges.length + RANDOM_OPS];
        System.arraycopy(edges, 0, out, 0, edges.length);
        for (int i = edges.length; i < out.length; i++) {
            out[i] = rnd.nextLong(q);
        }
        return out;
    }

    /** Arbitrary 64-bit words: edges around 0, q, 2q, 2^63 and 2^64 - 1, and random ones. */
    static long[] words(long q, SplittableRandom rnd) {
        long top = Long.divideUnsigned(-1L, q) * q; // the largest multiple of q below 2^64
        long[] edges = {0, 1, q - 1, q, q + 1, 2 * q - 1, 2 * q, 4 * q - 1, -1L, -2L, Long.MIN_VALUE,
            Long.MAX_VALUE, top, top - 1, top + q - 1, Long.MIN_VALUE + q};
        long[] out = new long[edges.length + RANDOM_OPS];
        System.arraycopy(edges, 0, out, 0, edges.length);
        for (int i = edges.length; i < out.length; i++) {
            out[i] = rnd.nextLong();
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("bitLengths")
    void constructorRecordsValueAndBits(int bits) {
        for (long q : moduliOf(bits)) {
            Modulus m = new Modulus(q);
            assertEquals(q, m.value());
            assertEquals(bits, m.bits());
            assertEquals(new Modulus(q), m);
            assertEquals(new Modulus(q).hashCode(), m.hashCode());
            assertTrue(m.toString().contains(Long.toString(q)));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MIN_VALUE, -5, -1, 0, 1, 1L << 61, (1L << 61) + 1, Long.MAX_VALUE})
    void constructorRejectsOutOfRange(long q) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Modulus(q));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void constructorAcceptsExtremes() {
        assertEquals(2, new Modulus(2).value());
        assertEquals(61, new Modulus((1L << 61) - 1).bits());
        assertNotEquals(new Modulus(3), new Modulus(5));
    }

    @ParameterizedTest
    @MethodSource("bitLengths")
    void addSubNegate(int bits) {
        for (long q : moduliOf(bits)) {
            Modulus m = new Modulus(q);
            BigInteger bq = big(q);
            SplittableRandom rnd = new SplittableRandom(q);
            long[] a = residues(q, rnd);
            long[] b = residues(q, rnd);
            for (long x : a) {
                for (int t = 0; t < 3; t++) {
                    long y = b[rnd.nextInt(b.length)];
                    assertEquals(big(x).add(big(y)).mod(bq).longValue(), m.add(x, y), () -> x + " + " + y + " mod " + q);
                    assertEquals(big(x).subtract(big(y)).mod(bq).longValue(), m.sub(x, y), () -> x + " - " + y + " mod " + q);
                }
                assertEquals(big(x).negate().mod(bq).longValue(), m.negate(x), () -> "-" + x + " mod " + q);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("bitLengths")
    void reduceAnyUnsignedWord(int bits) {
        for (long q : moduliOf(bits)) {
            Modulus m = new Modulus(q);
            for (long x : words(q, new SplittableRandom(q))) {
                assertEquals(unsigned(x).mod(big(q)).longValue(), m.reduce(x),
                        () -> Long.toUnsignedString(x) + " mod " + q);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("bitLengths")
    void reduceSignedAnyWord(int bits) {
        for (long q : moduliOf(bits)) {
            Modulus m = new Modulus(q);
            for (long x : words(q, new SplittableRandom(q + 1))) {
                long r = m.reduceSigned(x);
                assertEquals(big(x).mod(big(q)).longValue(), r, () -> x + " mod " + q);
                long nx = x == Long.MIN_VALUE ? Long.MAX_VALUE : -x;
                assertEquals(big(nx).mod(big(q)).longValue(), m.reduceSigned(nx), () -> nx + " mod " + q);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("bitLengths")
    void reduce128(int bits) {
        for (long q : moduliOf(bits)) {
            Modulus m = new Modulus(q);
            SplittableRandom rnd = new SplittableRandom(q + 2);
            long[] his = residues(q, rnd);
            long[] los = words(q, rnd);
            for (int t = 0; t < his.length; t++) {
                long hi = his[t];
                for (long lo : new long[] {los[t % los.length], -1L, los[rnd.nextInt(los.length)]}) {
                    BigInteger x = big(hi).shiftLeft(64).add(unsigned(lo));
                    assertEquals(x.mod(big(q)).longValue(), m.reduce128(hi, lo),
                            () -> "(" + hi + " * 2^64 + " + Long.toUnsignedString(lo) + ") mod " + q);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("bitLengths")
    void mul(int bits) {
        for (long q : moduliOf(bits)) {
            Modulus m = new Modulus(q);
            SplittableRandom rnd = new SplittableRandom(q + 3);
            long[] a = residues(q, rnd);
            long[] b = residues(q, rnd);
            for (int i = 0; i < a.length; i++) {
                for (int j = i; j < Math.min(a.length, i + 3); j++) {
                    long x = a[i];
                    long y = b[j];
                    assertEquals(big(x).multiply(big(y)).mod(big(q)).longValue(), m.mul(x, y),
                            () -> x + " * " + y + " mod " + q);
                }
            }
            assertEquals(1 % q, m.mul(q - 1, q - 1));
        }
    }

    @ParameterizedTest
    @MethodSource("bitLengths")
    void shoupCompanionAndProducts(int bits) {
        for (long q : moduliOf(bits)) {
            Modulus m = new Modulus(q);
            BigInteger bq = big(q);
            SplittableRandom rnd = new SplittableRandom(q + 4);
            long[] ws = residues(q, rnd);
            long[] xs = words(q, rnd);
            long[] small = residues(q, rnd);
            for (int t = 0; t < ws.length; t++) {
                long w = ws[t];
                long wShoup = m.shoup(w);
                assertEquals(big(w).shiftLeft(64).divide(bq), unsigned(wShoup), () -> "shoup(" + w + ") mod " + q);
                for (long x : new long[] {xs[t % xs.length], small[t], -1L, q - 1}) {
                    long expected = unsigned(x).multiply(big(w)).mod(bq).longValue();
                    long lazy = m.mulShoupLazy(x, w, wShoup);
                    assertTrue(lazy >= 0 && lazy < 2 * q, () -> "lazy " + lazy + " not in [0, 2q) for q = " + q);
                    assertEquals(expected, lazy % q, () -> Long.toUnsignedString(x) + " * " + w + " mod " + q + " (lazy)");
                    assertEquals(expected, m.mulShoup(x, w, wShoup), () -> Long.toUnsignedString(x) + " * " + w + " mod " + q);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("bitLengths")
    void pow(int bits) {
        for (long q : moduliOf(bits)) {
            Modulus m = new Modulus(q);
            BigInteger bq = big(q);
            SplittableRandom rnd = new SplittableRandom(q + 5);
            long[] a = residues(q, rnd);
            for (int i = 0; i < a.length; i += 3) {
                long x = a[i];
                for (long e : new long[] {0, 1, 2, 3, q - 1, q, Long.MAX_VALUE, rnd.nextLong(Long.MAX_VALUE), rnd.nextLong(1000)}) {
                    assertEquals(big(x).modPow(big(e), bq).longValue(), m.pow(x, e), () -> x + "^" + e + " mod " + q);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> m.pow(1, -1));
        }
    }

    @ParameterizedTest
    @MethodSource("bitLengths")
    void inverseMatchesBigIntegerOrThrows(int bits) {
        for (long q : moduliOf(bits)) {
            Modulus m = new Modulus(q);
            BigInteger bq = big(q);
            SplittableRandom rnd = new SplittableRandom(q + 6);
            long[] a = residues(q, rnd);
            for (long x : a) {
                for (long v : new long[] {x, x == 0 ? 0 : x - q}) {
                    BigInteger bv = big(v).mod(bq);
                    if (bv.gcd(bq).equals(BigInteger.ONE)) {
                        long inv = m.inverse(v);
                        assertEquals(bv.modInverse(bq).longValue(), inv, () -> "1/" + v + " mod " + q);
                        assertEquals(1 % q, m.mul(bv.longValue(), inv));
                    } else {
                        ArithmeticException e = assertThrows(ArithmeticException.class, () -> m.inverse(v),
                                () -> v + " is not invertible mod " + q);
                        assertTrue(e.getMessage().contains("not invertible"), e.getMessage());
                    }
                }
            }
        }
    }

    @Test
    void inverseOfNonInvertibleThrows() {
        assertThrows(ArithmeticException.class, () -> new Modulus(15).inverse(5));
        assertThrows(ArithmeticException.class, () -> new Modulus(15).inverse(0));
        assertThrows(ArithmeticException.class, () -> new Modulus(1L << 60).inverse(1L << 20));
        assertThrows(ArithmeticException.class, () -> new Modulus((1L << 61) - 1).inverse(0));
        assertEquals(13, new Modulus(15).inverse(7));
        assertEquals((1L << 61) - 2, new Modulus((1L << 61) - 1).inverse(-1));
    }

    @ParameterizedTest
    @MethodSource("bitLengths")
    void center(int bits) {
        for (long q : moduliOf(bits)) {
            Modulus m = new Modulus(q);
            for (long x : residues(q, new SplittableRandom(q + 7))) {
                long c = m.center(x);
                assertTrue(2 * c > -q && 2 * c <= q, () -> "center(" + x + ") = " + c + " not in (-q/2, q/2], q = " + q);
                assertEquals(Math.floorMod(c, q), x);
                assertEquals(MathTestSupport.centered(big(x), big(q)).longValueExact(), c);
            }
        }
    }
}
