package io.github.jckks.ckks;

import io.github.jckks.math.RnsPoly;

/**
 * The public encryption key (b, a) = (-a s + e, a) modulo Q<sub>L</sub>&middot;P, NTT form, kept as its parts
 * modulo the data primes and modulo the special primes. Encryption works modulo Q<sub>l</sub>P and divides by P
 * (as SEAL and Lattigo), which shrinks the fresh noise to rounding size. With parameters that have no special
 * prime ({@link CkksParameters#supportsKeySwitching()} false) the key lives modulo Q<sub>L</sub> only: its P parts are
 * null and encryption works modulo Q<sub>l</sub>. Safe to publish.
 */
public final class PublicKey {
    private final RnsPoly b;
    private final RnsPoly a;
    private final RnsPoly bP;
    private final RnsPoly aP;

    /**
     * @param b  -a s + e modulo the data primes
     * @param a  uniform, modulo the data primes
     * @param bP -a s + e modulo the special primes (the same a and e); null if there is no special prime
     * @param aP a modulo the special primes; null if there is no special prime
     */
    public PublicKey(RnsPoly b, RnsPoly a, RnsPoly bP, RnsPoly aP) {
        this.b = b;
        this.a = a;
        this.bP = bP;
        this.aP = aP;
    }

    /** @return b = -a s + e modulo Q (live) */
    public RnsPoly b() {
        return b;
    }

    /** @return a modulo Q (live) */
    public RnsPoly a() {
        return a;
    }

    /** @return b modulo P (live), or null when the parameters have no special prime */
    public RnsPoly bP() {
        return bP;
    }

    /** @return a modulo P (live), or null when the parameters have no special prime */
    public RnsPoly aP() {
        return aP;
    }
}
