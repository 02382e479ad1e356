package io.github.jckks.nn.clientaided;

/**
 * How the server draws the positive factors that hide pre-activation values from the client.
 */
public enum MaskMode {
    /**
     * An independent factor for every slot of every ciphertext (a random plaintext, encoded per ciphertext and
     * round, multiplied in and removed by its inverse). The client sees r<sub>j,i</sub> x<sub>j,i</sub> with
     * independent r: only signs (and near-zero values) and a bounded-ratio hint of magnitudes leak. Cost per
     * ciphertext and round: two plaintext encodings (an FFT of N/2 points and (l+1) NTTs each) and two
     * plaintext products.
     */
    PER_SLOT,
    /**
     * One factor per ciphertext (a scalar, one Shoup product per residue, no encoding). Cheaper, but every slot
     * of a ciphertext shares r, so the client learns the exact ratios x<sub>j,i</sub> / x<sub>j,k</sub> between
     * the images of a batch for each (hidden) neuron j.
     */
    PER_CIPHERTEXT
}
