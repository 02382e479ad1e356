package io.github.jckks.ckks;

import io.github.jckks.math.RnsPoly;

/**
 * The secret key s, a ternary polynomial, kept in NTT form modulo the data primes (all levels) and the
 * special primes (if any). Whoever holds it can decrypt: keep it on the client. Immutable by convention.
 */
public final class SecretKey {
    private final RnsPoly sQ;
    private final RnsPoly sP;

    SecretKey(RnsPoly sQ, RnsPoly sP) {
        this.sQ = sQ;
        this.sP = sP;
    }

    /** @return s modulo q<sub>0</sub>&hellip;q<sub>L</sub>, NTT form (live: do not modify) */
    public RnsPoly sQ() {
        return sQ;
    }

    /** @return s modulo the special primes, NTT form (live: do not modify); null when the parameters have none */
    public RnsPoly sP() {
        return sP;
    }
}
