package io.github.jckks.math;

import java.math.BigInteger;

/**
 * An integer modulus q with 2 &lt;= q &lt; 2<sup>61</sup> and the precomputed constants for fast modular
 * arithmetic on it: Barrett reduction of 64- and 128-bit values and Shoup multiplication by a fixed operand.
 *
 * <p>The bound 2<sup>61</sup> leaves two bits of head-room in a signed {@code long}, so the lazy (Harvey)
 * butterflies can keep values in [0, 4q) without overflow. Every method is a pure function; instances are
 * immutable and thread-safe. Costs: {@link #mul} is one 128-bit Barrett reduction (about 5 multiplications),
 * {@link #mulShoup} two multiplications and a conditional subtraction.
 */
public final class Modulus {
    /** The largest supported bit length of a modulus. */
    public static final int MAX_BITS = 61;

    private final long q;
    private final int bits;
    /** floor(2^128 / q) as (hi, lo) 64-bit words: SEAL's const_ratio. */
    private final long ratioHi;
    private final long ratioLo;
    /** floor(2^64 / q), for Barrett reduction of one 64-bit word. */
    private final long ratio64;

    /**
     * Creates a modulus.
     *
     * @param q the modulus, 2 &lt;= q &lt; 2<sup>61</sup>
     * @throws IllegalArgumentException if q is out of range
     */
    public Modulus(long q) {
        if (q < 2 || q >= (1L << MAX_BITS)) {
            throw new IllegalArgumentException("modulus " + q + " out of range: need 2 <= q < 2^" + MAX_BITS);
        }
        this.q = q;
        this.bits = 64 - Long.numberOfLeadingZeros(q);
        BigInteger r = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(q));
        this.ratioLo = r.longValue();
        this.ratioHi = r.shiftRight(64).longValue();
        this.ratio64 = BigInteger.ONE.shiftLeft(64).divide(BigInteger.valueOf(q)).longValue();
    }

    /** @return the modulus q */
    public long value() {
        return q;
    }

    /** @return the bit length of q */
    public int bits() {
        return bits;
    }

    /** @return (a + b) mod q for a, b in [0, q) */
    public long add(long a, long b) {
        long s = a + b;
        return s >= q ? s - q : s;
    }

    /** @return (a - b) mod q for a, b in [0, q) */
    public long sub(long a, long b) {
        long d = a - b;
        return d < 0 ? d + q : d;
    }

    /** @return (-a) mod q for a in [0, q) */
    public long negate(long a) {
        return a == 0 ? 0 : q - a;
    }

    /** @return x mod q for any unsigned 64-bit x (Barrett with floor(2^64/q)) */
    public long reduce(long x) {
        long qhat = Math.unsignedMultiplyHigh(x, ratio64);
        long r = x - qhat * q;
        return r >= q ? r - q : r;
    }

    /** @return x mod q for any signed 64-bit x, in [0, q) */
    public long reduceSigned(long x) {
        if (x >= 0) {
            return reduce(x);
        }
        long r = reduce(-x);
        return r == 0 ? 0 : q - r;
    }

    /**
     * Reduces the unsigned 128-bit value hi&middot;2<sup>64</sup> + lo modulo q (Barrett with floor(2^128/q)).
     * Requires hi &lt; q so the quotient fits in 64 bits (true for any product of two residues).
     */
    public long reduce128(long hi, long lo) {
        // Estimate floor(x * ratio / 2^128) keeping only the words that reach the top 64 bits.
        long carry = Math.unsignedMultiplyHigh(lo, ratioLo);
        long t2hi = Math.unsignedMultiplyHigh(lo, ratioHi);
        long t2lo = lo * ratioHi;
        long t1 = t2lo + carry;
        long t3 = t2hi + (Long.compareUnsigned(t1, carry) < 0 ? 1 : 0);
        t2hi = Math.unsignedMultiplyHigh(hi, ratioLo);
        t2lo = hi * ratioLo;
        long sum = t1 + t2lo;
        carry = t2hi + (Long.compareUnsigned(sum, t1) < 0 ? 1 : 0);
        long qhat = hi * ratioHi + t3 + carry;
        long r = lo - qhat * q;
        return r >= q ? r - q : r;
    }

    /** @return a &middot; b mod q for a, b in [0, q) */
    public long mul(long a, long b) {
        return reduce128(Math.unsignedMultiplyHigh(a, b), a * b);
    }

    /**
     * The Shoup companion of a fixed multiplicand w: floor(w &middot; 2<sup>64</sup> / q).
     *
     * @param w in [0, q)
     */
    public long shoup(long w) {
        if (w < 0 || w >= q) {
            throw new IllegalArgumentException("Shoup operand " + w + " not in [0, " + q + ")");
        }
        // w * floor(2^128 / q) / 2^64 is floor(w 2^64 / q) or one less; the remainder decides (no BigInteger)
        long est = w * ratioHi + Math.unsignedMultiplyHigh(w, ratioLo);
        long rem = -est * q; // = w 2^64 - est q (mod 2^64), exactly, as it lies in [0, 2q)
        return Long.compareUnsigned(rem, q) >= 0 ? est + 1 : est;
    }

    /** @return x &middot; w mod q in [0, 2q) for any unsigned 64-bit x, given wShoup = {@link #shoup}(w) */
    public long mulShoupLazy(long x, long w, long wShoup) {
        long qhat = Math.unsignedMultiplyHigh(x, wShoup);
        return x * w - qhat * q;
    }

    /** @return x &middot; w mod q in [0, q), given wShoup = {@link #shoup}(w) */
    public long mulShoup(long x, long w, long wShoup) {
        long r = mulShoupLazy(x, w, wShoup);
        return r >= q ? r - q : r;
    }

    /** @return a<sup>e</sup> mod q for a in [0, q) and e &gt;= 0 */
    public long pow(long a, long e) {
        if (e < 0) {
            throw new IllegalArgumentException("negative exponent " + e);
        }
        long result = 1 % q;
        long base = a;
        while (e != 0) {
            if ((e & 1) != 0) {
                result = mul(result, base);
            }
            base = mul(base, base);
            e >>>= 1;
        }
        return result;
    }

    /**
     * @return a<sup>-1</sup> mod q
     * @throws ArithmeticException if a is not invertible modulo q
     */
    public long inverse(long a) {
        long r0 = q;
        long r1 = reduceSigned(a);
        long t0 = 0;
        long t1 = 1;
        while (r1 != 0) {
            long quotient = r0 / r1;
            long r2 = r0 - quotient * r1;
            r0 = r1;
            r1 = r2;
            long t2 = t0 - quotient * t1;
            t0 = t1;
            t1 = t2;
        }
        if (r0 != 1) {
            throw new ArithmeticException(a + " is not invertible modulo " + q);
        }
        return t0 < 0 ? t0 + q : t0;
    }

    /** @return x in [0, q) mapped to the centered representative in (-q/2, q/2] */
    public long center(long x) {
        return x > (q >>> 1) ? x - q : x;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Modulus m && m.q == q;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(q);
    }

    @Override
    public String toString() {
        return "Modulus(" + q + ", " + bits + " bits)";
    }
}
