package io.github.jckks.nn.clientaided;

/**
 * The server's privacy settings for activation rounds.
 *
 * @param mode          per-slot or per-ciphertext factors ({@link MaskMode})
 * @param maskBits      s: every factor is drawn log-uniformly from [2<sup>-s</sup>, 2<sup>s</sup>]. Larger s hides
 *                      magnitudes better (the client learns log2|x| only within &plusmn;s bits) but costs s bits of
 *                      modulus headroom (|r x| &Delta; must stay below q<sub>0</sub>/2 at the level sent) and
 *                      amplifies the client's fresh-encryption error by up to 2<sup>s</sup> after unmasking.
 *                      0 disables the factors (shuffling and re-randomization remain). Range [0, 16].
 * @param rerandomize   add a fresh public-key encryption of zero to every ciphertext before it leaves the
 *                      server (masked requests and results), so its c<sub>1</sub> is no longer a linear
 *                      combination, with the server's secret factors and weights, of ciphertexts the client
 *                      made and could otherwise solve for. Needs the client's public key. Keep it on.
 * @param floodingBits  b: also add to c<sub>0</sub> a uniform integer polynomial with coefficients in
 *                      [-2<sup>b</sup>, 2<sup>b</sup>] (noise flooding, to hide the circuit's noise); 0 = off. Range
 *                      [0, 40]. Costs precision: about 2<sup>b</sup> &radic;N / &Delta; per slot.
 */
public record MaskingConfig(MaskMode mode, double maskBits, boolean rerandomize, int floodingBits) {
    /** Validates the settings. */
    public MaskingConfig {
        if (mode == null) {
            throw new IllegalArgumentException("mask mode is null");
        }
        if (!(maskBits >= 0 && maskBits <= 16)) {
            throw new IllegalArgumentException("mask bits " + maskBits + " outside [0, 16]");
        }
        if (floodingBits < 0 || floodingBits > 40) {
            throw new IllegalArgumentException("flooding bits " + floodingBits + " outside [0, 40]");
        }
        if (floodingBits > 0 && !rerandomize) {
            throw new IllegalArgumentException("noise flooding needs re-randomization (the public key)");
        }
    }

    /** @return per-slot factors in [1/4, 4], re-randomization on, no flooding */
    public static MaskingConfig defaults() {
        return new MaskingConfig(MaskMode.PER_SLOT, 2, true, 0);
    }

    /** @return a copy with another mode */
    public MaskingConfig withMode(MaskMode m) {
        return new MaskingConfig(m, maskBits, rerandomize, floodingBits);
    }

    /** @return a copy with another factor range */
    public MaskingConfig withMaskBits(double bits) {
        return new MaskingConfig(mode, bits, rerandomize, floodingBits);
    }

    /** @return a copy with flooding of {@code bits} bits (0 = off) */
    public MaskingConfig withFloodingBits(int bits) {
        return new MaskingConfig(mode, maskBits, rerandomize, bits);
    }
}
