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
    private volatile int[] lateStageTwiddles32;

    /** Padding after each run of {@link #lateStageTwiddles32()}: a kernel may load 8 ints at any block index. */
    public static final int LATE_STAGE_PAD = 8;

    /**
     * Twiddle factors for SIMD kernels on 8 x 32-bit lanes (primes q &lt; 2<sup>30</sup>, N &gt;= 8) for the
     * butterflies of distance t = 4, 2, 1, which run inside one register of 8 elements. Six sections, for the
     * stages forward t = 4, 2, 1 and inverse t = 1, 2, 4 in that order; the section of a stage with m = N / 2t
     * blocks holds the m twiddles of its blocks in block order, &psi;<sup>brv(m + i)</sup> forward and
     * &psi;<sup>-brv(m + i)</sup> inverse (i &lt; m), then {@link #LATE_STAGE_PAD} zeros, then their Shoup
     * companions floor(w &middot; 2<sup>32</sup> / q) (unsigned ints) and another pad; {@link #lateStageOffset}
     * gives where each section starts. A register of 8 consecutive elements needs 4 / t consecutive entries,
     * which a kernel loads and spreads over its lanes: 7N/4 ints per direction in all, so the late stages read
     * 3.5 bytes of twiddles per element instead of 24 with one entry per lane and stage (the difference between
     * fitting in a 512 KB L2 cache at N = 16384 or not). Built on first use in O(N) (racy but idempotent), then
     * shared: do not modify.
     *
     * @throws IllegalStateException if q &gt;= 2<sup>30</sup> or N &lt; 8
     */
    public int[] lateStageTwiddles32() {
        int[] t = lateStageTwiddles32;
        if (t == null) {
            t = buildLateStageTwiddles32();
            lateStageTwiddles32 = t;
        }
        return t;
    }

    /**
     * Where the twiddles of a late stage start in {@link #lateStageTwiddles32()}; its companions start
     * N / 2t + {@link #LATE_STAGE_PAD} entries later.
     *
     * @param stage 0, 1, 2 for forward t = 4, 2, 1; 3, 4, 5 for inverse t = 1, 2, 4
     * @throws IllegalArgumentException if stage is outside [0, 6] (6 gives the table's length)
     */
    public int lateStageOffset(int stage) {
        if (stage < 0 || stage > LATE_DISTANCES.length) {
            throw new IllegalArgumentException("late stage " + stage + " outside [0, " + LATE_DISTANCES.length + "]");
        }
        int off = 0; // at most six terms: cheaper to add up than to keep
        for (int s = 0; s < stage; s++) {
            off += 2 * (n / (2 * LATE_DISTANCES[s]) + LATE_STAGE_PAD);
        }
        return off;
    }

    private static final int[] LATE_DISTANCES = {4, 2, 1, 1, 2, 4};

    private int[] buildLateStageTwiddles32() {
        if (modulus.bits() > 30 || n < 8) {
            throw new IllegalStateException("32-bit twiddle tables need q < 2^30 and N >= 8, have " + modulus + ", N = " + n);
        }
        int[] out = new int[lateStageOffset(6)];
        for (int s = 0; s < 6; s++) {
            long[] w = s < 3 ? psiRev : psiInvRev;
            int m = n / (2 * LATE_DISTANCES[s]);
            int off = lateStageOffset(s);
            for (int i = 0; i < m; i++) {
                long p = packShoup32(w[m + i]);
                out[off + i] = (int) p;
                out[off + m + LATE_STAGE_PAD + i] = (int) (p >>> 32);
            }
        }
        return out;
    }
}
