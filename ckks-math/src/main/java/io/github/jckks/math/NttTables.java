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
}
