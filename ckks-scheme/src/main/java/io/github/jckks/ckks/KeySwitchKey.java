package io.github.jckks.ckks;

import io.github.jckks.math.CompactRnsPoly;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;

/**
 * A hybrid key-switching key from s' to s (Han-Ki 2020, as in SEAL and Lattigo): for each digit j of &alpha;
 * data primes, a pair (b<sub>j</sub>, a<sub>j</sub>) modulo Q<sub>L</sub>&middot;P with b<sub>j</sub> = -a<sub>j</sub>s +
 * e<sub>j</sub> + P&middot;[Q&#770;<sub>j</sub>&middot;(Q&#770;<sub>j</sub><sup>-1</sup> mod Q<sub>j</sub>)]&middot;s'. Stored as
 * four arrays of polynomials in NTT form: the Q and P parts of b and a. Relinearization keys (s' = s<sup>2</sup>)
 * and Galois keys (s' = &sigma;<sub>g</sub>(s)) are key-switching keys. Size: 2 &middot; digits &middot; (L+1+k)
 * &middot; N residues.
 *
 * <p><b>Compact storage.</b> The keys that {@link KeyGenerator} makes and {@link Serialization} reads keep their
 * residues in 32 bits ({@link #isCompact()}) whenever key switching multiplies them lazily (every prime below
 * 2<sup>31</sup> and at most {@code RnsRing.lazyTerms()} digits, as with all the SIMD kernels' chains): half the
 * memory of 64-bit limbs (a Galois key of {@code general16384Composite()}: 14.7 MB instead of 29.4 MB) and half the
 * bytes that each key switch streams from memory for the key. Immutable once built; thread-safe.
 */
public final class KeySwitchKey {
    private final RnsPoly[] bQ;
    private final RnsPoly[] bP;
    private final RnsPoly[] aQ;
    private final RnsPoly[] aP;
    private final CompactRnsPoly[] compactBQ;
    private final CompactRnsPoly[] compactBP;
    private final CompactRnsPoly[] compactAQ;
    private final CompactRnsPoly[] compactAP;
    private final RnsRing ringQ;
    private final RnsRing ringP;

    /** Wraps the digit polynomials (not copied), with 64-bit limbs. */
    public KeySwitchKey(RnsPoly[] bQ, RnsPoly[] bP, RnsPoly[] aQ, RnsPoly[] aP) {
        checkLengths(bQ.length, bP.length, aQ.length, aP.length);
        this.bQ = bQ;
        this.bP = bP;
        this.aQ = aQ;
        this.aP = aP;
        this.compactBQ = null;
        this.compactBP = null;
        this.compactAQ = null;
        this.compactAP = null;
        this.ringQ = null;
        this.ringP = null;
    }

    private KeySwitchKey(RnsRing rq, RnsRing rp, RnsPoly[] bQ, RnsPoly[] bP, RnsPoly[] aQ, RnsPoly[] aP) {
        checkLengths(bQ.length, bP.length, aQ.length, aP.length);
        this.bQ = null;
        this.bP = null;
        this.aQ = null;
        this.aP = null;
        this.compactBQ = compact(rq, bQ);
        this.compactBP = compact(rp, bP);
        this.compactAQ = compact(rq, aQ);
        this.compactAP = compact(rp, aP);
        this.ringQ = rq;
        this.ringP = rp;
    }

    /**
     * A key of {@code context} with the given digit polynomials, stored compactly when key switching multiplies it
     * lazily (see the class comment), else wrapped as given. Cost: one pass over the residues when compacted.
     */
    static KeySwitchKey of(CkksContext context, RnsPoly[] bQ, RnsPoly[] bP, RnsPoly[] aQ, RnsPoly[] aP) {
        RnsRing rq = context.ringQ();
        RnsRing rp = context.ringP();
        int lazy = Math.min(rq.lazyTerms(), rp.lazyTerms());
        boolean compact = bQ.length <= lazy && rq.fitsCompact(rq.basis().size()) && rp.fitsCompact(rp.basis().size());
        return compact ? new KeySwitchKey(rq, rp, bQ, bP, aQ, aP) : new KeySwitchKey(bQ, bP, aQ, aP);
    }

    private static void checkLengths(int bq, int bp, int aq, int ap) {
        if (bq != bp || bq != aq || bq != ap || bq == 0) {
            throw new IllegalArgumentException("key-switching key digit arrays differ in length or are empty");
        }
    }

    private static CompactRnsPoly[] compact(RnsRing ring, RnsPoly[] polys) {
        CompactRnsPoly[] out = new CompactRnsPoly[polys.length];
        for (int j = 0; j < polys.length; j++) {
            out[j] = ring.compact(polys[j]);
        }
        return out;
    }

    /** @return the number of digits */
    public int digits() {
        return bQ != null ? bQ.length : compactBQ.length;
    }

    /** @return whether the residues are stored in 32 bits (see the class comment) */
    public boolean isCompact() {
        return compactBQ != null;
    }

    /** @return the bytes the residues occupy: 4 (compact) or 8 per residue */
    public long residueBytes() {
        if (isCompact()) {
            return 2 * digits() * (compactBQ[0].residueBytes() + compactBP[0].residueBytes());
        }
        return 2L * digits() * 8 * bQ[0].n() * (bQ[0].limbCount() + bP[0].limbCount());
    }

    /** @return b_j modulo Q: the stored polynomial (live) for a 64-bit key, a new 64-bit copy for a compact one */
    public RnsPoly bQ(int j) {
        return isCompact() ? ringQ.expand(compactBQ[j]) : bQ[j];
    }

    /** @return b_j modulo P: the stored polynomial (live) for a 64-bit key, a new 64-bit copy for a compact one */
    public RnsPoly bP(int j) {
        return isCompact() ? ringP.expand(compactBP[j]) : bP[j];
    }

    /** @return a_j modulo Q: the stored polynomial (live) for a 64-bit key, a new 64-bit copy for a compact one */
    public RnsPoly aQ(int j) {
        return isCompact() ? ringQ.expand(compactAQ[j]) : aQ[j];
    }

    /** @return a_j modulo P: the stored polynomial (live) for a 64-bit key, a new 64-bit copy for a compact one */
    public RnsPoly aP(int j) {
        return isCompact() ? ringP.expand(compactAP[j]) : aP[j];
    }

    /** @return b_j modulo Q in 32 bits (compact keys only) */
    CompactRnsPoly compactBQ(int j) {
        return compactBQ[j];
    }

    /** @return b_j modulo P in 32 bits (compact keys only) */
    CompactRnsPoly compactBP(int j) {
        return compactBP[j];
    }

    /** @return a_j modulo Q in 32 bits (compact keys only) */
    CompactRnsPoly compactAQ(int j) {
        return compactAQ[j];
    }

    /** @return a_j modulo P in 32 bits (compact keys only) */
    CompactRnsPoly compactAP(int j) {
        return compactAP[j];
    }
}
