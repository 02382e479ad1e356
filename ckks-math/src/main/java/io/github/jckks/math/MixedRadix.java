package io.github.jckks.math;

import java.math.BigInteger;

/**
 * Converts RNS residues to the centred integer they represent, as a double, without BigInteger: Garner's
 * mixed-radix conversion x = a<sub>0</sub> + a<sub>1</sub>q<sub>0</sub> + a<sub>2</sub>q<sub>0</sub>q<sub>1</sub> +
 * &hellip; followed by a Horner evaluation in floating point (relative error about 2<sup>-52</sup>, with no
 * cancellation: values above Q/2 are converted as -(Q - x)). This is how the CKKS decoder reads a
 * plaintext at any level. Cost per coefficient: k(k-1)/2 modular products for k primes. Immutable and
 * thread-safe.
 */
public final class MixedRadix {
    private final RnsBasis basis;
    /** inv[m][i] = q_m^{-1} mod q_i for m &lt; i. */
    private final long[][] inv;
    private final long[][] invShoup;
    /** Mixed-radix digits of floor(Q_k / 2) for each prefix length k. */
    private final long[][] halfDigits;
    /** The primes as doubles, for the Horner evaluation. */
    private final double[] radix;
    /** Whether the limb-major SIMD path runs: all primes of at most 30 bits and {@link ModArith#fast()} present. */
    private final boolean simd;
    /** Per-thread digit rows of the SIMD path: the digits of x, then those of -x (2k rows of N). */
    private final ThreadLocal<long[][]> rows = new ThreadLocal<>();

    /** Precomputes the constants for every prefix of {@code basis}. */
    public MixedRadix(RnsBasis basis) {
        this.basis = basis;
        int k = basis.size();
        inv = new long[k][k];
        invShoup = new long[k][k];
        for (int i = 0; i < k; i++) {
            Modulus qi = basis.modulus(i);
            for (int m = 0; m < i; m++) {
                inv[m][i] = qi.inverse(qi.reduce(basis.modulus(m).value()));
                invShoup[m][i] = qi.shoup(inv[m][i]);
            }
        }
        boolean small = true;
        for (int i = 0; i < k; i++) {
            small &= basis.modulus(i).bits() <= 30;
        }
        simd = small && ModArith.fast() != null;
        radix = new double[k];
        for (int i = 0; i < k; i++) {
            radix[i] = basis.modulus(i).value();
        }
        halfDigits = new long[k + 1][];
        for (int len = 1; len <= k; len++) {
            BigInteger half = basis.product(len).shiftRight(1);
            long[] d = new long[len];
            for (int i = 0; i < len; i++) {
                BigInteger qi = BigInteger.valueOf(basis.modulus(i).value());
                BigInteger[] qr = half.divideAndRemainder(qi);
                d[i] = qr[1].longValue();
                half = qr[0];
            }
            halfDigits[len] = d;
        }
    }

    /**
     * Writes, for each coefficient j, the centred value of the residues p.limb(0..k-1)[j] divided by
     * {@code divisor} into out[j], where k = p.limbCount() (coefficient form expected).
     *
     * @param digits scratch of at least k longs
     */
    public void toCenteredDouble(RnsPoly p, double divisor, double[] out, long[] digits) {
        int k = p.limbCount();
        if (k > basis.size()) {
            throw new IllegalArgumentException(k + " limbs for a basis of " + basis.size());
        }
        int n = p.n();
        if (k == 1) {
            Modulus q0 = basis.modulus(0);
            long[] x = p.limb(0);
            for (int j = 0; j < n; j++) {
                out[j] = q0.center(x[j]) / divisor;
            }
            return;
        }
        long[] half = halfDigits[k];
        long[][] limbs = new long[k][];
        for (int i = 0; i < k; i++) {
            limbs[i] = p.limb(i);
        }
        if (k == 2) {
            toCenteredDouble2(limbs[0], limbs[1], n, divisor, out, half);
            return;
        }
        if (simd && n % 4 == 0) {
            toCenteredDoubleSimd(limbs, k, n, divisor, out, half);
            return;
        }
        for (int j = 0; j < n; j++) {
            garner(limbs, j, k, false, digits);
            boolean negative = greater(digits, half, k);
            if (negative) {
                garner(limbs, j, k, true, digits);
            }
            double v = 0;
            for (int i = k - 1; i >= 0; i--) {
                v = v * basis.modulus(i).value() + digits[i];
            }
            out[j] = (negative ? -v : v) / divisor;
        }
    }

