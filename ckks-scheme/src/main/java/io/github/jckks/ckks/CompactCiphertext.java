package io.github.jckks.ckks;

import io.github.jckks.math.CompactRnsPoly;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;
import java.util.function.IntFunction;

/**
 * A ciphertext at rest with its residues in 32 bits ({@link CompactRnsPoly}): half the memory of a
 * {@link Ciphertext} (4 &middot; N &middot; (l + 1) bytes per part instead of 8), for ciphertexts that wait, such
 * as a network's branch outputs while another branch runs. It keeps the level, the scale and the number of
 * parts; it does not keep a seed (converting back gives a ciphertext that serializes in full). Only for levels
 * whose primes are all below 2<sup>32</sup> ({@link #fits}), which every prime of the vector kernels is.
 * Immutable and thread-safe. Cost: one pass over the residues to build, one to expand; no arithmetic.
 */
public final class CompactCiphertext {
    private final CompactRnsPoly[] parts;
    private final double scale;

    private CompactCiphertext(CompactRnsPoly[] parts, double scale) {
        this.parts = parts;
        this.scale = scale;
    }

    /** @return whether ciphertexts of {@code context} at {@code level} fit the compact form */
    public static boolean fits(CkksContext context, int level) {
        return context.ringQ().fitsCompact(level + 1);
    }

    /**
     * @return {@code ct} with 32-bit residues ({@code ct} is not changed)
     * @throws IllegalArgumentException if a prime of ct's level has more than 32 bits, or ct is not of this
     *                                  context's ring
     */
    public static CompactCiphertext of(CkksContext context, Ciphertext ct) {
        RnsRing rq = context.ringQ();
        CompactRnsPoly[] p = new CompactRnsPoly[ct.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = rq.compact(ct.partForReading(i));
        }
        return new CompactCiphertext(p, ct.scale());
    }

    /** @return a new ciphertext with 64-bit limbs, equal to the one this was made from (without its seed) */
    public Ciphertext expand(CkksContext context) {
        RnsRing rq = context.ringQ();
        return expand(context, limbs -> rq.newPoly(limbs, true));
    }

    /**
     * @param context   the context the ciphertext belongs to
     * @param allocator gives a polynomial with the requested number of limbs (any content, e.g. from a pool)
     * @return a new ciphertext in the allocator's polynomials, equal to the one this was made from
     */
    public Ciphertext expand(CkksContext context, IntFunction<RnsPoly> allocator) {
        RnsRing rq = context.ringQ();
        RnsPoly[] p = new RnsPoly[parts.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = allocator.apply(parts[i].limbCount());
            rq.expand(parts[i], p[i]);
        }
        return new Ciphertext(p, scale);
    }

    /** @return part i, in 32-bit form (read-only: see {@link CompactRnsPoly#limbForReading}) */
    public CompactRnsPoly part(int i) {
        return parts[i];
    }

    /** @return the number of parts */
    public int size() {
        return parts.length;
    }

    /** @return the level l */
    public int level() {
        return parts[0].limbCount() - 1;
    }

    /** @return the scale */
    public double scale() {
        return scale;
    }

    /** @return the bytes of residue storage, 4 &middot; N &middot; (l + 1) per part */
    public long residueBytes() {
        long b = 0;
        for (CompactRnsPoly p : parts) {
            b += p.residueBytes();
        }
        return b;
    }

    @Override
    public String toString() {
        return "CompactCiphertext(" + parts.length + " parts, level " + level() + ", scale 2^"
                + String.format("%.2f", Math.log(scale) / Math.log(2)) + ")";
    }
}
