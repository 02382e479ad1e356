package io.github.jckks.ckks;

import io.github.jckks.math.RnsPoly;

/**
 * A hybrid key-switching key from s' to s (Han-Ki 2020, as in SEAL and Lattigo): for each digit j of &alpha;
 * data primes, a pair (b<sub>j</sub>, a<sub>j</sub>) modulo Q<sub>L</sub>&middot;P with b<sub>j</sub> = -a<sub>j</sub>s +
 * e<sub>j</sub> + P&middot;[Q&#770;<sub>j</sub>&middot;(Q&#770;<sub>j</sub><sup>-1</sup> mod Q<sub>j</sub>)]&middot;s'. Stored as
 * four arrays of polynomials in NTT form: the Q and P parts of b and a. Relinearization keys (s' = s<sup>2</sup>)
 * and Galois keys (s' = &sigma;<sub>g</sub>(s)) are key-switching keys. Size: 2 &middot; digits &middot; (L+1+k)
 * &middot; N residues.
 */
public final class KeySwitchKey {
    private final RnsPoly[] bQ;
    private final RnsPoly[] bP;
    private final RnsPoly[] aQ;
    private final RnsPoly[] aP;

    /** Wraps the digit polynomials (not copied). */
    public KeySwitchKey(RnsPoly[] bQ, RnsPoly[] bP, RnsPoly[] aQ, RnsPoly[] aP) {
        if (bQ.length != bP.length || bQ.length != aQ.length || bQ.length != aP.length || bQ.length == 0) {
            throw new IllegalArgumentException("key-switching key digit arrays differ in length");
        }
        this.bQ = bQ;
        this.bP = bP;
        this.aQ = aQ;
        this.aP = aP;
    }

    /** @return the number of digits */
    public int digits() {
        return bQ.length;
    }

    /** @return b_j modulo Q (live) */
    public RnsPoly bQ(int j) {
        return bQ[j];
    }

    /** @return b_j modulo P (live) */
    public RnsPoly bP(int j) {
        return bP[j];
    }

    /** @return a_j modulo Q (live) */
    public RnsPoly aQ(int j) {
        return aQ[j];
    }

    /** @return a_j modulo P (live) */
    public RnsPoly aP(int j) {
        return aP[j];
    }
}
