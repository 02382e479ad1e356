package io.github.jckks.nn;

import io.github.jckks.math.Modulus;

/**
 * The portable {@link MacKernel}: blocks of {@value #BLOCK} slots, accumulators in a per-thread array, 64-bit
 * products summed without reduction for as many terms as fit below 2<sup>63</sup> (all 845 terms of a CryptoNets
 * layer for 24-bit primes, 8 for 30-bit primes), then one Barrett reduction.
 */
public final class ScalarMacKernel implements MacKernel {
    /** The single instance. */
    public static final ScalarMacKernel INSTANCE = new ScalarMacKernel();
    static final int BLOCK = 512;
    private static final ThreadLocal<long[]> ACC = ThreadLocal.withInitial(() -> new long[BLOCK]);

    private ScalarMacKernel() {
    }

    /** @return how many products of residues below q can be summed in a signed 64-bit accumulator that holds a value below q */
    static int lazyTerms(Modulus q) {
        long qm = q.value() - 1;
        if (qm == 0) {
            return Integer.MAX_VALUE;
        }
        long maxProduct = qm * qm;
        long room = Long.MAX_VALUE - q.value();
        long terms = room / maxProduct;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, terms));
    }

    static void check(Modulus q) {
        if (q.bits() > 31) {
            throw new IllegalArgumentException("MAC kernels need primes below 2^31, got " + q);
        }
    }

    @Override
    public void sparse(long[][] in, int[][] idx, long[][] w, long[][] out, int n, Modulus q) {
        run(in, idx, w, out, n, q);
    }

    @Override
    public void sparse(int[][] in, int[][] idx, long[][] w, long[][] out, int n, Modulus q) {
        run(in, idx, w, out, n, q);
    }

    @Override
    public void dense(long[][] in, long[][] w, long[][] out, int n, Modulus q) {
        run(in, null, w, out, n, q);
    }

    @Override
    public void dense(int[][] in, long[][] w, long[][] out, int n, Modulus q) {
        run(in, null, w, out, n, q);
    }

    /**
     * out[o] = sum over t of w[o][t] * in[idx[o][t]] (idx == null: the identity, a dense layer); the rows of
     * {@code in} are all long[] or all int[].
     */
    private static void run(Object[] in, int[][] idx, long[][] w, long[][] out, int n, Modulus q) {
        check(q);
        int lazy = lazyTerms(q);
        long[] acc = ACC.get();
        for (int k0 = 0; k0 < n; k0 += BLOCK) {
            int len = Math.min(BLOCK, n - k0);
            for (int o = 0; o < out.length; o++) {
                java.util.Arrays.fill(acc, 0, len, 0L);
                int[] ix = idx == null ? null : idx[o];
                long[] wo = w[o];
                int terms = ix == null ? in.length : ix.length;
                int pending = 0;
                for (int t = 0; t < terms; t++) {
                    long wt = wo[t];
                    if (wt == 0) {
                        continue;
                    }
                    Object row = in[ix == null ? t : ix[t]];
                    if (row instanceof long[] x) {
                        for (int k = 0; k < len; k++) {
                            acc[k] += wt * x[k0 + k];
                        }
                    } else {
                        int[] x = (int[]) row;
                        for (int k = 0; k < len; k++) {
                            acc[k] += wt * x[k0 + k];
                        }
                    }
                    if (++pending == lazy) {
                        for (int k = 0; k < len; k++) {
                            acc[k] = q.reduce(acc[k]);
                        }
                        pending = 0;
                    }
                }
                long[] z = out[o];
                for (int k = 0; k < len; k++) {
                    z[k0 + k] = q.reduce(acc[k]);
                }
            }
        }
    }

    @Override
    public String name() {
        return "scalar";
    }
}