    /**
     * Two primes (the client's decryption at level 1): x = a<sub>0</sub> + q<sub>0</sub> d with d = (a<sub>1</sub> -
     * a<sub>0</sub>) q<sub>0</sub><sup>-1</sup> mod q<sub>1</sub>, and for x above Q/2 the digits of Q - x, which are
     * (q<sub>0</sub> - a<sub>0</sub>, q<sub>1</sub> - 1 - d) for a<sub>0</sub> &ne; 0 and (0, q<sub>1</sub> - d) for
     * a<sub>0</sub> = 0 (no second Garner pass). The same digits and Horner evaluation as the general loop.
     */
    private void toCenteredDouble2(long[] a0, long[] a1, int n, double divisor, double[] out, long[] half) {
        Modulus q1 = basis.modulus(1);
        long q0v = basis.modulus(0).value();
        long q1v = q1.value();
        long w = inv[0][1];
        long wShoup = invShoup[0][1];
        long h0 = half[0];
        long h1 = half[1];
        for (int j = 0; j < n; j++) {
            long x0 = a0[j];
            long d = q1.mulShoup(q1.sub(a1[j], q1.reduce(x0)), w, wShoup);
            boolean negative = d > h1 || (d == h1 && x0 > h0);
            long e0 = x0;
            long e1 = d;
            if (negative) {
                e0 = x0 == 0 ? 0 : q0v - x0;
                e1 = x0 == 0 ? q1v - d : q1v - 1 - d;
            }
            double v = (double) e1 * q0v + e0;
            out[j] = (negative ? -v : v) / divisor;
        }
    }

    /**
     * The SIMD path: Garner's digits of x and of -x for all coefficients at once, limb after limb (k(k-1)/2
     * passes of {@link PointwiseKernel#subAnyMulScalar} each), then per coefficient the sign test against the
     * digits of floor(Q/2) and the Horner evaluation, as the scalar loop does.
     */
    private void toCenteredDoubleSimd(long[][] limbs, int k, int n, double divisor, double[] out, long[] half) {
        long[][] d = rows.get();
        if (d == null || d.length < 2 * k || d[0].length != n) {
            d = new long[2 * basis.size()][n];
            rows.set(d);
        }
        PointwiseKernel fast = ModArith.fast();
        for (int i = 0; i < k; i++) {
            Modulus qi = basis.modulus(i);
            long[] pos = d[i];
            long[] neg = d[k + i];
            System.arraycopy(limbs[i], 0, pos, 0, n);
            ModArith.negate(limbs[i], neg, qi.value());
            for (int m = 0; m < i; m++) {
                fast.subAnyMulScalar(pos, d[m], inv[m][i], pos, qi);
                fast.subAnyMulScalar(neg, d[k + m], inv[m][i], neg, qi);
            }
        }
        for (int j = 0; j < n; j++) {
            boolean negative = false;
            for (int i = k - 1; i >= 0; i--) {
                long a = d[i][j];
                if (a != half[i]) {
                    negative = a > half[i];
                    break;
                }
            }
            int base = negative ? k : 0;
            double v = 0;
            for (int i = k - 1; i >= 0; i--) {
                v = v * radix[i] + d[base + i][j];
            }
            out[j] = (negative ? -v : v) / divisor;
        }
    }

    private void garner(long[][] limbs, int j, int k, boolean negate, long[] a) {
        for (int i = 0; i < k; i++) {
            Modulus qi = basis.modulus(i);
            long t = limbs[i][j];
            if (negate) {
                t = qi.negate(t);
            }
            for (int m = 0; m < i; m++) {
                t = qi.sub(t, qi.reduce(a[m]));
                t = qi.mulShoup(t, inv[m][i], invShoup[m][i]);
            }
            a[i] = t;
        }
    }

    private static boolean greater(long[] a, long[] b, int k) {
        for (int i = k - 1; i >= 0; i--) {
            if (a[i] != b[i]) {
                return a[i] > b[i];
            }
        }
        return false;
    }
}
