package io.github.jckks.math;

/**
 * Precomputed twiddle factors of the negacyclic NTT over Z<sub>q</sub>[X]/(X<sup>N</sup>+1) for one prime q
 * and one ring degree N = 2<sup>logN</sup>.
 *
 * <p>With &psi; a primitive 2N-th root of unity, the forward transform maps a(X) to the evaluations
 * a(&psi;<sup>2&middot;brv(j)+1</sup>) stored at index j (bit-reversed order), so pointwise products are
 * negacyclic convolutions. The tables hold &psi;<sup>brv(i)</sup> and &psi;<sup>-brv(i)</sup> with their
 * Shoup companions, as in Longa-Naehrig (2016) and SEAL. Building them costs O(N) multiplications; the arrays
 * are shared with the kernels and must not be modified. Immutable and thread-safe.
 */
public final class NttTables {
    private final Modulus modulus;
    private final int logN;
    private final int n;
    private final long psi;
    private final long[] psiRev;
    private final long[] psiRevShoup;
    private final long[] psiInvRev;
    private final long[] psiInvRevShoup;
    private final long nInv;
    private final long nInvShoup;

    /**
     * Builds the tables.
     *
     * @param modulus an NTT-friendly prime for N
     * @param logN    log2 N, in [1, 17]
     * @throws IllegalArgumentException if q is not prime or q &#8800; 1 (mod 2N)
     */
    public NttTables(Modulus modulus, int logN) {
        if (logN < 1 || logN > 17) {
            throw new IllegalArgumentException("logN " + logN + " out of range [1, 17]");
        }
        this.modulus = modulus;
        this.logN = logN;
        this.n = 1 << logN;
        this.psi = Primes.primitiveRoot2N(modulus, logN);
        long psiInv = modulus.inverse(psi);
        psiRev = new long[n];
        psiRevShoup = new long[n];
        psiInvRev = new long[n];
        psiInvRevShoup = new long[n];
        long pw = 1;
        long pwInv = 1;
        long[] powers = new long[n];
        long[] invPowers = new long[n];
        for (int i = 0; i < n; i++) {
            powers[i] = pw;
            invPowers[i] = pwInv;
            pw = modulus.mul(pw, psi);
            pwInv = modulus.mul(pwInv, psiInv);
        }
        for (int i = 0; i < n; i++) {
            int r = bitReverse(i, logN);
            psiRev[i] = powers[r];
            psiRevShoup[i] = modulus.shoup(powers[r]);
            psiInvRev[i] = invPowers[r];
            psiInvRevShoup[i] = modulus.shoup(invPowers[r]);
        }
        nInv = modulus.inverse(n);
        nInvShoup = modulus.shoup(nInv);
    }

    /** @return i with its low {@code bits} bits reversed */
    public static int bitReverse(int i, int bits) {
        return bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
    }

    /** @return the prime modulus */
    public Modulus modulus() {
        return modulus;
    }

    /** @return log2 N */
    public int logN() {
        return logN;
    }

    /** @return the ring degree N */
    public int n() {
        return n;
    }

    /** @return the primitive 2N-th root of unity &psi; used */
    public long psi() {
        return psi;
    }

    /** @return &psi;<sup>brv(i)</sup>, i &lt; N (shared array: do not modify) */
    public long[] psiRev() {
        return psiRev;
    }

    /** @return Shoup companions of {@link #psiRev()} (shared array: do not modify) */
    public long[] psiRevShoup() {
        return psiRevShoup;
    }

    /** @return &psi;<sup>-brv(i)</sup>, i &lt; N (shared array: do not modify) */
    public long[] psiInvRev() {
        return psiInvRev;
    }

    /** @return Shoup companions of {@link #psiInvRev()} (shared array: do not modify) */
    public long[] psiInvRevShoup() {
        return psiInvRevShoup;
    }

    /** @return N<sup>-1</sup> mod q */
    public long nInv() {
        return nInv;
    }

    /** @return the Shoup companion of N<sup>-1</sup> */
    public long nInvShoup() {
        return nInvShoup;
    }

    // ---------------------------------------------------------------- tables of the 32-bit vector kernel

    /** @return w packed with its 32-bit Shoup companion: w | floor(w 2^32 / q) &lt;&lt; 32, for q &lt; 2^30 */
    public long packShoup32(long w) {
        long q = modulus.value();
        return w | (((w << 32) / q) << 32);
    }

    /** Lazily built twiddles of the three last forward and three first inverse stages, 8 x 32-bit lanes. */
    private volatile int[] lateStageTwiddles32x8;

    /**
     * Twiddle factors for SIMD kernels on 8 x 32-bit lanes (primes q &lt; 2<sup>30</sup>, N &gt;= 8), expanded to
     * one entry per element so that the butterflies of distance t = 4, 2, 1 run inside one register: for a
     * stage of distance t the entry of element j is 1 if (j mod 2t) &lt; t (the lane passes through the Shoup
     * product, which only reduces it to [0, 2q)) and otherwise the twiddle of its block, &psi;<sup>brv(m + j /
     * 2t)</sup> forward, &psi;<sup>-brv(m + j / 2t)</sup> inverse, with m = N / 2t. The array holds 12 blocks of
     * N ints: for the stages (forward t = 4, 2, 1; inverse t = 1, 2, 4) in that order, the twiddles w followed by
     * their Shoup companions floor(w &middot; 2<sup>32</sup> / q) (unsigned ints). Within every group of 8 the
     * entries follow the kernel's register order: position p holds element (p &gt;&gt; 1) + 4 (p &amp; 1), i.e. the
     * elements 0, 4, 1, 5, 2, 6, 3, 7, which is the order of the int lanes of two 4 x 64-bit vectors
     * (a[j..j+3], a[j+4..j+7]) packed as (low, high) halves. Built on first use in O(N) (racy but idempotent),
     * then shared: do not modify.
     *
     * @throws IllegalStateException if q &gt;= 2<sup>30</sup> or N &lt; 8
     */
    public int[] lateStageTwiddles32x8() {
        int[] t = lateStageTwiddles32x8;
        if (t == null) {
            t = buildLateStageTwiddles32x8();
            lateStageTwiddles32x8 = t;
        }
        return t;
    }

    private int[] buildLateStageTwiddles32x8() {
        if (modulus.bits() > 30 || n < 8) {
            throw new IllegalStateException("32-bit twiddle tables need q < 2^30 and N >= 8, have " + modulus + ", N = " + n);
        }
        int[] out = new int[12 * n];
        int[] distances = {4, 2, 1, 1, 2, 4};
        for (int s = 0; s < 6; s++) {
            int t = distances[s];
            long[] w = s < 3 ? psiRev : psiInvRev;
            int m = n / (2 * t);
            for (int pos = 0; pos < n; pos++) {
                int j = (pos & ~7) + ((pos & 7) >>> 1) + 4 * (pos & 1); // the element at this register position
                long p = (j % (2 * t)) < t ? packShoup32(1) : packShoup32(w[m + j / (2 * t)]);
                out[2 * s * n + pos] = (int) p;
                out[(2 * s + 1) * n + pos] = (int) (p >>> 32);
            }
        }
        return out;
    }
}
