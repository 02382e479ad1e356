package io.github.jckks.math;

/**
 * The at-rest form of an {@link RnsPoly} whose primes are all below 2<sup>32</sup>: one {@code int[]} of N
 * residues per prime, stored as unsigned 32-bit values, half the memory of {@code RnsPoly}'s {@code long[]}
 * limbs (4 &middot; N &middot; limbs bytes). Every prime the vector kernels take has at most 30 bits, so this
 * holds any polynomial of the CryptoNets and client-aided parameter sets.
 *
 * <p>Not an arithmetic type: the kernels work on {@code RnsPoly}. A value waits in this form, e.g. a network's
 * activations held while another branch runs, and is converted with {@link RnsRing#compact(RnsPoly)} and
 * {@link RnsRing#expand(CompactRnsPoly, RnsPoly)}, one pass over the residues each. Kernels that only read
 * residues can take the limbs in place ({@link #limbForReading}): a network's multiply-accumulate kernel sums
 * compact inputs directly, reading half the bytes. The library never changes a residue once built, so the value
 * is immutable and safe to share between threads as long as no caller writes into the arrays that
 * {@link #limbForReading} hands out (as with {@link RnsPoly#limb}, the arrays are not copied; writing into them
 * changes the value and races with readers).
 */
public final class CompactRnsPoly {
    private final int[][] limbs;
    private final int n;
    private final boolean ntt;
    /** The primes of the ring that made it (shared, never written), or null if unknown. */
    private final long[] primes;

    CompactRnsPoly(int[][] limbs, int n, boolean ntt, long[] primes) {
        this.limbs = limbs;
        this.n = n;
        this.ntt = ntt;
        this.primes = primes;
    }

    long[] primes() {
        return primes;
    }

    /** @return the ring degree N */
    public int n() {
        return n;
    }

    /** @return the number of limbs (primes) */
    public int limbCount() {
        return limbs.length;
    }

    /** @return whether the residues are in NTT (evaluation) form */
    public boolean isNtt() {
        return ntt;
    }

    /** @return residue j of limb i, in [0, 2<sup>32</sup>) */
    public long residue(int i, int j) {
        return limbs[i][j] & 0xFFFFFFFFL;
    }

    /** @return the bytes of residue storage, 4 &middot; N &middot; limbs */
    public long residueBytes() {
        return 4L * n * limbs.length;
    }

    int[] limb(int i) {
        return limbs[i];
    }

    /**
     * @return limb i itself (N residues, each below its prime and, for the primes below 2<sup>31</sup> that the
     *         kernels take, a non-negative int), for a kernel that reads it in place. The caller must not write to
     *         it: this object is immutable by that contract.
     */
    public int[] limbForReading(int i) {
        return limbs[i];
    }

    @Override
    public String toString() {
        return "CompactRnsPoly[N=" + n + ", limbs=" + limbs.length + (ntt ? ", NTT" : ", coefficients") + "]";
    }
}
