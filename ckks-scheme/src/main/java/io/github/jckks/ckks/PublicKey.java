package io.github.jckks.ckks;

import io.github.jckks.math.RnsPoly;

/**
 * The public encryption key (b, a) = (-a s + e, a) modulo Q<sub>L</sub>, NTT form. Safe to publish.
 */
public final class PublicKey {
    private final RnsPoly b;
    private final RnsPoly a;

    /** @param b -a s + e; @param a uniform */
    public PublicKey(RnsPoly b, RnsPoly a) {
        this.b = b;
        this.a = a;
    }

    /** @return b = -a s + e (live) */
    public RnsPoly b() {
        return b;
    }

    /** @return a (live) */
    public RnsPoly a() {
        return a;
    }
}
