package io.github.jckks.math;

/**
 * Element-wise modular kernels on one limb (arrays of residues modulo one prime): the loops behind
 * {@link RnsRing}. Inputs are in [0, q); outputs are fully reduced and may alias the inputs. Each method
 * is allocation-free and costs one pass over the arrays.
 *
 * <p>For primes below 2<sup>31</sup> a product of two residues fits in 62 bits and one 64-bit Barrett
 * reduction suffices; larger primes use the 128-bit Barrett reduction of {@link Modulus#reduce128}.
 */
public final class ModArith {
    private ModArith() {
    }

    private static final class Holder {
        static final PointwiseKernel FAST = load();

        private static PointwiseKernel load() {
            if (!NttKernels.get().name().startsWith("vector")) {
                return null;
            }
            try {
                return (PointwiseKernel) Class.forName("io.github.jckks.math.vector.VectorPointwiseKernel")
                        .getField("INSTANCE").get(null);
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    }

    /**
     * @return the SIMD pointwise kernel for primes below 2<sup>30</sup>, or null when the JVM runs the scalar NTT
     * kernel (the same choice as {@link NttKernels#get()})
     */
    public static PointwiseKernel fast() {
        return Holder.FAST;
    }

    /** z = x &middot; y mod q, element-wise. */
    public static void mul(long[] x, long[] y, long[] z, Modulus m) {
        final int n = z.length;
        if (m.bits() <= 30 && Holder.FAST != null) {
            Holder.FAST.mul(x, y, z, m);
        } else if (m.bits() <= 31) {
            for (int j = 0; j < n; j++) {
                z[j] = m.reduce(x[j] * y[j]);
            }
        } else {
            for (int j = 0; j < n; j++) {
                z[j] = m.reduce128(Math.unsignedMultiplyHigh(x[j], y[j]), x[j] * y[j]);
            }
        }
    }

    /** acc = acc + x &middot; y mod q, element-wise. */
    public static void mulAdd(long[] x, long[] y, long[] acc, Modulus m) {
        mulAdd(x, y, acc, acc, m);
    }

    /** z = c + x &middot; y mod q, element-wise, in one pass (z may alias c, x or y). */
    public static void mulAdd(long[] x, long[] y, long[] c, long[] z, Modulus m) {
        final int n = z.length;
        final long q = m.value();
        if (m.bits() <= 30 && Holder.FAST != null) {
            Holder.FAST.mulAdd(x, y, c, z, m);
        } else if (m.bits() <= 31) {
            for (int j = 0; j < n; j++) {
                long s = c[j] + m.reduce(x[j] * y[j]);
                z[j] = s >= q ? s - q : s;
            }
        } else {
            for (int j = 0; j < n; j++) {
                long s = c[j] + m.reduce128(Math.unsignedMultiplyHigh(x[j], y[j]), x[j] * y[j]);
                z[j] = s >= q ? s - q : s;
            }
        }
    }

    /**
     * acc = acc + x &middot; y without reduction (lazy accumulation; see {@link PointwiseKernel#mulAddLazy}): x, y
     * below 2<sup>32</sup>, acc kept below 2<sup>63</sup> by the caller.
     */
    public static void mulAddLazy(long[] x, long[] y, long[] acc) {
        if (Holder.FAST != null) {
            Holder.FAST.mulAddLazy(x, y, acc);
            return;
        }
        for (int j = 0; j < acc.length; j++) {
            acc[j] += x[j] * y[j];
        }
    }

    /**
     * acc0 += x &middot; y0 and acc1 += x &middot; y1 without reduction, in one pass (see {@link #mulAddLazy}); with
     * {@code first}, acc0 = x &middot; y0 and acc1 = x &middot; y1.
     */
    public static void mulAddLazy2(long[] x, long[] y0, long[] y1, long[] acc0, long[] acc1, boolean first) {
        if (Holder.FAST != null) {
            Holder.FAST.mulAddLazy2(x, y0, y1, acc0, acc1, first);
            return;
        }
        for (int j = 0; j < acc0.length; j++) {
            acc0[j] = (first ? 0 : acc0[j]) + x[j] * y0[j];
            acc1[j] = (first ? 0 : acc1[j]) + x[j] * y1[j];
        }
    }

    /** {@link #mulAddLazy2(long[], long[], long[], long[], long[], boolean)} with y0 and y1 in 32 bits, read as unsigned. */
    public static void mulAddLazy2(long[] x, int[] y0, int[] y1, long[] acc0, long[] acc1, boolean first) {
        if (Holder.FAST != null) {
            Holder.FAST.mulAddLazy2(x, y0, y1, acc0, acc1, first);
            return;
        }
        for (int j = 0; j < acc0.length; j++) {
            acc0[j] = (first ? 0 : acc0[j]) + x[j] * Integer.toUnsignedLong(y0[j]);
            acc1[j] = (first ? 0 : acc1[j]) + x[j] * Integer.toUnsignedLong(y1[j]);
        }
    }

    /** acc = acc + x &middot; w without reduction (see {@link PointwiseKernel#mulScalarAddLazy}). */
    public static void mulScalarAddLazy(long[] x, long w, long[] acc) {
        if (Holder.FAST != null) {
            Holder.FAST.mulScalarAddLazy(x, w, acc);
            return;
        }
        for (int j = 0; j < acc.length; j++) {
            acc[j] += x[j] * w;
        }
    }

    /** acc = acc mod q for acc in [0, 2<sup>63</sup>) (the end of a lazy accumulation). */
    public static void reduceLazy(long[] acc, Modulus m) {
        if (Holder.FAST != null && m.bits() >= 17 && m.bits() <= 30) {
            Holder.FAST.reduce(acc, m);
            return;
        }
        for (int j = 0; j < acc.length; j++) {
            acc[j] = m.reduce(acc[j]);
        }
    }

    /**
     * c0 = a0 b0, c1 = a0 b1 + a1 b0, c2 = a1 b1 mod q, element-wise in one pass (see {@link PointwiseKernel#tensor};
     * the outputs may alias the inputs).
     */
    public static void tensor(long[] a0, long[] a1, long[] b0, long[] b1, long[] c0, long[] c1, long[] c2, Modulus m) {
        if (m.bits() <= 30 && Holder.FAST != null) {
            Holder.FAST.tensor(a0, a1, b0, b1, c0, c1, c2, m);
            return;
        }
        for (int j = 0; j < c0.length; j++) {
            long x0 = a0[j];
            long x1 = a1[j];
            long y0 = b0[j];
            long y1 = b1[j];
            long mid = m.add(m.mul(x0, y1), m.mul(x1, y0));
            c0[j] = m.mul(x0, y0);
            c1[j] = mid;
            c2[j] = m.mul(x1, y1);
        }
    }

    /**
     * The twisted butterfly lo = (x + y) - w (x - y), hi = (x + y) + w (x - y) mod q, element-wise (see
     * {@link PointwiseKernel#twistedButterfly}; lo and hi may alias x or y).
     */
    public static void twistedButterfly(long[] x, long[] y, long[] w, long[] lo, long[] hi, Modulus m) {
        if (m.bits() <= 30 && Holder.FAST != null) {
            Holder.FAST.twistedButterfly(x, y, w, lo, hi, m);
            return;
        }
        final long q = m.value();
        for (int j = 0; j < lo.length; j++) {
            long a = x[j];
            long b = y[j];
            long u = a + b;
            u = u >= q ? u - q : u;
            long d = a - b;
            d = d < 0 ? d + q : d;
            long v = m.mul(d, w[j]);
            long l = u - v;
            long h = u + v;
            lo[j] = l < 0 ? l + q : l;
            hi[j] = h >= q ? h - q : h;
        }
    }

    /** z = x &middot; w mod q with w fixed and wShoup = {@link Modulus#shoup}(w). */
    public static void mulScalar(long[] x, long w, long wShoup, long[] z, Modulus m) {
        if (m.bits() <= 30 && Holder.FAST != null) {
            Holder.FAST.mulScalar(x, w, z, m);
            return;
        }
        final int n = z.length;
        final long q = m.value();
        for (int j = 0; j < n; j++) {
            long v = x[j];
            long r = v * w - Math.unsignedMultiplyHigh(v, wShoup) * q;
            z[j] = r >= q ? r - q : r;
        }
    }

    /** acc = acc + x &middot; w mod q with w fixed and wShoup = {@link Modulus#shoup}(w). */
    public static void mulScalarAdd(long[] x, long w, long wShoup, long[] acc, Modulus m) {
        if (m.bits() <= 30 && Holder.FAST != null) {
            Holder.FAST.mulScalarAdd(x, w, acc, m);
            return;
        }
        final int n = acc.length;
        final long q = m.value();
        final long twoQ = q << 1;
        for (int j = 0; j < n; j++) {
            long v = x[j];
            long s = acc[j] + v * w - Math.unsignedMultiplyHigh(v, wShoup) * q; // < 3q
            s = s >= twoQ ? s - twoQ : s; // conditional moves: the comparisons are data-dependent, unpredictable
            acc[j] = s >= q ? s - q : s;
        }
    }

    /** z = x + y mod q, element-wise. */
    public static void add(long[] x, long[] y, long[] z, long q) {
        if (Holder.FAST != null) {
            Holder.FAST.add(x, y, z, q);
            return;
        }
        final int n = z.length;
        for (int j = 0; j < n; j++) {
            long s = x[j] + y[j];
            z[j] = s >= q ? s - q : s;
        }
    }

    /** z = x - y mod q, element-wise. */
    public static void sub(long[] x, long[] y, long[] z, long q) {
        if (Holder.FAST != null) {
            Holder.FAST.sub(x, y, z, q);
            return;
        }
        final int n = z.length;
        for (int j = 0; j < n; j++) {
            long d = x[j] - y[j];
            z[j] = d < 0 ? d + q : d;
        }
    }

    /** z = -x mod q, element-wise. */
    public static void negate(long[] x, long[] z, long q) {
        if (Holder.FAST != null) {
            Holder.FAST.negate(x, z, q);
            return;
        }
        for (int j = 0; j < z.length; j++) {
            long v = x[j];
            z[j] = v == 0 ? 0 : q - v;
        }
    }

    /** z = x + c mod q, element-wise, c in [0, q). */
    public static void addScalar(long[] x, long c, long[] z, long q) {
        if (Holder.FAST != null) {
            Holder.FAST.addScalar(x, c, z, q);
            return;
        }
        for (int j = 0; j < z.length; j++) {
            long s = x[j] + c;
            z[j] = s >= q ? s - q : s;
        }
    }
}
