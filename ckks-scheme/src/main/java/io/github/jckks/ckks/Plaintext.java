package io.github.jckks.ckks;

import io.github.jckks.math.RnsPoly;

/**
 * An encoded message: a polynomial m of R<sub>Q<sub>l</sub></sub> in NTT form at level l (l + 1 primes), with the
 * scale &Delta; it was encoded at (slot values = decode(m) / &Delta;). Made by {@link CkksEncoder}. Mutable
 * polynomial, not thread-safe for writes.
 */
public final class Plaintext {
    private final RnsPoly poly;
    private final double scale;

    /**
     * @param poly  the polynomial, NTT form
     * @param scale its scale &Delta;
     */
    public Plaintext(RnsPoly poly, double scale) {
        if (!poly.isNtt()) {
            throw new IllegalArgumentException("plaintext polynomial must be in NTT form");
        }
        this.poly = poly;
        this.scale = Ciphertext.checkScale(scale);
    }

    /** @return the polynomial (live) */
    public RnsPoly poly() {
        return poly;
    }

    /** @return the scale */
    public double scale() {
        return scale;
    }

    /** @return the level l (number of primes - 1) */
    public int level() {
        return poly.limbCount() - 1;
    }

    @Override
    public String toString() {
        return "Plaintext(level " + level() + ", scale 2^" + String.format("%.2f", Math.log(scale) / Math.log(2)) + ")";
    }
}
