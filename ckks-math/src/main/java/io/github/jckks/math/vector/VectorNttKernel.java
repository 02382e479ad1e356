package io.github.jckks.math.vector;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.NttKernel;
import io.github.jckks.math.NttKernels;
import io.github.jckks.math.NttTables;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The negacyclic NTT on 256-bit SIMD registers (Vector API, 4 x 64-bit lanes) for primes q &lt; 2<sup>30</sup>:
 * the same transform as {@link io.github.jckks.math.ScalarNttKernel} (Longa-Naehrig Cooley-Tukey forward with
 * the &psi;<sup>brv</sup> tables, bit-reversed output; Gentleman-Sande inverse with &psi;<sup>-brv</sup> and
 * N<sup>-1</sup>), bit-identical on fully reduced inputs, about 3-4x faster.
 *
 * <p>Design. Values live in 64-bit lanes but stay below 4q &lt; 2<sup>32</sup> (Harvey's lazy butterflies), so every
 * product is a 32 x 32 -&gt; 64-bit {@code vpmuludq}: both operands carry a visible {@code and(0xFFFFFFFF)}, the
 * pattern C2 needs. Twiddles are multiplied with Shoup's method using 32-bit companions
 * w' = floor(w &middot; 2<sup>32</sup> / q): x &middot; w mod q = x &middot; w - floor(x &middot; w' / 2<sup>32</sup>)
 * &middot; q, in [0, 2q), three multiplications. Conditional subtractions are unsigned 32-bit minima
 * ({@code vpminud}). Stages with butterfly distance t &gt;= 4 are plain vector loops (one small method per stage
 * so C2 inlines the butterfly and never boxes a vector); the distances t = 2 and t = 1 work inside one register:
 * a Shoup product by lanes (1, 1, w, w) or (1, w0, 1, w1) (see {@link NttTables#lateStageTwiddles32()}), one
 * lane permutation, and an add-or-subtract by a sign mask. The forward transform's final reduction is fused
 * into its last stage and the inverse's N<sup>-1</sup> into its last stage (as in SEAL).
 *
 * <p>Cost: (N/2) log2 N butterflies at about 3 instructions each; N &lt; 8 and primes of 30 bits or more go to
 * the scalar kernel. Stateless, thread-safe, allocation-free (after the tables' one-time late-stage twiddles).
 */
public final class VectorNttKernel implements NttKernel {
    /** The single instance (looked up reflectively by {@link NttKernels}). */
    public static final VectorNttKernel INSTANCE = new VectorNttKernel();

    /** The largest prime bit length this kernel handles: 4q must fit in 32 bits. */
    public static final int MAX_BITS = 30;

    static final VectorSpecies<Long> S = LongVector.SPECIES_256;
    static final int L = 4;
    static final long M32 = 0xFFFFFFFFL;
    /** Lane permutation (2, 3, 0, 1): swaps the 128-bit halves. */
    static final VectorShuffle<Long> SWAP_HALVES = VectorShuffle.fromValues(S, 2, 3, 0, 1);
    /** Lane permutation (1, 0, 3, 2): swaps neighbours. */
    static final VectorShuffle<Long> SWAP_PAIRS = VectorShuffle.fromValues(S, 1, 0, 3, 2);
    static final LongVector NEG_HIGH = LongVector.fromArray(S, new long[] {0, 0, -1, -1}, 0);
    static final LongVector NEG_ODD = LongVector.fromArray(S, new long[] {0, -1, 0, -1}, 0);

    private VectorNttKernel() {
    }

    @Override
    public boolean supports(Modulus q) {
        return q.bits() <= MAX_BITS;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void forward(long[] a, NttTables tables) {
        final int n = tables.n();
        checkLength(a, n);
        if (n < 8 || !supports(tables.modulus())) {
            NttKernels.scalar().forward(a, tables);
            return;
        }
        final long q = tables.modulus().value();
        final long[] w = tables.psiRev();
        final long[] ws = tables.psiRevShoup();
        int t = n >>> 1;
        int m = 1;
        for (; t >= L; m <<= 1, t >>>= 1) {
            forwardStage(a, w, ws, m, t, q);
        }
        final long[] late = tables.lateStageTwiddles32();
        forwardT2(a, late, n, q);
        forwardT1(a, late, n, q);
    }

    @Override
    public void inverse(long[] a, NttTables tables) {
        final int n = tables.n();
        checkLength(a, n);
        if (n < 8 || !supports(tables.modulus())) {
            NttKernels.scalar().inverse(a, tables);
            return;
        }
        final long q = tables.modulus().value();
        final long[] w = tables.psiInvRev();
        final long[] ws = tables.psiInvRevShoup();
        final long[] late = tables.lateStageTwiddles32();
        inverseT1(a, late, n, q);
        inverseT2(a, late, n, q);
        int t = 4;
        for (int h = n >>> 3; h > 1; h >>>= 1, t <<= 1) {
            inverseStage(a, w, ws, h, t, q);
        }
        final long nInv = tables.nInv();
        final long wn = tables.modulus().mul(w[1], nInv);
        inverseLast(a, tables.packShoup32(nInv), tables.packShoup32(wn), t, q);
    }

    // ---------------------------------------------------------------- arithmetic on 4 lanes of 32-bit values

    /** x &middot; w mod q in [0, 2q) for lanes x &lt; 2^32, w &lt; q, wShoup = floor(w 2^32 / q) (Shoup). */
    static LongVector mulShoup(LongVector x, LongVector w, LongVector wShoup, LongVector q) {
        LongVector xm = x.and(M32);
        LongVector qhat = xm.mul(wShoup.and(M32)).lanewise(VectorOperators.LSHR, 32);
        return xm.mul(w.and(M32)).sub(qhat.and(M32).mul(q.and(M32)));
    }

    /** {@link #mulShoup} with w and its companion packed in one lane (w | w' &lt;&lt; 32). */
    static LongVector mulShoupPacked(LongVector x, LongVector packed, LongVector q) {
        return mulShoup(x, packed, packed.lanewise(VectorOperators.LSHR, 32), q);
    }

    /** x mod m for lanes x in [0, 2m), x &lt; 2^32: min(x, x - m) as unsigned 32-bit words ({@code vpminud}). */
    static LongVector reduceOnce(LongVector x, LongVector m) {
        IntVector xi = x.reinterpretAsInts();
        return xi.lanewise(VectorOperators.UMIN, xi.sub(m.reinterpretAsInts())).reinterpretAsLongs();
    }

    // ---------------------------------------------------------------- forward (Cooley-Tukey) stages

    /** One stage with butterfly distance t &gt;= 4: m blocks, block i twiddled by psiRev[m + i]. */
    static void forwardStage(long[] a, long[] w, long[] ws, int m, int t, long q) {
        final LongVector vq = LongVector.broadcast(S, q);
        final LongVector twoQ = LongVector.broadcast(S, 2 * q);
        for (int i = 0; i < m; i++) {
            final int j1 = 2 * i * t;
            final LongVector vw = LongVector.broadcast(S, w[m + i]);
            final LongVector vws = LongVector.broadcast(S, ws[m + i] >>> 32);
            for (int j = j1; j < j1 + t; j += L) {
                butterflyCT(a, j, j + t, vw, vws, vq, twoQ);
            }
        }
    }

    /** Harvey's lazy CT butterfly on 4 lanes: (u, x) -&gt; (u + xw, u - xw + 2q), inputs and outputs in [0, 4q). */
    static void butterflyCT(long[] a, int j, int k, LongVector w, LongVector ws, LongVector q, LongVector twoQ) {
        LongVector u = reduceOnce(LongVector.fromArray(S, a, j), twoQ);
        LongVector v = mulShoup(LongVector.fromArray(S, a, k), w, ws, q);
        u.add(v).intoArray(a, j);
        u.sub(v).add(twoQ).intoArray(a, k);
    }

    /** Stage t = 2 (m = N/4): in each group of 4 lanes (u0, u1, x0, x1) the butterflies (u0, x0), (u1, x1). */
    static void forwardT2(long[] a, long[] late, int n, long q) {
        final LongVector vq = LongVector.broadcast(S, q);
        final LongVector bias = NEG_HIGH.and(2 * q + 1);
        for (int j = 0; j < n; j += L) {
            LongVector p = mulShoupPacked(LongVector.fromArray(S, a, j), LongVector.fromArray(S, late, j), vq);
            // p = (u0', u1', v0, v1) all in [0, 2q); out = (u0' + v0, u1' + v1, u0' - v0 + 2q, u1' - v1 + 2q)
            p.rearrange(SWAP_HALVES).add(p.lanewise(VectorOperators.XOR, NEG_HIGH)).add(bias).intoArray(a, j);
        }
    }

    /** Stage t = 1 (m = N/2) with the final reduction to [0, q): lanes (u0, x0, u1, x1). */
    static void forwardT1(long[] a, long[] late, int n, long q) {
        final LongVector vq = LongVector.broadcast(S, q);
        final LongVector twoQ = LongVector.broadcast(S, 2 * q);
        final LongVector bias = NEG_ODD.and(2 * q + 1);
        for (int j = 0; j < n; j += L) {
            LongVector p = mulShoupPacked(LongVector.fromArray(S, a, j), LongVector.fromArray(S, late, n + j), vq);
            LongVector r = p.rearrange(SWAP_PAIRS).add(p.lanewise(VectorOperators.XOR, NEG_ODD)).add(bias);
            reduceOnce(reduceOnce(r, twoQ), vq).intoArray(a, j);
        }
    }

    // ---------------------------------------------------------------- inverse (Gentleman-Sande) stages

    /** Stage t = 1 (h = N/2): lanes (u0, v0, u1, v1) in [0, q) -&gt; (u + v, (u - v) w) lazily in [0, 2q). */
    static void inverseT1(long[] a, long[] late, int n, long q) {
        final LongVector vq = LongVector.broadcast(S, q);
        final LongVector bias = NEG_ODD.and(2 * q + 1);
        final int off = 2 * n;
        for (int j = 0; j < n; j += L) {
            LongVector x = LongVector.fromArray(S, a, j);
            LongVector s = x.rearrange(SWAP_PAIRS).add(x.lanewise(VectorOperators.XOR, NEG_ODD)).add(bias);
            mulShoupPacked(s, LongVector.fromArray(S, late, off + j), vq).intoArray(a, j);
        }
    }

    /** Stage t = 2 (h = N/4): lanes (u0, u1, v0, v1) in [0, 2q). */
    static void inverseT2(long[] a, long[] late, int n, long q) {
        final LongVector vq = LongVector.broadcast(S, q);
        final LongVector bias = NEG_HIGH.and(2 * q + 1);
        final int off = 3 * n;
        for (int j = 0; j < n; j += L) {
            LongVector x = LongVector.fromArray(S, a, j);
            LongVector s = x.rearrange(SWAP_HALVES).add(x.lanewise(VectorOperators.XOR, NEG_HIGH)).add(bias);
            mulShoupPacked(s, LongVector.fromArray(S, late, off + j), vq).intoArray(a, j);
        }
    }

    /** One stage with distance t &gt;= 4 and h &gt;= 2 blocks, block i twiddled by psiInvRev[h + i]. */
    static void inverseStage(long[] a, long[] w, long[] ws, int h, int t, long q) {
        final LongVector vq = LongVector.broadcast(S, q);
        final LongVector twoQ = LongVector.broadcast(S, 2 * q);
        int j1 = 0;
        for (int i = 0; i < h; i++, j1 += 2 * t) {
            final LongVector vw = LongVector.broadcast(S, w[h + i]);
            final LongVector vws = LongVector.broadcast(S, ws[h + i] >>> 32);
            for (int j = j1; j < j1 + t; j += L) {
                butterflyGS(a, j, j + t, vw, vws, vq, twoQ);
            }
        }
    }

    /** Harvey's lazy GS butterfly on 4 lanes: (u, v) -&gt; (u + v, (u - v + 2q) w), all in [0, 2q). */
    static void butterflyGS(long[] a, int j, int k, LongVector w, LongVector ws, LongVector q, LongVector twoQ) {
        LongVector u = LongVector.fromArray(S, a, j);
        LongVector v = LongVector.fromArray(S, a, k);
        reduceOnce(u.add(v), twoQ).intoArray(a, j);
        mulShoup(u.sub(v).add(twoQ), w, ws, q).intoArray(a, k);
    }

    /** The last stage (one block, distance t = N/2) fused with the factor N^-1 and the final reduction. */
    static void inverseLast(long[] a, long nInvPacked, long wnPacked, int t, long q) {
        final LongVector vq = LongVector.broadcast(S, q);
        final LongVector twoQ = LongVector.broadcast(S, 2 * q);
        final LongVector nInv = LongVector.broadcast(S, nInvPacked & M32);
        final LongVector nInvShoup = LongVector.broadcast(S, nInvPacked >>> 32);
        final LongVector wn = LongVector.broadcast(S, wnPacked & M32);
        final LongVector wnShoup = LongVector.broadcast(S, wnPacked >>> 32);
        for (int j = 0; j < t; j += L) {
            butterflyLast(a, j, j + t, nInv, nInvShoup, wn, wnShoup, vq, twoQ);
        }
    }

    /** (u, v) -&gt; ((u + v) / N, (u - v) w / N) fully reduced. */
    static void butterflyLast(long[] a, int j, int k, LongVector nInv, LongVector nInvShoup, LongVector wn,
                              LongVector wnShoup, LongVector q, LongVector twoQ) {
        LongVector u = LongVector.fromArray(S, a, j);
        LongVector v = LongVector.fromArray(S, a, k);
        reduceOnce(mulShoup(u.add(v), nInv, nInvShoup, q), q).intoArray(a, j);
        reduceOnce(mulShoup(u.sub(v).add(twoQ), wn, wnShoup, q), q).intoArray(a, k);
    }

    static void checkLength(long[] a, int n) {
        if (a.length != n) {
            throw new IllegalArgumentException("polynomial length " + a.length + " does not match N = " + n);
        }
    }
}
