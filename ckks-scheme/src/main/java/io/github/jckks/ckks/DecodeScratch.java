package io.github.jckks.ckks;

import io.github.jckks.math.MixedRadix;
import io.github.jckks.math.RnsPoly;

/**
 * A decoding thread's scratch, shared by {@link CkksEncoder} and {@link CoefficientEncoder}: a polynomial on every data
 * prime into which a plaintext is copied before the inverse NTT (so the plaintext stays as it was), the mixed-radix
 * digits, and N doubles for the centred coefficients (made on first use). One per thread and encoder, kept while the
 * thread lives. Not thread-safe: reach it through {@link #perThread}.
 */
final class DecodeScratch {
    private final RnsPoly poly;
    private final long[] digits;
    private double[] coefficients;

    private DecodeScratch(CkksContext context) {
        int primes = context.ringQ().basis().size();
        this.poly = context.ringQ().newPoly(primes, true);
        this.digits = new long[primes];
    }

    /** @return a scratch per thread for the ring of {@code context} */
    static ThreadLocal<DecodeScratch> perThread(CkksContext context) {
        return ThreadLocal.withInitial(() -> new DecodeScratch(context));
    }

    /**
     * out (length N) = the centred coefficients of {@code p} divided by its scale, through {@code mr}; p is left as it
     * was. Cost: one copy, (l+1) inverse NTTs (if p is in NTT form) and the mixed-radix conversion.
     *
     * @throws IllegalArgumentException if the plaintext belongs to another ring
     */
    void centred(CkksContext context, MixedRadix mr, Plaintext p, double[] out) {
        context.ringQ().requireOwn(p.poly());
        RnsPoly c = poly.view(p.poly().limbCount());
        c.copyFrom(p.poly());
        context.ringQ().intt(c);
        mr.toCenteredDouble(c, p.scale(), out, digits);
    }

    /** @return N doubles of scratch (the centred coefficients before the special FFT) */
    double[] coefficients(int n) {
        if (coefficients == null) {
            coefficients = new double[n];
        }
        return coefficients;
    }
}
