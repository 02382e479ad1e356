package io.github.jckks.math.vector;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.PointwiseKernel;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PointwiseKernel} on the Vector API: 4 x 64-bit lanes, every product a 32 x 32 -&gt; 64-bit
 * {@code vpmuludq} (both operands visibly masked to 32 bits, which is what C2 needs to emit it).
 *
 * <p>Products use Barrett reduction with s = bitlength(q) &lt;= 30: for p = xy &lt; 2<sup>2s</sup>,
 * t = &lfloor;p / 2<sup>s-1</sup>&rfloor; &lt; 2<sup>s+1</sup>, &mu; = &lfloor;2<sup>2s</sup>/q&rfloor; &lt;= 2<sup>s+1</sup>,
 * q&#770; = &lfloor;t&mu; / 2<sup>s+1</sup>&rfloor;, and p - q&#770;q lies in [0, 3q). The scalar product uses
 * Shoup's method with w' = &lfloor;w 2<sup>32</sup>/q&rfloor;. A conditional subtraction r -&gt; r mod q for
 * r &lt; 2q takes one of two forms. (1) Where r is a non-negative value below 2<sup>32</sup> (the Barrett and Shoup
 * products, the tensor, the twisted butterfly, centred reductions, multiply-adds, base conversions, and the sums and
 * differences of residues modulo q &lt; 2<sup>31</sup>): r mod q = min(r, r - q) as unsigned 32-bit words
 * ({@code vpminud}; r - q wraps to a larger word when r &lt; q, and the high words stay 0), two instructions.
 * (2) Elsewhere (sums of residues modulo q &ge; 2<sup>31</sup>, the signed addition of a rescale's error): d = r - q,
 * and q added back where d is negative with the mask -(d &gt;&gt;&gt; 63), a logical shift and a negation, never the
 * arithmetic shift d &gt;&gt; 63: AVX2 has no 64-bit arithmetic shift ({@code vpsraq} is AVX-512), and C2's
 * emulation of {@code lanewise(ASHR, 63)} made the loops of this class up to 2x slower. Measured on one core, a
 * multiply-add over 2048 residues: 2.6 us with the arithmetic shift, 2.2 us with form (2), 1.1 us with form (1); same
 * bits. Tails run scalar. About 4x the scalar loops.
 *
 * <p>Each block loop is one small self-contained method with the reductions written out: a vector-valued
 * helper that C2 leaves out of line (it did, for a shared conditional-subtraction helper, in the real
 * application's profile) receives and returns boxed vectors and runs the Vector API's Java fallback.
 */
public final class VectorPointwiseKernel implements PointwiseKernel {
    /** The single instance. */
    public static final VectorPointwiseKernel INSTANCE = new VectorPointwiseKernel();
    private static final VectorSpecies<Long> S = LongVector.SPECIES_256;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_128;
    private static final long M32 = 0xFFFFFFFFL;
    /** The bits of 2<sup>52</sup>: x + 2<sup>52</sup> for an integer 0 &lt;= x &lt; 2<sup>52</sup> has x as its mantissa. */
    private static final long TWO52_BITS = 0x4330000000000000L;
    private static final double TWO52 = 0x1p52;
    private static final LongVector ONE = LongVector.broadcast(S, 1L);
    /** Moduli below this take the unsigned 32-bit minimum for their conditional subtractions (sums below 2q &lt; 2<sup>32</sup>). */
    private static final long NARROW = 1L << 31;

    private VectorPointwiseKernel() {
    }

    private static void check(Modulus q) {
        if (q.bits() > 30) {
            throw new IllegalArgumentException("vector pointwise kernel needs primes below 2^30, got " + q);
        }
    }

    @Override
    public void mul(long[] x, long[] y, long[] z, Modulus q) {
        check(q);
        int s = q.bits();
        long mu = (1L << (2 * s)) / q.value();
        int n = z.length;
        int upper = S.loopBound(n);
        mulBlock(x, y, z, q.value(), s, mu, upper);
        for (int j = upper; j < n; j++) {
            z[j] = q.reduce(x[j] * y[j]);
        }
    }

    private static void mulBlock(long[] x, long[] y, long[] z, long q, int s, long mu, int upper) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        LongVector muv = LongVector.broadcast(S, mu).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        for (int j = 0; j < upper; j += 4) {
            LongVector a = LongVector.fromArray(S, x, j).and(M32);
            LongVector b = LongVector.fromArray(S, y, j).and(M32);
            // Barrett (see the class comment): r = p - qhat q in [0, 3q), then two conditional subtractions
            LongVector p = a.mul(b);
            LongVector t = p.lanewise(VectorOperators.LSHR, s - 1).and(M32);
            LongVector qhat = t.mul(muv).lanewise(VectorOperators.LSHR, s + 1).and(M32);
            IntVector r = p.sub(qhat.mul(qv)).reinterpretAsInts(); // in [0, 3q), below 2^32
            r = r.lanewise(VectorOperators.UMIN, r.sub(qi)); // r mod q as min(r, r - q), see the class comment
            r.lanewise(VectorOperators.UMIN, r.sub(qi)).reinterpretAsLongs().intoArray(z, j);
        }
    }

    @Override
    public void mulAdd(long[] x, long[] y, long[] c, long[] z, Modulus q) {
        check(q);
        int s = q.bits();
        long mu = (1L << (2 * s)) / q.value();
        int n = z.length;
        int upper = S.loopBound(n);
        mulAddBlock(x, y, c, z, q.value(), s, mu, upper);
        long qq = q.value();
        for (int j = upper; j < n; j++) {
            long v = c[j] + q.reduce(x[j] * y[j]);
            z[j] = v >= qq ? v - qq : v;
        }
    }

    private static void mulAddBlock(long[] x, long[] y, long[] c, long[] z, long q, int s, long mu, int upper) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        LongVector muv = LongVector.broadcast(S, mu).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        for (int j = 0; j < upper; j += 4) {
            LongVector a = LongVector.fromArray(S, x, j).and(M32);
            LongVector b = LongVector.fromArray(S, y, j).and(M32);
            LongVector p = a.mul(b);
            LongVector t = p.lanewise(VectorOperators.LSHR, s - 1).and(M32);
            LongVector qhat = t.mul(muv).lanewise(VectorOperators.LSHR, s + 1).and(M32);
            IntVector r = p.sub(qhat.mul(qv)).reinterpretAsInts(); // in [0, 3q), below 2^32
            r = r.lanewise(VectorOperators.UMIN, r.sub(qi));
            r = r.lanewise(VectorOperators.UMIN, r.sub(qi)); // p mod q
            r = r.add(LongVector.fromArray(S, c, j).reinterpretAsInts()); // c + p mod q in [0, 2q)
            r.lanewise(VectorOperators.UMIN, r.sub(qi)).reinterpretAsLongs().intoArray(z, j);
        }
    }

    @Override
    public void subMulScalar(long[] x, long[] t, long w, long[] z, Modulus q) {
        subMulScalarAdd(x, t, w, null, z, q);
    }

    /** {@inheritDoc} With y null: {@link #subMulScalar}. */
    @Override
    public void subMulScalarAdd(long[] x, long[] t, long w, long[] y, long[] z, Modulus q) {
        check(q);
        long qq = q.value();
        long wShoup = (w << 32) / qq;
        int n = z.length;
        int upper = S.loopBound(n);
        subMulBlock(x, t, y, z, qq, w, wShoup, upper);
        for (int j = upper; j < n; j++) {
            long v = x[j] - t[j] + qq;
            long qhat = (v * wShoup) >>> 32;
            long r = v * w - qhat * qq; // in [0, 2q): v < 2q < 2^32
            r = r >= qq ? r - qq : r;
            if (y != null) {
                r += y[j];
                r = r >= qq ? r - qq : r;
            }
            z[j] = r;
        }
    }

    /** z = (x - t) w mod q, plus y when y is not null (a loop-invariant test: C2 unswitches it). */
    private static void subMulBlock(long[] x, long[] t, long[] y, long[] z, long q, long w, long wShoup, int upper) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        LongVector wv = LongVector.broadcast(S, w).and(M32);
        LongVector wsv = LongVector.broadcast(S, wShoup).and(M32);
        for (int j = 0; j < upper; j += 4) {
            LongVector v = LongVector.fromArray(S, x, j).sub(LongVector.fromArray(S, t, j)).add(qv).and(M32);
            LongVector qhat = v.mul(wsv).lanewise(VectorOperators.LSHR, 32).and(M32);
            LongVector r = v.mul(wv).sub(qhat.mul(qv)); // Shoup: in [0, 2q) for v < 2^32 (here v < 2q)
            IntVector ri = r.reinterpretAsInts(); // below 2^32: one unsigned 32-bit minimum
            ri = ri.lanewise(VectorOperators.UMIN, ri.sub(qi));
            if (y != null) { // + y in [0, q): one more minimum
                ri = ri.add(LongVector.fromArray(S, y, j).reinterpretAsInts());
                ri = ri.lanewise(VectorOperators.UMIN, ri.sub(qi));
            }
            ri.reinterpretAsLongs().intoArray(z, j);
        }
    }

    @Override
    public void centredReduce(long[] v, long p, long[] out, Modulus q) {
        check(q);
        if (p >= (1L << 30)) {
            throw new IllegalArgumentException("centredReduce needs p below 2^30, got " + p);
        }
        if (q.bits() < 15) {
            throw new IllegalArgumentException("centredReduce needs q of at least 15 bits, got " + q);
        }
        long qq = q.value();
        int s = q.bits();
        long mu = (1L << (2 * s)) / qq;
        long half = p >>> 1;
        long pModQ = p % qq;
        int n = out.length;
        int upper = S.loopBound(n);
        centredBlock(v, out, qq, s, mu, half, pModQ, upper);
        for (int j = upper; j < n; j++) {
            long r = q.reduce(v[j]);
            if (v[j] > half) {
                r -= pModQ;
                if (r < 0) {
                    r += qq;
                }
            }
            out[j] = r;
        }
    }

    private static void centredBlock(long[] v, long[] out, long q, int s, long mu, long half, long pModQ, int upper) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        LongVector muv = LongVector.broadcast(S, mu).and(M32);
        LongVector halfv = LongVector.broadcast(S, half);
        LongVector pmq = LongVector.broadcast(S, pModQ);
        IntVector qi = qv.reinterpretAsInts();
        for (int j = 0; j < upper; j += 4) {
            LongVector x = LongVector.fromArray(S, v, j).and(M32);
            LongVector t = x.lanewise(VectorOperators.LSHR, s - 1).and(M32); // Barrett as in mulBlock
            LongVector qhat = t.mul(muv).lanewise(VectorOperators.LSHR, s + 1).and(M32);
            IntVector r = x.sub(qhat.mul(qv)).reinterpretAsInts(); // in [0, 3q): two unsigned minima
            r = r.lanewise(VectorOperators.UMIN, r.sub(qi));
            r = r.lanewise(VectorOperators.UMIN, r.sub(qi));
            // subtract p mod q where x > half ((half - x) >>> 63 is 1 exactly there): r + q - that, in (0, 2q)
            LongVector upperHalf = halfv.sub(x).lanewise(VectorOperators.LSHR, 63).neg();
            IntVector d = r.reinterpretAsLongs().add(qv).sub(pmq.and(upperHalf)).reinterpretAsInts();
            d.lanewise(VectorOperators.UMIN, d.sub(qi)).reinterpretAsLongs().intoArray(out, j);
        }
    }

    @Override
    public void mulAddLazy(long[] x, long[] y, long[] acc) {
        int n = acc.length;
        int upper = S.loopBound(n);
        mulAddLazyBlock(x, y, acc, upper);
        for (int j = upper; j < n; j++) {
            acc[j] += x[j] * y[j];
        }
    }

    private static void mulAddLazyBlock(long[] x, long[] y, long[] acc, int upper) {
        for (int j = 0; j < upper; j += 4) {
            LongVector a = LongVector.fromArray(S, x, j).and(M32);
            LongVector b = LongVector.fromArray(S, y, j).and(M32);
            a.mul(b).add(LongVector.fromArray(S, acc, j)).intoArray(acc, j);
        }
    }

    @Override
    public void mulScalarAddLazy(long[] x, long w, long[] acc) {
        int n = acc.length;
        int upper = S.loopBound(n);
        mulScalarAddLazyBlock(x, w, acc, upper);
        for (int j = upper; j < n; j++) {
            acc[j] += x[j] * w;
        }
    }

    private static void mulScalarAddLazyBlock(long[] x, long w, long[] acc, int upper) {
        LongVector wv = LongVector.broadcast(S, w).and(M32); // masked as a vector: C2 then emits vpmuludq
        for (int j = 0; j < upper; j += 4) {
            LongVector.fromArray(S, x, j).and(M32).mul(wv).add(LongVector.fromArray(S, acc, j)).intoArray(acc, j);
        }
    }

    @Override
    public void mulAddLazy2(long[] x, long[] y0, long[] y1, long[] acc0, long[] acc1, boolean first) {
        int n = acc0.length;
        int upper = S.loopBound(n);
        mulAddLazy2Block(x, y0, y1, acc0, acc1, first, upper);
        for (int j = upper; j < n; j++) {
            acc0[j] = (first ? 0 : acc0[j]) + x[j] * y0[j];
            acc1[j] = (first ? 0 : acc1[j]) + x[j] * y1[j];
        }
    }

    private static void mulAddLazy2Block(long[] x, long[] y0, long[] y1, long[] acc0, long[] acc1, boolean first,
                                         int upper) {
        for (int j = 0; j < upper; j += 4) {
            LongVector a = LongVector.fromArray(S, x, j).and(M32);
            LongVector p0 = a.mul(LongVector.fromArray(S, y0, j).and(M32));
            LongVector p1 = a.mul(LongVector.fromArray(S, y1, j).and(M32));
            if (!first) { // loop-invariant: C2 unswitches it
                p0 = p0.add(LongVector.fromArray(S, acc0, j));
                p1 = p1.add(LongVector.fromArray(S, acc1, j));
            }
            p0.intoArray(acc0, j);
            p1.intoArray(acc1, j);
        }
    }

    @Override
    public void mulAddLazy2(long[] x, int[] y0, int[] y1, long[] acc0, long[] acc1, boolean first) {
        int n = acc0.length;
        int upper = S.loopBound(n);
        mulAddLazy2CompactBlock(x, y0, y1, acc0, acc1, first, upper);
        for (int j = upper; j < n; j++) {
            acc0[j] = (first ? 0 : acc0[j]) + x[j] * (y0[j] & M32);
            acc1[j] = (first ? 0 : acc1[j]) + x[j] * (y1[j] & M32);
        }
    }

    // 4 ints widened to 4 longs (vpmovsxdq) and masked, so that the product is one vpmuludq
    private static void mulAddLazy2CompactBlock(long[] x, int[] y0, int[] y1, long[] acc0, long[] acc1, boolean first,
                                                int upper) {
        for (int j = 0; j < upper; j += 4) {
            LongVector a = LongVector.fromArray(S, x, j).and(M32);
            LongVector b0 = (LongVector) IntVector.fromArray(I, y0, j).convertShape(VectorOperators.I2L, S, 0);
            LongVector b1 = (LongVector) IntVector.fromArray(I, y1, j).convertShape(VectorOperators.I2L, S, 0);
            LongVector p0 = a.mul(b0.and(M32));
            LongVector p1 = a.mul(b1.and(M32));
            if (!first) {
                p0 = p0.add(LongVector.fromArray(S, acc0, j));
                p1 = p1.add(LongVector.fromArray(S, acc1, j));
            }
            p0.intoArray(acc0, j);
            p1.intoArray(acc1, j);
        }
    }

    @Override
    public void reduce(long[] acc, Modulus q) {
        check(q);
        int s = q.bits();
        if (s < 17) {
            throw new IllegalArgumentException("lazy reduction needs a prime of at least 17 bits, got " + q);
        }
        long qq = q.value();
        long mu = (1L << (2 * s)) / qq;
        long c = (1L << 32) % qq;
        int n = acc.length;
        int upper = S.loopBound(n);
        reduceBlock(acc, qq, s, mu, c, upper);
        for (int j = upper; j < n; j++) {
            acc[j] = q.reduce(acc[j]);
        }
    }

    /**
     * p mod q for p &lt; 2<sup>63</sup>: two folds p -&gt; (p &gt;&gt; 32) c + (p mod 2<sup>32</sup>) with c = 2<sup>32</sup> mod q
     * bring p below 2<sup>2s-1</sup> + 2<sup>32</sup> + 2<sup>s</sup> &lt; 2<sup>2s</sup> (s &ge; 17), then Barrett.
     */
    private static void reduceBlock(long[] acc, long q, int s, long mu, long c, int upper) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        LongVector muv = LongVector.broadcast(S, mu).and(M32);
        LongVector cv = LongVector.broadcast(S, c).and(M32);
        for (int j = 0; j < upper; j += 4) {
            LongVector p = LongVector.fromArray(S, acc, j);
            LongVector p1 = p.lanewise(VectorOperators.LSHR, 32).and(M32).mul(cv).add(p.and(M32));
            LongVector p2 = p1.lanewise(VectorOperators.LSHR, 32).and(M32).mul(cv).add(p1.and(M32));
            LongVector t = p2.lanewise(VectorOperators.LSHR, s - 1).and(M32);
            LongVector qhat = t.mul(muv).lanewise(VectorOperators.LSHR, s + 1).and(M32);
            LongVector r = p2.sub(qhat.mul(qv));
            IntVector ri = r.reinterpretAsInts(); // in [0, 3q), below 2^32: two unsigned 32-bit minima
            ri = ri.lanewise(VectorOperators.UMIN, ri.sub(qi));
            ri.lanewise(VectorOperators.UMIN, ri.sub(qi)).reinterpretAsLongs().intoArray(acc, j);
        }
    }

    @Override
    public void twistedButterfly(long[] x, long[] y, long[] w, long[] lo, long[] hi, Modulus q) {
        check(q);
        int s = q.bits();
        long qq = q.value();
        long mu = (1L << (2 * s)) / qq;
        int n = lo.length;
        int upper = S.loopBound(n);
        twistedBlock(x, y, w, lo, hi, qq, s, mu, upper);
        for (int j = upper; j < n; j++) {
            long a = x[j];
            long b = y[j];
            long u = a + b;
            u = u >= qq ? u - qq : u;
            long d = a - b;
            d = d < 0 ? d + qq : d;
            long v = q.reduce(d * w[j]);
            long l = u - v;
            long h = u + v;
            lo[j] = l < 0 ? l + qq : l;
            hi[j] = h >= qq ? h - qq : h;
        }
    }

    private static void twistedBlock(long[] x, long[] y, long[] w, long[] lo, long[] hi, long q, int s, long mu,
                                     int upper) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        LongVector muv = LongVector.broadcast(S, mu).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        for (int j = 0; j < upper; j += 4) {
            LongVector a = LongVector.fromArray(S, x, j);
            LongVector b = LongVector.fromArray(S, y, j);
            // every value below 2q < 2^32 here: conditional subtractions as unsigned 32-bit minima
            IntVector ui = a.add(b).reinterpretAsInts();
            LongVector u = ui.lanewise(VectorOperators.UMIN, ui.sub(qi)).reinterpretAsLongs();      // x + y mod q
            IntVector di = a.add(qv).sub(b).reinterpretAsInts();
            LongVector d = di.lanewise(VectorOperators.UMIN, di.sub(qi)).reinterpretAsLongs().and(M32); // x - y mod q
            // Barrett of d w (see the class comment), then two conditional subtractions
            LongVector p = d.mul(LongVector.fromArray(S, w, j).and(M32));
            LongVector t = p.lanewise(VectorOperators.LSHR, s - 1).and(M32);
            LongVector qhat = t.mul(muv).lanewise(VectorOperators.LSHR, s + 1).and(M32);
            IntVector vi = p.sub(qhat.mul(qv)).reinterpretAsInts();
            vi = vi.lanewise(VectorOperators.UMIN, vi.sub(qi));
            LongVector v = vi.lanewise(VectorOperators.UMIN, vi.sub(qi)).reinterpretAsLongs();
            IntVector l = u.add(qv).sub(v).reinterpretAsInts();
            l.lanewise(VectorOperators.UMIN, l.sub(qi)).reinterpretAsLongs().intoArray(lo, j);
            IntVector h = u.add(v).reinterpretAsInts();
            h.lanewise(VectorOperators.UMIN, h.sub(qi)).reinterpretAsLongs().intoArray(hi, j);
        }
    }

    @Override
    public void tensor(long[] a0, long[] a1, long[] b0, long[] b1, long[] c0, long[] c1, long[] c2, Modulus q) {
        check(q);
        int s = q.bits();
        long qq = q.value();
        long mu = (1L << (2 * s)) / qq;
        int n = c0.length;
        int upper = S.loopBound(n);
        tensorBlock(a0, a1, b0, b1, c0, c1, c2, qq, s, mu, upper);
        for (int j = upper; j < n; j++) {
            long x0 = a0[j];
            long x1 = a1[j];
            long y0 = b0[j];
            long y1 = b1[j];
            long m = q.reduce(x0 * y1) + q.reduce(x1 * y0);
            c0[j] = q.reduce(x0 * y0);
            c1[j] = m >= qq ? m - qq : m;
            c2[j] = q.reduce(x1 * y1);
        }
    }

    private static void tensorBlock(long[] a0, long[] a1, long[] b0, long[] b1, long[] c0, long[] c1, long[] c2,
                                    long q, int s, long mu, int upper) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        LongVector muv = LongVector.broadcast(S, mu).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        IntVector q2i = qv.add(qv).reinterpretAsInts();
        for (int j = 0; j < upper; j += 4) {
            LongVector x0 = LongVector.fromArray(S, a0, j).and(M32);
            LongVector x1 = LongVector.fromArray(S, a1, j).and(M32);
            LongVector y0 = LongVector.fromArray(S, b0, j).and(M32);
            LongVector y1 = LongVector.fromArray(S, b1, j).and(M32);
            // four Barrett products (see the class comment), each left in [0, 2q) and corrected once at the end
            LongVector p = x0.mul(y0);
            LongVector r00 = p.sub(p.lanewise(VectorOperators.LSHR, s - 1).and(M32).mul(muv)
                    .lanewise(VectorOperators.LSHR, s + 1).and(M32).mul(qv));
            p = x0.mul(y1);
            LongVector r01 = p.sub(p.lanewise(VectorOperators.LSHR, s - 1).and(M32).mul(muv)
                    .lanewise(VectorOperators.LSHR, s + 1).and(M32).mul(qv));
            p = x1.mul(y0);
            LongVector r10 = p.sub(p.lanewise(VectorOperators.LSHR, s - 1).and(M32).mul(muv)
                    .lanewise(VectorOperators.LSHR, s + 1).and(M32).mul(qv));
            p = x1.mul(y1);
            LongVector r11 = p.sub(p.lanewise(VectorOperators.LSHR, s - 1).and(M32).mul(muv)
                    .lanewise(VectorOperators.LSHR, s + 1).and(M32).mul(qv));
            // each r in [0, 3q), below 2^32: unsigned 32-bit minima. r01 is brought below q first, so that
            // r01 + r10 < 4q stays below 2^32; then 2q and q come off where they fit
            IntVector e = r00.reinterpretAsInts();
            e = e.lanewise(VectorOperators.UMIN, e.sub(qi));
            e.lanewise(VectorOperators.UMIN, e.sub(qi)).reinterpretAsLongs().intoArray(c0, j);
            e = r11.reinterpretAsInts();
            e = e.lanewise(VectorOperators.UMIN, e.sub(qi));
            e.lanewise(VectorOperators.UMIN, e.sub(qi)).reinterpretAsLongs().intoArray(c2, j);
            e = r01.reinterpretAsInts();
            e = e.lanewise(VectorOperators.UMIN, e.sub(qi));
            e = e.lanewise(VectorOperators.UMIN, e.sub(qi)).add(r10.reinterpretAsInts()); // in [0, 4q)
            e = e.lanewise(VectorOperators.UMIN, e.sub(q2i));
            e.lanewise(VectorOperators.UMIN, e.sub(qi)).reinterpretAsLongs().intoArray(c1, j);
        }
    }

    @Override
    public void baseConvert(long[][] y, int k, long[] h, long[] v, long c, long[] z, Modulus p) {
        baseConvert(y, k, h, v, c, z, p, false);
    }

    /** As {@link #baseConvert}, with z in [0, 3p) for two source primes: the Barrett remainder without its corrections. */
    @Override
    public void baseConvertLazy(long[][] y, int k, long[] h, long[] v, long c, long[] z, Modulus p) {
        baseConvert(y, k, h, v, c, z, p, true);
    }

    private void baseConvert(long[][] y, int k, long[] h, long[] v, long c, long[] z, Modulus p, boolean lazy) {
        check(p);
        int s = p.bits();
        if (s < 17 || k < 1 || k > 4) {
            throw new IllegalArgumentException("base conversion needs 1..4 source primes and a target of 17 to 30 bits, got "
                    + k + " and " + p);
        }
        long pv = p.value();
        long mu = (1L << (2 * s)) / pv;
        long fold = (1L << 32) % pv;
        int n = z.length;
        int upper = S.loopBound(n);
        if (k == 2) {
            // one pass: the digits of composite chains and two special primes
            convertTwoBlock(y[0], y[1], h[0], h[1], v, c, z, pv, s, mu, fold, upper, lazy);
            for (int j = upper; j < n; j++) {
                z[j] = p.reduce(v[j] * c + y[0][j] * h[0] + y[1][j] * h[1]);
            }
            return;
        }
        // z = v c + y_0 h_0, then z += y_i h_i, the last term fused with the reduction: at most 2k products of
        // residues below 2^30 (2^63 for k = 4)
        convertFirstBlock(y[0], h[0], v, c, z, upper);
        for (int i = 1; i < k - 1; i++) {
            convertAddBlock(y[i], h[i], z, upper);
        }
        convertLastBlock(k > 1 ? y[k - 1] : null, k > 1 ? h[k - 1] : 0, z, pv, s, mu, fold, upper);
        for (int j = upper; j < n; j++) {
            long acc = v[j] * c;
            for (int i = 0; i < k; i++) {
                acc += y[i][j] * h[i];
            }
            z[j] = p.reduce(acc);
        }
    }

    /**
     * z = (y0 h0 + y1 h1 + v c) mod q in one pass. The sum is below 3 &middot; 2<sup>30+s</sup> (y below 2<sup>30</sup>,
     * h, c below q &lt; 2<sup>s</sup>, v at most 2), so one fold x &rarr; (x &gt;&gt; 32) c<sub>32</sub> + (x mod 2<sup>32</sup>)
     * leaves it below 3 &middot; 2<sup>2s-2</sup> + 2<sup>32</sup> &le; 2<sup>2s</sup> (s &ge; 17), where the Barrett step
     * of {@link #reduceBlock} applies. {@code lazy}: the Barrett remainder is stored as it is, in [0, 3q).
     */
    private static void convertTwoBlock(long[] y0, long[] y1, long h0, long h1, long[] v, long c, long[] z, long q, int s,
                                        long mu, long fold, int upper, boolean lazy) {
        LongVector h0v = LongVector.broadcast(S, h0).and(M32);
        LongVector h1v = LongVector.broadcast(S, h1).and(M32);
        LongVector cv = LongVector.broadcast(S, c).and(M32);
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        LongVector muv = LongVector.broadcast(S, mu).and(M32);
        LongVector fv = LongVector.broadcast(S, fold).and(M32);
        for (int j = 0; j < upper; j += 4) {
            LongVector p = LongVector.fromArray(S, y0, j).and(M32).mul(h0v)
                    .add(LongVector.fromArray(S, y1, j).and(M32).mul(h1v))
                    .add(LongVector.fromArray(S, v, j).and(M32).mul(cv));
            LongVector p1 = p.lanewise(VectorOperators.LSHR, 32).and(M32).mul(fv).add(p.and(M32));
            LongVector t = p1.lanewise(VectorOperators.LSHR, s - 1).and(M32);
            LongVector qhat = t.mul(muv).lanewise(VectorOperators.LSHR, s + 1).and(M32);
            LongVector r = p1.sub(qhat.mul(qv)); // in [0, 3q)
            if (lazy) {
                r.intoArray(z, j);
                continue;
            }
            IntVector ri = r.reinterpretAsInts(); // in [0, 3q), below 2^32: two unsigned 32-bit minima
            ri = ri.lanewise(VectorOperators.UMIN, ri.sub(qi));
            ri.lanewise(VectorOperators.UMIN, ri.sub(qi)).reinterpretAsLongs().intoArray(z, j);
        }
    }

    private static void convertFirstBlock(long[] y0, long h0, long[] v, long c, long[] z, int upper) {
        LongVector hv = LongVector.broadcast(S, h0).and(M32);
        LongVector cv = LongVector.broadcast(S, c).and(M32);
        for (int j = 0; j < upper; j += 4) {
            LongVector a = LongVector.fromArray(S, y0, j).and(M32).mul(hv);
            a.add(LongVector.fromArray(S, v, j).and(M32).mul(cv)).intoArray(z, j);
        }
    }

    private static void convertAddBlock(long[] yi, long hi, long[] z, int upper) {
        LongVector hv = LongVector.broadcast(S, hi).and(M32);
        for (int j = 0; j < upper; j += 4) {
            LongVector.fromArray(S, yi, j).and(M32).mul(hv).add(LongVector.fromArray(S, z, j)).intoArray(z, j);
        }
    }

    /** z = (z + y h) mod p (y null: z mod p), reduced as {@link #reduceBlock}. */
    private static void convertLastBlock(long[] y, long h, long[] z, long q, int s, long mu, long c, int upper) {
        LongVector hv = LongVector.broadcast(S, h).and(M32);
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        LongVector muv = LongVector.broadcast(S, mu).and(M32);
        LongVector cv = LongVector.broadcast(S, c).and(M32);
        for (int j = 0; j < upper; j += 4) {
            LongVector p = LongVector.fromArray(S, z, j);
            if (y != null) {
                p = p.add(LongVector.fromArray(S, y, j).and(M32).mul(hv));
            }
            LongVector p1 = p.lanewise(VectorOperators.LSHR, 32).and(M32).mul(cv).add(p.and(M32));
            LongVector p2 = p1.lanewise(VectorOperators.LSHR, 32).and(M32).mul(cv).add(p1.and(M32));
            LongVector t = p2.lanewise(VectorOperators.LSHR, s - 1).and(M32);
            LongVector qhat = t.mul(muv).lanewise(VectorOperators.LSHR, s + 1).and(M32);
            LongVector r = p2.sub(qhat.mul(qv));
            IntVector ri = r.reinterpretAsInts(); // in [0, 3q), below 2^32: two unsigned 32-bit minima
            ri = ri.lanewise(VectorOperators.UMIN, ri.sub(qi));
            ri.lanewise(VectorOperators.UMIN, ri.sub(qi)).reinterpretAsLongs().intoArray(z, j);
        }
    }

    @Override
    public void quotientEstimate(long[][] y, int k, double[] qInv, long[] v) {
        int n = v.length;
        int upper = S.loopBound(n);
        quotientFirstBlock(y[0], qInv[0], v, upper);
        for (int i = 1; i < k; i++) {
            quotientAddBlock(y[i], qInv[i], v, upper);
        }
        quotientRoundBlock(v, upper);
        for (int j = upper; j < n; j++) {
            double f = 0;
            for (int i = 0; i < k; i++) {
                f += y[i][j] * qInv[i];
            }
            v[j] = (long) Math.floor(f + 0.5);
        }
    }

    // The running sum f lives in v as the bits of a double between the passes (v is the caller's output array).

    private static void quotientFirstBlock(long[] y0, double qInv0, long[] v, int upper) {
        for (int j = 0; j < upper; j += 4) {
            // y < 2^52 to double exactly: (y | bits of 2^52) - 2^52
            DoubleVector x = LongVector.fromArray(S, y0, j).or(TWO52_BITS).reinterpretAsDoubles().sub(TWO52);
            // 0 + x q^-1 is x q^-1: the scalar loop's first sum
            x.mul(qInv0).reinterpretAsLongs().intoArray(v, j);
        }
    }

    private static void quotientAddBlock(long[] yi, double qInvI, long[] v, int upper) {
        for (int j = 0; j < upper; j += 4) {
            DoubleVector x = LongVector.fromArray(S, yi, j).or(TWO52_BITS).reinterpretAsDoubles().sub(TWO52);
            DoubleVector f = LongVector.fromArray(S, v, j).reinterpretAsDoubles();
            f.add(x.mul(qInvI)).reinterpretAsLongs().intoArray(v, j);
        }
    }

    /** v = floor(f + 1/2) for the sums f (non-negative, far below 2^51) stored as double bits in v. */
    private static void quotientRoundBlock(long[] v, int upper) {
        for (int j = 0; j < upper; j += 4) {
            DoubleVector g = LongVector.fromArray(S, v, j).reinterpretAsDoubles().add(0.5);
            // g + 2^52 rounds g to the nearest integer; one down where that went up gives floor(g)
            DoubleVector r = g.add(TWO52);
            LongVector t = r.reinterpretAsLongs().sub(TWO52_BITS);
            VectorMask<Long> up = r.sub(TWO52).compare(VectorOperators.GT, g).cast(S);
            t.sub(ONE, up).intoArray(v, j);
        }
    }

    // ---------------------------------------------------------------- additive (any prime below 2^62)

    @Override
    public void add(long[] x, long[] y, long[] z, long q) {
        int n = z.length;
        int upper = S.loopBound(n);
        if (q < NARROW) {
            addBlock32(x, y, z, q, upper);
        } else {
            addBlock(x, y, z, q, upper);
        }
        for (int j = upper; j < n; j++) {
            long s = x[j] + y[j];
            z[j] = s >= q ? s - q : s;
        }
    }

    private static void addBlock(long[] x, long[] y, long[] z, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q);
        for (int j = 0; j < upper; j += 4) {
            // s - q, then q added back where that went negative
            LongVector d = LongVector.fromArray(S, x, j).add(LongVector.fromArray(S, y, j)).sub(qv);
            d.add(qv.and(d.lanewise(VectorOperators.LSHR, 63).neg())).intoArray(z, j);
        }
    }

    /** {@link #addBlock} for q &lt; 2<sup>31</sup>: the conditional subtraction as one unsigned 32-bit minimum. */
    private static void addBlock32(long[] x, long[] y, long[] z, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q);
        IntVector qi = qv.reinterpretAsInts();
        for (int j = 0; j < upper; j += 4) {
            IntVector v = LongVector.fromArray(S, x, j).add(LongVector.fromArray(S, y, j)).reinterpretAsInts(); // < 2q
            v.lanewise(VectorOperators.UMIN, v.sub(qi)).reinterpretAsLongs().intoArray(z, j);
        }
    }

    @Override
    public void sub(long[] x, long[] y, long[] z, long q) {
        int n = z.length;
        int upper = S.loopBound(n);
        if (q < NARROW) {
            subBlock32(x, y, z, q, upper);
        } else {
            subBlock(x, y, z, q, upper);
        }
        for (int j = upper; j < n; j++) {
            long d = x[j] - y[j];
            z[j] = d < 0 ? d + q : d;
        }
    }

    private static void subBlock(long[] x, long[] y, long[] z, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q);
        for (int j = 0; j < upper; j += 4) {
            LongVector d = LongVector.fromArray(S, x, j).sub(LongVector.fromArray(S, y, j));
            d.add(qv.and(d.lanewise(VectorOperators.LSHR, 63).neg())).intoArray(z, j);
        }
    }

    /** {@link #subBlock} for q &lt; 2<sup>31</sup>: the conditional subtraction as one unsigned 32-bit minimum. */
    private static void subBlock32(long[] x, long[] y, long[] z, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q);
        IntVector qi = qv.reinterpretAsInts();
        for (int j = 0; j < upper; j += 4) {
            IntVector v = LongVector.fromArray(S, x, j).add(qv).sub(LongVector.fromArray(S, y, j)).reinterpretAsInts();
            v.lanewise(VectorOperators.UMIN, v.sub(qi)).reinterpretAsLongs().intoArray(z, j); // x - y + q in (0, 2q)
        }
    }

    @Override
    public void negate(long[] x, long[] z, long q) {
        int n = z.length;
        int upper = S.loopBound(n);
        negateBlock(x, z, q, upper);
        for (int j = upper; j < n; j++) {
            long v = x[j];
            z[j] = v == 0 ? 0 : q - v;
        }
    }

    private static void negateBlock(long[] x, long[] z, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q);
        for (int j = 0; j < upper; j += 4) {
            // (q - x) - q = -x < 0 unless x = 0: keep q - x where -x is negative, else 0
            LongVector v = LongVector.fromArray(S, x, j);
            LongVector negative = v.neg().lanewise(VectorOperators.LSHR, 63).neg();
            qv.sub(v).and(negative).intoArray(z, j);
        }
    }

    @Override
    public void addScalar(long[] x, long c, long[] z, long q) {
        int n = z.length;
        int upper = S.loopBound(n);
        if (q < NARROW) {
            addScalarBlock32(x, c, z, q, upper);
        } else {
            addScalarBlock(x, c, z, q, upper);
        }
        for (int j = upper; j < n; j++) {
            long s = x[j] + c;
            z[j] = s >= q ? s - q : s;
        }
    }

    private static void addScalarBlock(long[] x, long c, long[] z, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q);
        LongVector cq = LongVector.broadcast(S, c - q);
        for (int j = 0; j < upper; j += 4) {
            LongVector d = LongVector.fromArray(S, x, j).add(cq);
            d.add(qv.and(d.lanewise(VectorOperators.LSHR, 63).neg())).intoArray(z, j);
        }
    }

    /** {@link #addScalarBlock} for q &lt; 2<sup>31</sup>: the conditional subtraction as one unsigned 32-bit minimum. */
    private static void addScalarBlock32(long[] x, long c, long[] z, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q);
        LongVector cv = LongVector.broadcast(S, c);
        IntVector qi = qv.reinterpretAsInts();
        for (int j = 0; j < upper; j += 4) {
            IntVector v = LongVector.fromArray(S, x, j).add(cv).reinterpretAsInts(); // x + c < 2q
            v.lanewise(VectorOperators.UMIN, v.sub(qi)).reinterpretAsLongs().intoArray(z, j);
        }
    }

    // ---------------------------------------------------------------- scalar products (Shoup, q < 2^30)

    @Override
    public void mulScalar(long[] x, long w, long[] z, Modulus q) {
        check(q);
        long qq = q.value();
        long w32 = (w << 32) / qq; // floor(w 2^32 / q) < 2^32
        int n = z.length;
        int upper = S.loopBound(n);
        mulScalarBlock(x, w, w32, z, qq, upper);
        for (int j = upper; j < n; j++) {
            long v = x[j];
            long r = v * w - ((v * w32) >>> 32) * qq;
            z[j] = r >= qq ? r - qq : r;
        }
    }

    /** Shoup: q&#770; = (x w') &gt;&gt; 32 is floor(x w / q) or one less, so x w - q&#770; q lies in [0, 2q). */
    private static void mulScalarBlock(long[] x, long w, long w32, long[] z, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        LongVector wv = LongVector.broadcast(S, w).and(M32);
        LongVector w32v = LongVector.broadcast(S, w32).and(M32);
        for (int j = 0; j < upper; j += 4) {
            LongVector a = LongVector.fromArray(S, x, j).and(M32);
            LongVector qhat = a.mul(w32v).lanewise(VectorOperators.LSHR, 32).and(M32);
            IntVector r = a.mul(wv).sub(qhat.mul(qv)).reinterpretAsInts(); // in [0, 2q)
            r.lanewise(VectorOperators.UMIN, r.sub(qi)).reinterpretAsLongs().intoArray(z, j);
        }
    }

    @Override
    public void mulScalarAdd(long[] x, long w, long[] acc, Modulus q) {
        check(q);
        long qq = q.value();
        long w32 = (w << 32) / qq;
        int n = acc.length;
        int upper = S.loopBound(n);
        mulScalarAddBlock(x, w, w32, acc, qq, upper);
        for (int j = upper; j < n; j++) {
            long v = x[j];
            long r = v * w - ((v * w32) >>> 32) * qq;
            long s = acc[j] + r; // < 3q
            s = s >= 2 * qq ? s - 2 * qq : s;
            acc[j] = s >= qq ? s - qq : s;
        }
    }

    private static void mulScalarAddBlock(long[] x, long w, long w32, long[] acc, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        IntVector q2i = qv.add(qv).reinterpretAsInts();
        LongVector wv = LongVector.broadcast(S, w).and(M32);
        LongVector w32v = LongVector.broadcast(S, w32).and(M32);
        for (int j = 0; j < upper; j += 4) {
            LongVector a = LongVector.fromArray(S, x, j).and(M32);
            LongVector qhat = a.mul(w32v).lanewise(VectorOperators.LSHR, 32).and(M32);
            // acc + [0, 2q) in [0, 3q), below 2^32: subtract 2q where it fits, then q where it fits (unsigned minima)
            IntVector r = a.mul(wv).sub(qhat.mul(qv)).add(LongVector.fromArray(S, acc, j)).reinterpretAsInts();
            r = r.lanewise(VectorOperators.UMIN, r.sub(q2i));
            r.lanewise(VectorOperators.UMIN, r.sub(qi)).reinterpretAsLongs().intoArray(acc, j);
        }
    }

    @Override
    public void subAnyMulScalar(long[] x, long[] t, long w, long[] z, Modulus q) {
        check(q);
        long qq = q.value();
        long c = ((1L << 30) + qq - 1) / qq * qq; // a multiple of q at least 2^30: x + c - t > 0
        long w32 = (w << 32) / qq;
        int n = z.length;
        int upper = S.loopBound(n);
        subAnyMulScalarBlock(x, t, c, w, w32, z, qq, upper);
        for (int j = upper; j < n; j++) {
            long u = x[j] + c - t[j]; // below 2^32
            long r = u * w - ((u * w32) >>> 32) * qq;
            z[j] = r >= qq ? r - qq : r;
        }
    }

    /** Shoup's product of u = x + c - t &lt; 2<sup>32</sup> (c a multiple of q), as {@link #mulScalarBlock}. */
    private static void subAnyMulScalarBlock(long[] x, long[] t, long c, long w, long w32, long[] z, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        LongVector cv = LongVector.broadcast(S, c);
        LongVector wv = LongVector.broadcast(S, w).and(M32);
        LongVector w32v = LongVector.broadcast(S, w32).and(M32);
        for (int j = 0; j < upper; j += 4) {
            LongVector u = LongVector.fromArray(S, x, j).add(cv).sub(LongVector.fromArray(S, t, j)).and(M32);
            LongVector qhat = u.mul(w32v).lanewise(VectorOperators.LSHR, 32).and(M32);
            IntVector r = u.mul(wv).sub(qhat.mul(qv)).reinterpretAsInts(); // in [0, 2q)
            r.lanewise(VectorOperators.UMIN, r.sub(qi)).reinterpretAsLongs().intoArray(z, j);
        }
    }

    @Override
    public void reduceIntegralDoubles(double[] c, long[] z, Modulus q) {
        check(q);
        long qq = q.value();
        int n = z.length;
        int upper = D.loopBound(n);
        reduceDoublesBlock(c, z, qq, upper);
        for (int j = upper; j < n; j++) {
            z[j] = q.reduceSigned((long) c[j]);
        }
    }

    /**
     * t = round(c / q) by the 1.5 &middot; 2<sup>52</sup> shift (|c / q| &lt; 2<sup>35</sup>, off by at most 2<sup>-17</sup>
     * before rounding), r = c - t q by one fused multiply-add (exact: |r| &lt; q), plus q where r is negative; the
     * result, below 2<sup>30</sup>, is read from the mantissa of r + 2<sup>52</sup>.
     */
    private static void reduceDoublesBlock(double[] c, long[] z, long q, int upper) {
        DoubleVector qv = DoubleVector.broadcast(D, (double) q);
        DoubleVector nq = DoubleVector.broadcast(D, -(double) q);
        DoubleVector qInv = DoubleVector.broadcast(D, 1.0 / q);
        DoubleVector shift = DoubleVector.broadcast(D, 0x1.8p52);
        for (int j = 0; j < upper; j += 4) {
            DoubleVector x = DoubleVector.fromArray(D, c, j);
            DoubleVector t = x.mul(qInv).add(shift).sub(shift);
            DoubleVector r = t.fma(nq, x);
            r = r.add(qv, r.compare(VectorOperators.LT, 0.0));
            r.add(TWO52).reinterpretAsLongs().sub(TWO52_BITS).intoArray(z, j);
        }
    }

    // ---------------------------------------------------------------- complex FFT stages (the CKKS encoder's)

    private static void checkFftStage(double[] re, double[] im, double[] twRe, double[] twIm, int half) {
        if (half < 4 || half % 4 != 0) {
            throw new IllegalArgumentException("FFT stage of half-size " + half + ": a positive multiple of 4 is needed");
        }
        if (im.length != re.length || re.length % (2 * half) != 0) {
            throw new IllegalArgumentException("FFT stage of half-size " + half + " over " + re.length + " real and "
                    + im.length + " imaginary parts: equal lengths, a multiple of " + 2 * half + ", are needed");
        }
        if (twRe.length < half || twIm.length < half) {
            throw new IllegalArgumentException("FFT stage of half-size " + half + " with " + twRe.length + "/" + twIm.length
                    + " twiddles");
        }
    }

    @Override
    public void fftForwardStage(double[] re, double[] im, double[] twRe, double[] twIm, int half) {
        checkFftStage(re, im, twRe, twIm, half);
        int size = re.length;
        for (int i = 0; i < size; i += 2 * half) {
            fftForwardBlock(re, im, twRe, twIm, i, half);
        }
    }

    private static void fftForwardBlock(double[] re, double[] im, double[] twRe, double[] twIm, int i, int half) {
        for (int j = 0; j < half; j += 4) {
            int a = i + j;
            int b = a + half;
            DoubleVector wr = DoubleVector.fromArray(D, twRe, j);
            DoubleVector wi = DoubleVector.fromArray(D, twIm, j);
            DoubleVector br = DoubleVector.fromArray(D, re, b);
            DoubleVector bi = DoubleVector.fromArray(D, im, b);
            DoubleVector vr = br.mul(wr).sub(bi.mul(wi));
            DoubleVector vi = br.mul(wi).add(bi.mul(wr));
            DoubleVector ur = DoubleVector.fromArray(D, re, a);
            DoubleVector ui = DoubleVector.fromArray(D, im, a);
            ur.add(vr).intoArray(re, a);
            ui.add(vi).intoArray(im, a);
            ur.sub(vr).intoArray(re, b);
            ui.sub(vi).intoArray(im, b);
        }
    }

    @Override
    public void fftInverseStage(double[] re, double[] im, double[] twRe, double[] twIm, int half) {
        checkFftStage(re, im, twRe, twIm, half);
        int size = re.length;
        for (int i = 0; i < size; i += 2 * half) {
            fftInverseBlock(re, im, twRe, twIm, i, half);
        }
    }

    private static void fftInverseBlock(double[] re, double[] im, double[] twRe, double[] twIm, int i, int half) {
        for (int j = 0; j < half; j += 4) {
            int a = i + j;
            int b = a + half;
            DoubleVector ar = DoubleVector.fromArray(D, re, a);
            DoubleVector ai = DoubleVector.fromArray(D, im, a);
            DoubleVector br = DoubleVector.fromArray(D, re, b);
            DoubleVector bi = DoubleVector.fromArray(D, im, b);
            DoubleVector vr = ar.sub(br);
            DoubleVector vi = ai.sub(bi);
            DoubleVector wr = DoubleVector.fromArray(D, twRe, j);
            DoubleVector wi = DoubleVector.fromArray(D, twIm, j);
            ar.add(br).intoArray(re, a);
            ai.add(bi).intoArray(im, a);
            vr.mul(wr).sub(vi.mul(wi)).intoArray(re, b);
            vr.mul(wi).add(vi.mul(wr)).intoArray(im, b);
        }
    }

    // ---------------------------------------------------------------- sampling

    @Override
    public void cdtSample(long[] draws, long[] thresholds) {
        int n = draws.length;
        int upper = n & ~7;
        cdtSampleBlock(draws, thresholds, upper);
        for (int j = upper; j < n; j++) {
            long d = draws[j];
            long r = d >>> 1;
            long count = 0;
            for (long t : thresholds) {
                count += (t - r) >>> 63;
            }
            long sign = -(d & 1);
            draws[j] = (count ^ sign) - sign;
        }
    }

    /**
     * 8 draws at a time, their counts in two registers across the whole table: per threshold one broadcast and, per 4
     * draws, (t - r) &gt;&gt;&gt; 63 added (1 exactly where r &gt; t; both below 2<sup>63</sup>). Arithmetic only, no
     * comparison masks: constant time in C2's code and in the Vector API's Java fallback alike (a mask's
     * {@code toVector()} there branches per lane).
     */
    private static void cdtSampleBlock(long[] draws, long[] thresholds, int upper) {
        final int m = thresholds.length;
        for (int j = 0; j < upper; j += 8) {
            LongVector d0 = LongVector.fromArray(S, draws, j);
            LongVector d1 = LongVector.fromArray(S, draws, j + 4);
            LongVector r0 = d0.lanewise(VectorOperators.LSHR, 1);
            LongVector r1 = d1.lanewise(VectorOperators.LSHR, 1);
            LongVector c0 = LongVector.zero(S);
            LongVector c1 = c0;
            for (int i = 0; i < m; i++) {
                LongVector t = LongVector.broadcast(S, thresholds[i]);
                c0 = c0.add(t.sub(r0).lanewise(VectorOperators.LSHR, 63));
                c1 = c1.add(t.sub(r1).lanewise(VectorOperators.LSHR, 63));
            }
            LongVector sign = d0.and(1L).neg(); // low bit 1: negative
            c0.lanewise(VectorOperators.XOR, sign).sub(sign).intoArray(draws, j);
            sign = d1.and(1L).neg();
            c1.lanewise(VectorOperators.XOR, sign).sub(sign).intoArray(draws, j + 4);
        }
    }

    @Override
    public int acceptAndReduce(int[] draws, int count, long t, long[] z, int j, Modulus q) {
        int s = q.bits();
        int k = 0;
        if (s >= 16 && s <= 30) {
            // r < 2^32 <= 2^(2s): the Barrett step of mulBlock applies to a draw as it does to a product
            long mu = (1L << (2 * s)) / q.value();
            j = acceptAndReduceBlock(draws, count & ~3, t, z, j, q.value(), s, mu);
            k = count & ~3;
        }
        for (; k < count; k++) {
            long r = draws[k] & M32;
            if (r < t) {
                z[j++] = q.reduce(r);
            }
        }
        return j;
    }

    /**
     * Draws [0, upper) 4 at a time: a group of 4 accepted draws is reduced in SIMD; a group with a rejection (for a
     * prime just above a power of two, t = 3q or 255q, up to a quarter of the draws) goes through the scalar loop,
     * in order, and the vector loop carries on.
     *
     * @return the next index into z
     */
    private static int acceptAndReduceBlock(int[] draws, int upper, long t, long[] z, int j, long q, int s, long mu) {
        LongVector qv = LongVector.broadcast(S, q).and(M32);
        IntVector qi = qv.reinterpretAsInts();
        LongVector muv = LongVector.broadcast(S, mu).and(M32);
        for (int k = 0; k < upper; k += 4) {
            LongVector r = ((LongVector) IntVector.fromArray(I, draws, k).convertShape(VectorOperators.I2L, S, 0)).and(M32);
            if (!r.compare(VectorOperators.LT, t).allTrue()) {
                for (int i = k; i < k + 4; i++) {
                    long v = draws[i] & M32;
                    if (v < t) {
                        z[j++] = v % q;
                    }
                }
                continue;
            }
            LongVector qhat = r.lanewise(VectorOperators.LSHR, s - 1).and(M32).mul(muv).lanewise(VectorOperators.LSHR, s + 1)
                    .and(M32);
            IntVector x = r.sub(qhat.mul(qv)).reinterpretAsInts(); // in [0, 3q), below 2^32: two unsigned minima
            x = x.lanewise(VectorOperators.UMIN, x.sub(qi));
            x.lanewise(VectorOperators.UMIN, x.sub(qi)).reinterpretAsLongs().intoArray(z, j);
            j += 4;
        }
        return j;
    }

    @Override
    public long addSigned(long[] z, long[] e, int sign, long q) {
        int n = z.length;
        int upper = S.loopBound(n);
        long bits = addSignedBlock(z, e, sign, q, upper);
        for (int j = upper; j < n; j++) {
            bits |= Math.abs(e[j]);
            long v = z[j] + sign * e[j];
            v += (v >> 63) & q;
            z[j] = v >= q ? v - q : v;
        }
        return bits;
    }

    /** 4 lanes: v = z &plusmn; e in (-q, 2q), q added where negative, subtracted where v &ge; q; |e| OR-ed lane-wise. */
    private static long addSignedBlock(long[] z, long[] e, int sign, long q, int upper) {
        LongVector qv = LongVector.broadcast(S, q);
        LongVector neg = LongVector.broadcast(S, sign < 0 ? -1L : 0L); // sign e = (e ^ neg) - neg, no branch on vectors
        LongVector bits = LongVector.zero(S);
        for (int j = 0; j < upper; j += 4) {
            LongVector ev = LongVector.fromArray(S, e, j);
            LongVector m = ev.lanewise(VectorOperators.LSHR, 63).neg(); // |e| = (e ^ m) - m (AVX2 has no 64-bit abs:
            bits = bits.or(ev.lanewise(VectorOperators.XOR, m).sub(m)); // lanewise(ABS) would run boxed)
            LongVector v = LongVector.fromArray(S, z, j).add(ev.lanewise(VectorOperators.XOR, neg).sub(neg));
            v = v.add(qv.and(v.lanewise(VectorOperators.LSHR, 63).neg()));
            LongVector d = v.sub(qv);
            d.add(qv.and(d.lanewise(VectorOperators.LSHR, 63).neg())).intoArray(z, j);
        }
        return bits.reduceLanes(VectorOperators.OR);
    }
}
