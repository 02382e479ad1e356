package io.github.jckks.nn;

import io.github.jckks.math.Modulus;

/**
 * The multiply-accumulate kernel of linear layers on batch-packed ciphertexts, for one prime q: every weight
 * is a scalar shared by all N slots (all images of the batch), so a layer is a matrix product of residues,
 * out[o][k] = (&Sigma;<sub>t</sub> w[o][t] &middot; in[idx[o][t]][k]) mod q, computed with lazy reduction.
 *
 * <p>Inputs: residues in [0, q) with q &lt; 2<sup>31</sup>, as 64-bit rows (the limbs of an {@code RnsPoly}) or
 * 32-bit rows (the limbs of a {@code CompactRnsPoly}: half the bytes to read, the same results bit for bit);
 * weights as residues in [0, q). Outputs fully reduced.
 * Implementations are stateless, thread-safe and allocation-free. Cost: one 64-bit multiply-add per weight
 * and slot, plus one reduction per output slot every 2<sup>63</sup>/q<sup>2</sup> terms.
 */
public interface MacKernel {
    /**
     * Sparse-weight form (convolutions): out[o][k] = &Sigma;<sub>t</sub> w[o][t] &middot; in[idx[o][t]][k] mod q for
     * k &lt; n. Rows of {@code idx} and {@code w} have equal lengths per output.
     */
    void sparse(long[][] in, int[][] idx, long[][] w, long[][] out, int n, Modulus q);

    /**
     * {@link #sparse(long[][], int[][], long[][], long[][], int, Modulus)} on 32-bit input rows. The default widens
     * the rows to 64 bits (a copy of the inputs) for kernels written before this form; the built-in kernels read them
     * in place.
     */
    default void sparse(int[][] in, int[][] idx, long[][] w, long[][] out, int n, Modulus q) {
        sparse(widen(in), idx, w, out, n, q);
    }

    /** Dense form: out[o][k] = &Sigma;<sub>j</sub> w[o][j] &middot; in[j][k] mod q for k &lt; n (w[o].length == in.length). */
    void dense(long[][] in, long[][] w, long[][] out, int n, Modulus q);

    /** {@link #dense(long[][], long[][], long[][], int, Modulus)} on 32-bit input rows (the default widens them). */
    default void dense(int[][] in, long[][] w, long[][] out, int n, Modulus q) {
        dense(widen(in), w, out, n, q);
    }

    /** @return the rows with 64-bit residues (residues below 2<sup>31</sup> are non-negative ints) */
    private static long[][] widen(int[][] rows) {
        long[][] wide = new long[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            wide[i] = new long[rows[i].length];
            for (int k = 0; k < rows[i].length; k++) {
                wide[i][k] = rows[i][k];
            }
        }
        return wide;
    }

    /** @return a short name ("scalar", "vector") */
    String name();
}
