package io.github.jckks.math;

/**
 * Fast RNS basis extension (base conversion) from a basis {q<sub>i</sub>} with product Q to a basis
 * {p<sub>j</sub>}: the ModUp step of hybrid key switching, and with {@link RnsRing} the ModDown step.
 *
 * <p>{@link #convert} computes, per coefficient, &Sigma;<sub>i</sub> [x<sub>i</sub> &middot;
 * q&#770;<sub>i</sub><sup>-1</sup>]<sub>q<sub>i</sub></sub> &middot; q&#770;<sub>i</sub> mod p<sub>j</sub> with
 * q&#770;<sub>i</sub> = Q / q<sub>i</sub> (Bajard et al.; Halevi-Polyakov-Shoup), which equals x + u&middot;Q
 * for some 0 &lt;= u &lt; (number of primes): the approximate conversion that key switching tolerates.
 * {@link #convertExact} removes u with a floating-point estimate of the quotient (HPS 2019) and returns the
 * centred representative of x in (-Q/2, Q/2], exact unless x lies within about 2<sup>-40</sup>Q of &plusmn;Q/2.
 * Cost: (from.size() + 1) &middot; to.size() &middot; N modular products. Inputs in coefficient form. With 2 to 4
 * source primes and all primes of at most 30 bits (composite-scaling chains, two special primes) the exact
 * conversion runs on {@link ModArith#fast()}: unreduced 64-bit sums of 32 x 32-bit products, one reduction per
 * target residue, the quotient estimate in SIMD doubles (same values as the scalar loop).
 * Immutable and thread-safe (per-thread scratch).
 */
public final class BasisExtension {
    private final RnsBasis from;
    private final RnsBasis to;
    private final long[] qHatInv;
    private final long[] qHatInvShoup;
    /** qHatModP[j][i] = (Q / q_i) mod p_j. */
    private final long[][] qHatModP;
    /** Q mod p_j. */
    private final long[] qModP;
    /** -Q mod p_j. */
    private final long[] negQModP;
    /** Whether {@link #convertExact} runs on {@link ModArith#fast()}: 2 to 4 source primes, all primes of at most 30 bits. */
    private final boolean simd;
    private final double[] qInv;
    private final ThreadLocal<long[][]> scratch = new ThreadLocal<>();

    /** Precomputes the constants of the conversion from {@code from} to {@code to}. */
    public BasisExtension(RnsBasis from, RnsBasis to) {
        this.from = from;
        this.to = to;
        int k = from.size();
        qHatInv = new long[k];
        qHatInvShoup = new long[k];
        qInv = new double[k];
        for (int i = 0; i < k; i++) {
            Modulus qi = from.modulus(i);
            long hat = 1;
            for (int m = 0; m < k; m++) {
                if (m != i) {
                    hat = qi.mul(hat, qi.reduce(from.modulus(m).value()));
                }
            }
            qHatInv[i] = qi.inverse(hat);
            qHatInvShoup[i] = qi.shoup(qHatInv[i]);
            qInv[i] = 1.0 / qi.value();
        }
        qHatModP = new long[to.size()][k];
        qModP = new long[to.size()];
        negQModP = new long[to.size()];
        for (int j = 0; j < to.size(); j++) {
            Modulus p = to.modulus(j);
            long all = 1;
            for (int i = 0; i < k; i++) {
                all = p.mul(all, p.reduce(from.modulus(i).value()));
                long hat = 1;
                for (int m = 0; m < k; m++) {
                    if (m != i) {
                        hat = p.mul(hat, p.reduce(from.modulus(m).value()));
                    }
                }
                qHatModP[j][i] = hat;
            }
            qModP[j] = all;
            negQModP[j] = all == 0 ? 0 : p.value() - all;
        }
        boolean small = k >= 2 && k <= 4;
        for (int i = 0; i < k; i++) {
            small &= from.modulus(i).bits() <= 30;
        }
        for (int j = 0; j < to.size(); j++) {
            small &= to.modulus(j).bits() >= 17 && to.modulus(j).bits() <= 30;
        }
        simd = small && ModArith.fast() != null;
    }

    /** @return whether {@link #convertExact} runs on the SIMD kernel (2 to 4 source primes, all of at most 30 bits) */
    boolean usesSimd() {
        return simd;
    }

    /** @return the source basis */
    public RnsBasis from() {
        return from;
    }

    /** @return the target basis */
    public RnsBasis to() {
        return to;
    }

    /** Approximate conversion: out = x + u&middot;Q modulo each target prime, 0 &lt;= u &lt; from.size(). */
    public void convert(RnsPoly in, RnsPoly out) {
        long[][] y = prepare(in, out);
        int n = in.n();
        int k = from.size();
        for (int j = 0; j < to.size(); j++) {
            Modulus p = to.modulus(j);
            long[] hat = qHatModP[j];
            long[] z = out.limb(j);
            for (int c = 0; c < n; c++) {
                long hi = 0;
                long lo = 0;
                for (int i = 0; i < k; i++) {
                    long a = y[i][c];
                    long b = hat[i];
                    long plo = a * b;
                    long phi = Math.unsignedMultiplyHigh(a, b);
                    lo += plo;
                    hi += phi + (Long.compareUnsigned(lo, plo) < 0 ? 1 : 0);
                }
                z[c] = p.reduce128(p.reduce(hi), lo);
            }
        }
        out.setNtt(false);
    }

