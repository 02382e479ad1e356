package io.github.jckks.math;

/**
 * A polynomial of Z<sub>Q</sub>[X]/(X<sup>N</sup>+1) in RNS form: one array of N residues per prime ("limb"),
 * tagged as coefficient form or NTT (evaluation) form.
 *
 * <p>Limb i holds residues modulo the i-th prime of the {@link RnsRing} that operates on it; a polynomial
 * with k limbs lives modulo q<sub>0</sub>&hellip;q<sub>k-1</sub> (a lower CKKS level has fewer limbs). This
 * class is a mutable data holder; arithmetic lives in {@link RnsRing}. Not thread-safe for concurrent
 * writes. Memory: 8 &middot; N &middot; limbs bytes.
 *
 * <p>A polynomial made by a ring ({@link RnsRing#newPoly}, {@link RnsRing#wrap}), and its copies and views, remembers
 * that ring's primes: a ring refuses it if they differ from its own on the limbs an operation uses (objects of
 * two parameter sets mixed), instead of computing garbage. One that wraps arrays of unknown origin
 * ({@link #RnsPoly(long[][], boolean)}) is not checked.
 */
public final class RnsPoly {
    private final long[][] limbs;
    private final int n;
    private boolean ntt;
    /** The primes of the ring that made this polynomial (shared, never written), or null if unknown. */
    private long[] primes;

    /** Allocates a zero polynomial with {@code limbCount} limbs of length n. */
    public RnsPoly(int n, int limbCount, boolean ntt) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("ring degree " + n + " is not a power of two >= 2");
        }
        if (limbCount < 1) {
            throw new IllegalArgumentException("limb count " + limbCount + " < 1");
        }
        this.n = n;
        this.limbs = new long[limbCount][n];
        this.ntt = ntt;
    }

    /** Wraps existing limb arrays (not copied); each must have the same power-of-two length. */
    public RnsPoly(long[][] limbs, boolean ntt) {
        if (limbs.length == 0) {
            throw new IllegalArgumentException("no limbs");
        }
        this.n = limbs[0].length;
        for (long[] l : limbs) {
            if (l.length != n) {
                throw new IllegalArgumentException("limbs of different lengths " + n + " and " + l.length);
            }
        }
        this.limbs = limbs;
        this.ntt = ntt;
    }

    /** @return the ring degree N */
    public int n() {
        return n;
    }

    /** @return the number of limbs (primes) */
    public int limbCount() {
        return limbs.length;
    }

    /** @return the residues modulo the i-th prime (live array) */
    public long[] limb(int i) {
        return limbs[i];
    }

    /** @return whether the polynomial is in NTT (evaluation) form */
    public boolean isNtt() {
        return ntt;
    }

    /** Sets the form tag without transforming (for kernels that transformed the limbs themselves). */
    public void setNtt(boolean ntt) {
        this.ntt = ntt;
    }

    /** @return the primes of the ring that made this polynomial (not a copy: do not write), null if unknown */
    long[] primes() {
        return primes;
    }

    /** Records the primes of the ring that made this polynomial. */
    RnsPoly withPrimes(long[] ringPrimes) {
        this.primes = ringPrimes;
        return this;
    }

    /** @return a deep copy */
    public RnsPoly copy() {
        long[][] c = new long[limbs.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = limbs[i].clone();
        }
        return new RnsPoly(c, ntt).withPrimes(primes);
    }

    /** @return a deep copy of the first {@code count} limbs */
    public RnsPoly copy(int count) {
        checkCount(count);
        long[][] c = new long[count][];
        for (int i = 0; i < count; i++) {
            c[i] = limbs[i].clone();
        }
        return new RnsPoly(c, ntt).withPrimes(primes);
    }

    /** @return a polynomial sharing the first {@code count} limb arrays of this one (dropping the rest) */
    public RnsPoly view(int count) {
        checkCount(count);
        long[][] c = new long[count][];
        System.arraycopy(limbs, 0, c, 0, count);
        return new RnsPoly(c, ntt).withPrimes(primes);
    }

    /** Copies {@code src}'s first {@link #limbCount()} limbs and form into this one. */
    public void copyFrom(RnsPoly src) {
        if (src.n != n || src.limbs.length < limbs.length) {
            throw new IllegalArgumentException("cannot copy a polynomial of " + src.limbs.length + " limbs, N = " + src.n
                    + " into one of " + limbs.length + " limbs, N = " + n);
        }
        for (int i = 0; i < limbs.length; i++) {
            System.arraycopy(src.limbs[i], 0, limbs[i], 0, n);
        }
        ntt = src.ntt;
    }

    /** Sets every residue to zero. */
    public void clear() {
        for (long[] l : limbs) {
            java.util.Arrays.fill(l, 0L);
        }
    }

    private void checkCount(int count) {
        if (count < 1 || count > limbs.length) {
            throw new IllegalArgumentException("limb count " + count + " out of range [1, " + limbs.length + "]");
        }
    }
}
