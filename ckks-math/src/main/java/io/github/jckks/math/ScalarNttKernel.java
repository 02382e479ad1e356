package io.github.jckks.math;

/**
 * The portable negacyclic NTT: Cooley-Tukey forward and Gentleman-Sande inverse butterflies with Harvey's
 * lazy reduction (values kept in [0, 4q) forward and [0, 2q) inverse, reduced once at the end) and Shoup
 * multiplication by the twiddle factors. Works for every prime below 2<sup>61</sup>. Stateless.
 */
public final class ScalarNttKernel implements NttKernel {
    /** The single instance. */
    public static final ScalarNttKernel INSTANCE = new ScalarNttKernel();

    private ScalarNttKernel() {
    }

    @Override
    public void forward(long[] a, NttTables tables) {
        final int n = tables.n();
        checkLength(a, n);
        final long q = tables.modulus().value();
        final long twoQ = q << 1;
        final long[] w = tables.psiRev();
        final long[] ws = tables.psiRevShoup();
        int t = n;
        for (int m = 1; m < n; m <<= 1) {
            t >>>= 1;
            for (int i = 0; i < m; i++) {
                final int j1 = 2 * i * t;
                final long wi = w[m + i];
                final long wsi = ws[m + i];
                for (int j = j1; j < j1 + t; j++) {
                    long u = a[j];
                    if (u >= twoQ) {
                        u -= twoQ;
                    }
                    long x = a[j + t];
                    long v = x * wi - Math.unsignedMultiplyHigh(x, wsi) * q; // in [0, 2q)
                    a[j] = u + v;
                    a[j + t] = u - v + twoQ;
                }
            }
        }
        for (int j = 0; j < n; j++) {
            long x = a[j];
            if (x >= twoQ) {
                x -= twoQ;
            }
            if (x >= q) {
                x -= q;
            }
            a[j] = x;
        }
    }

    @Override
    public void inverse(long[] a, NttTables tables) {
        final int n = tables.n();
        checkLength(a, n);
        final long q = tables.modulus().value();
        final long twoQ = q << 1;
        final long[] w = tables.psiInvRev();
        final long[] ws = tables.psiInvRevShoup();
        int t = 1;
        for (int m = n; m > 1; m >>>= 1) {
            final int h = m >>> 1;
            int j1 = 0;
            for (int i = 0; i < h; i++) {
                final long wi = w[h + i];
                final long wsi = ws[h + i];
                for (int j = j1; j < j1 + t; j++) {
                    long u = a[j];
                    long v = a[j + t];
                    long s = u + v;
                    if (s >= twoQ) {
                        s -= twoQ;
                    }
                    a[j] = s;
                    long d = u - v + twoQ;
                    a[j + t] = d * wi - Math.unsignedMultiplyHigh(d, wsi) * q;
                }
                j1 += 2 * t;
            }
            t <<= 1;
        }
        final long nInv = tables.nInv();
        final long nInvShoup = tables.nInvShoup();
        for (int j = 0; j < n; j++) {
            long x = a[j];
            long r = x * nInv - Math.unsignedMultiplyHigh(x, nInvShoup) * q;
            a[j] = r >= q ? r - q : r;
        }
    }

    @Override
    public boolean supports(Modulus q) {
        return true;
    }

    @Override
    public String name() {
        return "scalar";
    }

    static void checkLength(long[] a, int n) {
        if (a.length != n) {
            throw new IllegalArgumentException("polynomial length " + a.length + " does not match N = " + n);
        }
    }
}