    /** Exact conversion of the centred representative of x in (-Q/2, Q/2]. */
    public void convertExact(RnsPoly in, RnsPoly out) {
        convertExact(in, out, false);
    }

    /**
     * {@link #convertExact} for an output that goes straight into forward NTTs: its residues may be left in [0, 3p)
     * instead of [0, p) (the forward NTT takes [0, 4p) and reduces them), which saves the conversion's final
     * corrections on the SIMD path for two source primes (the digits of composite chains, two special primes).
     */
    public void convertExactForNtt(RnsPoly in, RnsPoly out) {
        convertExact(in, out, true);
    }

    private void convertExact(RnsPoly in, RnsPoly out, boolean lazy) {
        if (from.size() == 1) {
            convertCentredSinglePrime(in, out);
            return;
        }
        long[][] y = prepare(in, out);
        int n = in.n();
        int k = from.size();
        if (simd) {
            // the quotient estimate once per coefficient, then one pass per target prime (SIMD, same values)
            long[] v = y[k];
            ModArith.fast().quotientEstimate(y, k, qInv, v);
            for (int j = 0; j < to.size(); j++) {
                if (lazy) {
                    ModArith.fast().baseConvertLazy(y, k, qHatModP[j], v, negQModP[j], out.limb(j), to.modulus(j));
                } else {
                    ModArith.fast().baseConvert(y, k, qHatModP[j], v, negQModP[j], out.limb(j), to.modulus(j));
                }
            }
            out.setNtt(false);
            return;
        }
        long[][] zs = new long[to.size()][];
        for (int j = 0; j < to.size(); j++) {
            zs[j] = out.limb(j);
        }
        for (int c = 0; c < n; c++) {
            double frac = 0;
            for (int i = 0; i < k; i++) {
                frac += y[i][c] * qInv[i];
            }
            long v = (long) Math.floor(frac + 0.5);
            for (int j = 0; j < to.size(); j++) {
                Modulus p = to.modulus(j);
                long[] hat = qHatModP[j];
                long hi = 0;
                long lo = 0;
                for (int i = 0; i < k; i++) {
                    long a = y[i][c];
                    long b = hat[i];
                    long plo = a * b;
                    long phi = Math.unsignedMultiplyHigh(a, b);
                    lo += plo;
                    hi += phi + (Long.compareUnsigned(lo, plo) < 0 ? 1 : 0);
                }
                long s = p.reduce128(p.reduce(hi), lo);
                zs[j][c] = p.sub(s, p.mul(p.reduce(v), qModP[j]));
            }
        }
        out.setNtt(false);
    }

    /**
     * The exact conversion from one prime q: the centred residue x - q&middot;[x &gt; q/2] reduced modulo each
     * target prime. One reduction per residue; the common case of key switching with one prime per digit.
     */
    private void convertCentredSinglePrime(RnsPoly in, RnsPoly out) {
        prepareShapes(in, out);
        long q = from.modulus(0).value();
        long half = q >>> 1;
        long[] x = in.limb(0);
        for (int j = 0; j < to.size(); j++) {
            Modulus p = to.modulus(j);
            long qModPj = qModP[j];
            long[] z = out.limb(j);
            if (half < p.value()) {
                // |centred v| <= q/2 < p: one conditional addition of p replaces the reduction
                long pv = p.value();
                for (int c = 0; c < x.length; c++) {
                    long v = x[c];
                    z[c] = v > half ? v - q + pv : v;
                }
            } else if (ModArith.fast() != null && q < (1L << 30) && p.bits() >= 15 && p.bits() <= 30) {
                ModArith.fast().centredReduce(x, q, z, p); // SIMD, same values
            } else {
                for (int c = 0; c < x.length; c++) {
                    long v = x[c];
                    long r = p.reduce(v);
                    z[c] = v > half ? p.sub(r, qModPj) : r;
                }
            }
        }
        out.setNtt(false);
    }

    /** y_i = [x_i * qHat_i^{-1}]_{q_i}, into per-thread scratch (one spare row after the k of y: the quotients). */
    private long[][] prepare(RnsPoly in, RnsPoly out) {
        prepareShapes(in, out);
        int n = in.n();
        long[][] y = scratch.get();
        if (y == null || y[0].length != n) {
            y = new long[from.size() + 1][n];
            scratch.set(y);
        }
        for (int i = 0; i < from.size(); i++) {
            Modulus qi = from.modulus(i);
            ModArith.mulScalar(in.limb(i), qHatInv[i], qHatInvShoup[i], y[i], qi);
        }
        return y;
    }

    private void prepareShapes(RnsPoly in, RnsPoly out) {
        if (in.isNtt()) {
            throw new IllegalArgumentException("basis extension needs coefficient form");
        }
        if (in.limbCount() < from.size()) {
            throw new IllegalArgumentException("input has " + in.limbCount() + " limbs, source basis has " + from.size());
        }
        if (out.limbCount() < to.size() || out.n() != in.n()) {
            throw new IllegalArgumentException("output has " + out.limbCount() + " limbs of N = " + out.n()
                    + ", target basis needs " + to.size() + " of N = " + in.n());
        }
    }
}
