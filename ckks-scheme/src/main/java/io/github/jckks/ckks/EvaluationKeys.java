package io.github.jckks.ckks;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The public evaluation keys a server needs: the relinearization key (may be null if only linear work and
 * plaintext products are done) and Galois keys by Galois element g (rotation by k slots uses g = 5<sup>k</sup>
 * mod 2N; conjugation uses 2N - 1). Immutable.
 */
public final class EvaluationKeys {
    private final KeySwitchKey relinearization;
    private final Map<Integer, KeySwitchKey> galois;

    /** @param relinearization may be null; @param galois by Galois element (copied) */
    public EvaluationKeys(KeySwitchKey relinearization, Map<Integer, KeySwitchKey> galois) {
        this.relinearization = relinearization;
        this.galois = Collections.unmodifiableMap(new TreeMap<>(galois));
    }

    /** @return the relinearization key, or null */
    public KeySwitchKey relinearization() {
        return relinearization;
    }

    /** @return the Galois keys by element (unmodifiable) */
    public Map<Integer, KeySwitchKey> galois() {
        return galois;
    }

    /** @return the Galois key for element g, or null */
    public KeySwitchKey galois(int g) {
        return galois.get(g);
    }
}
