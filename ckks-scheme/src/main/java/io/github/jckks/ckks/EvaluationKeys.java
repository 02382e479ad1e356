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

    /**
     * @param relinearization may be null
     * @param galois          by Galois element (copied)
     * @throws IllegalArgumentException if a key is filed under a role it was not made for: a relinearization key that
     *                                  switches from &sigma;<sub>g</sub>(s), a Galois key filed under another element
     *                                  than its own or that switches from s<sup>2</sup> (keys of unknown source, see
     *                                  {@link KeySwitchKey#source()}, are accepted anywhere), or a null Galois key or element
     */
    public EvaluationKeys(KeySwitchKey relinearization, Map<Integer, KeySwitchKey> galois) {
        if (relinearization != null && relinearization.source() != KeySwitchKey.RELINEARIZATION
                && relinearization.source() != KeySwitchKey.UNKNOWN_SOURCE) {
            throw new IllegalArgumentException("the relinearization key given is the Galois key for element "
                    + relinearization.source() + " (it switches from sigma_g(s), not from s^2)");
        }
        TreeMap<Integer, KeySwitchKey> copy = new TreeMap<>();
        for (Map.Entry<Integer, KeySwitchKey> e : galois.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("a Galois key filed under a null element");
            }
            copy.put(e.getKey(), e.getValue());
        }
        for (Map.Entry<Integer, KeySwitchKey> e : copy.entrySet()) {
            KeySwitchKey k = e.getValue();
            if (k == null) {
                throw new IllegalArgumentException("Galois element " + e.getKey() + " has a null key");
            }
            if (k.source() != KeySwitchKey.UNKNOWN_SOURCE && k.source() != e.getKey()) {
                throw new IllegalArgumentException("the key filed under Galois element " + e.getKey() + " is "
                        + (k.source() == KeySwitchKey.RELINEARIZATION ? "a relinearization key"
                        : "the Galois key for element " + k.source()));
            }
        }
        this.relinearization = relinearization;
        this.galois = Collections.unmodifiableMap(copy);
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
