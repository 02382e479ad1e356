package io.github.jckks.ckks;

import io.github.jckks.math.RnsPoly;

/**
 * A ciphertext whose c<sub>1</sub> is decomposed and extended once for several Galois automorphisms
 * ({@link Evaluator#hoist}; OpenFHE's {@code EvalFastRotationPrecompute}, Lattigo's {@code DecomposeNTT}): its
 * c<sub>0</sub> (a copy) and each digit D<sub>j</sub> of c<sub>1</sub> extended to Q<sub>l</sub>&middot;P in NTT form.
 * {@link Evaluator#rotate(HoistedCiphertext, int)} and {@link Evaluator#conjugate(HoistedCiphertext)} then cost a key
 * product and a ModDown each, no decomposition. Independent of the ciphertext it came from (changing that one later
 * does not change this). Size: (digits &middot; (l + 1 + k) + l + 1) &middot; N residues, k the special primes.
 * Immutable and thread-safe.
 */
public final class HoistedCiphertext {
    private final RnsPoly c0;
    private final RnsPoly[] digitsQ;
    private final RnsPoly[] digitsP;
    private final double scale;
    private final CkksParameters parameters;

    HoistedCiphertext(CkksParameters parameters, RnsPoly c0, RnsPoly[] digitsQ, RnsPoly[] digitsP, double scale) {
        this.parameters = parameters;
        this.c0 = c0;
        this.digitsQ = digitsQ;
        this.digitsP = digitsP;
        this.scale = scale;
    }

    /** @return the level of the ciphertext */
    public int level() {
        return c0.limbCount() - 1;
    }

    /** @return its scale */
    public double scale() {
        return scale;
    }

    /** @return the parameters it was made with (an evaluator of other parameters refuses it) */
    public CkksParameters parameters() {
        return parameters;
    }

    /** @return the number of key-switching digits held */
    public int digits() {
        return digitsQ.length;
    }

    RnsPoly c0() {
        return c0;
    }

    RnsPoly digitQ(int j) {
        return digitsQ[j];
    }

    RnsPoly digitP(int j) {
        return digitsP[j];
    }

    @Override
    public String toString() {
        return "HoistedCiphertext(level " + level() + ", " + digits() + " extended digits, scale 2^"
                + String.format("%.2f", Math.log(scale) / Math.log(2)) + ")";
    }
}
