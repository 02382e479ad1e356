package io.github.jckks.math.vector;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.NttKernel;
import io.github.jckks.math.NttKernels;
import io.github.jckks.math.NttTables;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The negacyclic NTT on 8 x 32-bit lanes (Vector API, 256-bit registers) for primes q &lt; 2<sup>30</sup>: the
 * transform of {@link io.github.jckks.math.ScalarNttKernel}, bit-identical on fully reduced inputs.
 *
 * <p>Design. The limb is narrowed once into a per-thread {@code int[]} (half the memory traffic of
 * {@code long[]}, an N = 8192 limb fits the 32 KB L1 cache), transformed there and widened back. Values stay
 * lazily below 4q &lt; 2<sup>32</sup> (Harvey's butterflies) as unsigned ints. A twiddle product x &middot; w mod q
 * uses Shoup's method with w' = floor(w &middot; 2<sup>32</sup> / q): the low words x &middot; w and
 * q&#770; &middot; q are {@code vpmulld}, the high word q&#770; = floor(x &middot; w' / 2<sup>32</sup>) comes from two
 * {@code vpmuludq} (even and odd lanes, operands masked or shifted so C2 sees 32-bit inputs) and one blend. The
 * conditional subtractions are unsigned minima ({@code vpminud}). Butterfly distances t &gt;= 8 are plain vector
 * loops, one small method per stage (a large method would exceed C2's inlining budget and box vectors); the
 * distances t = 4, 2, 1 run inside one register: a Shoup product by expanded twiddles (1 on the lanes that
 * pass through, see {@link NttTables#lateStageTwiddles32x8()}), one lane permutation and an add-or-subtract
 * by a sign mask. The forward final reduction and the inverse factor N<sup>-1</sup> are fused into the last
 * stages.
 *
 * <p>Cost: (N/2) log2 N butterflies at under 2 instructions each plus two conversion passes. Stateless and
 * thread-safe; the only allocation is one scratch array per thread (grown to the largest N seen).
 */
public final class IntLaneNttKernel implements NttKernel {
    /** The single instance. */
    public static final IntLaneNttKernel INSTANCE = new IntLaneNttKernel();

    /** The largest prime bit length handled: 4q must fit in 32 bits. */
    public static final int MAX_BITS = 30;

    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    static final VectorSpecies<Long> S = LongVector.SPECIES_256;
    static final int L = 8;
    static final long M32 = 0xFFFFFFFFL;
    static final VectorMask<Integer> ODD = VectorMask.fromLong(I, 0b10101010);
    static final VectorShuffle<Integer> XOR4 = VectorShuffle.fromValues(I, 4, 5, 6, 7, 0, 1, 2, 3);
    static final VectorShuffle<Integer> XOR2 = VectorShuffle.fromValues(I, 2, 3, 0, 1, 6, 7, 4, 5);
    static final VectorShuffle<Integer> XOR1 = VectorShuffle.fromValues(I, 1, 0, 3, 2, 5, 4, 7, 6);
    static final IntVector NEG4 = IntVector.fromArray(I, new int[] {0, 0, 0, 0, -1, -1, -1, -1}, 0);
    static final IntVector NEG2 = IntVector.fromArray(I, new int[] {0, 0, -1, -1, 0, 0, -1, -1}, 0);
    static final IntVector NEG1 = IntVector.fromArray(I, new int[] {0, -1, 0, -1, 0, -1, 0, -1}, 0);

    private static final ThreadLocal<int[][]> SCRATCH = ThreadLocal.withInitial(() -> new int[1][0]);

    private IntLaneNttKernel() {
    }

    @Override
    public boolean supports(Modulus q) {
        return q.bits() <= MAX_BITS;
    }

    @Override
    public String name() {
        return "vector-int8";
    }

    private static int[] scratch(int n) {
        int[][] holder = SCRATCH.get();
        int[] b = holder[0];
        if (b.length < n) {
            b = new int[n];
            holder[0] = b;
        }
        return b;
    }

    @Override
    public void forward(long[] a, NttTables tables) {
        final int n = tables.n();
        checkLength(a, n);
        if (n < 16 || !supports(tables.modulus())) {
            NttKernels.scalar().forward(a, tables);
            return;
        }
        final int q = (int) tables.modulus().value();
        tables.lateStageTwiddles32x8(); // built outside the passes on first use
        final int[] b = scratch(n);
        narrow(a, b, n);
        for (Pass pass : FORWARD) {
            pass.run(b, tables, n, q);
        }
        widen(b, a, n);
    }

    @Override
    public void inverse(long[] a, NttTables tables) {
        final int n = tables.n();
        checkLength(a, n);
        if (n < 16 || !supports(tables.modulus())) {
            NttKernels.scalar().inverse(a, tables);
            return;
        }
        final int q = (int) tables.modulus().value();
        tables.lateStageTwiddles32x8(); // built outside the passes on first use
        final int[] b = scratch(n);
        narrow(a, b, n);
        for (Pass pass : INVERSE) {
            pass.run(b, tables, n, q);
        }
        widen(b, a, n);
    }

    /**
     * The passes of a transform. Each constant is its own class, so the driver's call site
     * {@code pass.run(...)} is megamorphic and C2 compiles every pass as a separate root: inlining all of them
     * into the driver exceeds C2's node budget, a vector helper is left out-of-line and its vectors get boxed
     * (hundreds of KB allocated per transform, 2x slower).
     */
    enum Pass {
        /** Forward stages with distance t = N/2 .. 8. */
        FORWARD_WIDE {
            @Override
            void run(int[] b, NttTables tables, int n, int q) {
                int m = 1;
                for (int t = n >>> 1; t >= L; m <<= 1, t >>>= 1) {
                    forwardStage(b, tables.psiRev(), tables.psiRevShoup(), m, t, q);
                }
            }
        },
        FORWARD_T4 {
            @Override
            void run(int[] b, NttTables tables, int n, int q) {
                forwardT4(b, tables.lateStageTwiddles32x8(), n, q);
            }
        },
        FORWARD_T2 {
            @Override
            void run(int[] b, NttTables tables, int n, int q) {
                forwardT2(b, tables.lateStageTwiddles32x8(), n, q);
            }
        },
        FORWARD_T1 {
            @Override
            void run(int[] b, NttTables tables, int n, int q) {
                forwardT1(b, tables.lateStageTwiddles32x8(), n, q);
            }
        },
        INVERSE_T1 {
            @Override
            void run(int[] b, NttTables tables, int n, int q) {
                inverseT1(b, tables.lateStageTwiddles32x8(), n, q);
            }
        },
        INVERSE_T2 {
            @Override
            void run(int[] b, NttTables tables, int n, int q) {
                inverseT2(b, tables.lateStageTwiddles32x8(), n, q);
            }
        },
        INVERSE_T4 {
            @Override
            void run(int[] b, NttTables tables, int n, int q) {
                inverseT4(b, tables.lateStageTwiddles32x8(), n, q);
            }
        },
        /** Inverse stages with distance t = 8 .. N/4. */
        INVERSE_WIDE {
            @Override
            void run(int[] b, NttTables tables, int n, int q) {
                int t = L;
                for (int h = n >>> 4; h > 1; h >>>= 1, t <<= 1) {
                    inverseStage(b, tables.psiInvRev(), tables.psiInvRevShoup(), h, t, q);
                }
            }
        },
        /** The last inverse stage (t = N/2) with the factor N^-1. */
        INVERSE_LAST {
            @Override
            void run(int[] b, NttTables tables, int n, int q) {
                long nInv = tables.nInv();
                long wn = tables.modulus().mul(tables.psiInvRev()[1], nInv);
                inverseLast(b, tables.packShoup32(nInv), tables.packShoup32(wn), n >>> 1, q);
            }
        };

        abstract void run(int[] b, NttTables tables, int n, int q);
    }

    private static final Pass[] FORWARD = {Pass.FORWARD_WIDE, Pass.FORWARD_T4, Pass.FORWARD_T2, Pass.FORWARD_T1};
    private static final Pass[] INVERSE = {Pass.INVERSE_T1, Pass.INVERSE_T2, Pass.INVERSE_T4, Pass.INVERSE_WIDE,
        Pass.INVERSE_LAST};

    static void narrow(long[] a, int[] b, int n) {
        for (int j = 0; j < n; j++) {
            b[j] = (int) a[j];
        }
    }

    static void widen(int[] b, long[] a, int n) {
        for (int j = 0; j < n; j++) {
            a[j] = b[j] & M32;
        }
    }

    // ---------------------------------------------------------------- arithmetic on 8 lanes of unsigned ints

    /**
     * x &middot; w mod q in [0, 2q) (Shoup) for unsigned lanes x &lt; 2^32, twiddles w &lt; q and companions
     * w' = floor(w 2^32 / q) given as 64-bit lanes: wsEven holds w' of the even int lanes, wsOdd of the odd ones
     * (each below 2^32).
     */
    static IntVector mulShoup(IntVector x, IntVector w, LongVector wsEven, LongVector wsOdd, IntVector q) {
        LongVector xl = x.reinterpretAsLongs();
        LongVector even = xl.and(M32).mul(wsEven.and(M32)).lanewise(VectorOperators.LSHR, 32);
        LongVector odd = xl.lanewise(VectorOperators.LSHR, 32).mul(wsOdd.and(M32));
        IntVector qhat = even.reinterpretAsInts().blend(odd.reinterpretAsInts(), ODD);
        return x.mul(w).sub(qhat.mul(q));
    }

    /** {@link #mulShoup} with per-lane companions wShoup (unsigned ints). */
    static IntVector mulShoup(IntVector x, IntVector w, IntVector wShoup, IntVector q) {
        LongVector wsl = wShoup.reinterpretAsLongs();
        return mulShoup(x, w, wsl, wsl.lanewise(VectorOperators.LSHR, 32), q);
    }

    /** x mod m for unsigned lanes x in [0, 2m): min(x, x - m) unsigned ({@code vpminud}). */
    static IntVector reduceOnce(IntVector x, IntVector m) {
        return x.lanewise(VectorOperators.UMIN, x.sub(m));
    }

    /**
     * The butterflies of distance t &lt; 8 inside one register, given p = (u, v) per pair of lanes (j, j ^ t),
     * with u and v in [0, 2q): lanes with (j mod 2t) &lt; t get u + v, the others u - v + 2q (in [0, 4q)).
     * neg has -1 on the latter lanes, bias 2q + 1 there.
     */
    static IntVector addSub(IntVector p, VectorShuffle<Integer> swap, IntVector neg, IntVector bias) {
        return p.rearrange(swap).add(p.lanewise(VectorOperators.XOR, neg)).add(bias);
    }

    // ---------------------------------------------------------------- forward (Cooley-Tukey) stages

    /** One stage with butterfly distance t &gt;= 8: m blocks, block i twiddled by psiRev[m + i]. */
    static void forwardStage(int[] b, long[] w, long[] ws, int m, int t, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector twoQ = IntVector.broadcast(I, 2 * q);
        for (int i = 0; i < m; i++) {
            final int j1 = 2 * i * t;
            final IntVector vw = IntVector.broadcast(I, (int) w[m + i]);
            final LongVector vws = LongVector.broadcast(S, ws[m + i] >>> 32);
            for (int j = j1; j < j1 + t; j += L) {
                butterflyCT(b, j, j + t, vw, vws, vq, twoQ);
            }
        }
    }

    /** Harvey's lazy CT butterfly: (u, x) -&gt; (u + xw, u - xw + 2q), inputs and outputs in [0, 4q). */
    static void butterflyCT(int[] b, int j, int k, IntVector w, LongVector ws, IntVector q, IntVector twoQ) {
        IntVector u = reduceOnce(IntVector.fromArray(I, b, j), twoQ);
        IntVector v = mulShoup(IntVector.fromArray(I, b, k), w, ws, ws, q);
        u.add(v).intoArray(b, j);
        u.sub(v).add(twoQ).intoArray(b, k);
    }

    /** A stage of distance t &lt; 8 (t = swap distance): twiddles at late[wOff..], companions at late[wOff + n..]. */
    static void forwardLate(int[] b, int[] late, int wOff, int n, int q, VectorShuffle<Integer> swap, IntVector neg) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector bias = neg.and(2 * q + 1);
        for (int j = 0; j < n; j += L) {
            IntVector p = mulShoup(IntVector.fromArray(I, b, j), IntVector.fromArray(I, late, wOff + j),
                    IntVector.fromArray(I, late, wOff + n + j), vq);
            addSub(p, swap, neg, bias).intoArray(b, j);
        }
    }

    static void forwardT4(int[] b, int[] late, int n, int q) {
        forwardLate(b, late, 0, n, q, XOR4, NEG4);
    }

    static void forwardT2(int[] b, int[] late, int n, int q) {
        forwardLate(b, late, 2 * n, n, q, XOR2, NEG2);
    }

    /** The last stage, t = 1, with the final reduction to [0, q). */
    static void forwardT1(int[] b, int[] late, int n, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector twoQ = IntVector.broadcast(I, 2 * q);
        final IntVector bias = NEG1.and(2 * q + 1);
        final int wOff = 4 * n;
        for (int j = 0; j < n; j += L) {
            IntVector p = mulShoup(IntVector.fromArray(I, b, j), IntVector.fromArray(I, late, wOff + j),
                    IntVector.fromArray(I, late, wOff + n + j), vq);
            reduceOnce(reduceOnce(addSub(p, XOR1, NEG1, bias), twoQ), vq).intoArray(b, j);
        }
    }

    // ---------------------------------------------------------------- inverse (Gentleman-Sande) stages

    /** A stage of distance t &lt; 8: (u, v) -&gt; (u + v, (u - v + 2q) w), inputs in [0, 2q), outputs in [0, 2q). */
    static void inverseLate(int[] b, int[] late, int wOff, int n, int q, VectorShuffle<Integer> swap, IntVector neg) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector bias = neg.and(2 * q + 1);
        for (int j = 0; j < n; j += L) {
            IntVector s = addSub(IntVector.fromArray(I, b, j), swap, neg, bias);
            mulShoup(s, IntVector.fromArray(I, late, wOff + j), IntVector.fromArray(I, late, wOff + n + j), vq)
                    .intoArray(b, j);
        }
    }

    static void inverseT1(int[] b, int[] late, int n, int q) {
        inverseLate(b, late, 6 * n, n, q, XOR1, NEG1);
    }

    static void inverseT2(int[] b, int[] late, int n, int q) {
        inverseLate(b, late, 8 * n, n, q, XOR2, NEG2);
    }

    static void inverseT4(int[] b, int[] late, int n, int q) {
        inverseLate(b, late, 10 * n, n, q, XOR4, NEG4);
    }

    /** One stage with distance t &gt;= 8 and h &gt;= 2 blocks, block i twiddled by psiInvRev[h + i]. */
    static void inverseStage(int[] b, long[] w, long[] ws, int h, int t, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector twoQ = IntVector.broadcast(I, 2 * q);
        int j1 = 0;
        for (int i = 0; i < h; i++, j1 += 2 * t) {
            final IntVector vw = IntVector.broadcast(I, (int) w[h + i]);
            final LongVector vws = LongVector.broadcast(S, ws[h + i] >>> 32);
            for (int j = j1; j < j1 + t; j += L) {
                butterflyGS(b, j, j + t, vw, vws, vq, twoQ);
            }
        }
    }

    /** Harvey's lazy GS butterfly: (u, v) -&gt; (u + v, (u - v + 2q) w), all in [0, 2q). */
    static void butterflyGS(int[] b, int j, int k, IntVector w, LongVector ws, IntVector q, IntVector twoQ) {
        IntVector u = IntVector.fromArray(I, b, j);
        IntVector v = IntVector.fromArray(I, b, k);
        reduceOnce(u.add(v), twoQ).intoArray(b, j);
        mulShoup(u.sub(v).add(twoQ), w, ws, ws, q).intoArray(b, k);
    }

    /** The last stage (one block, distance t = N/2) fused with the factor N^-1 and the final reduction. */
    static void inverseLast(int[] b, long nInvPacked, long wnPacked, int t, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector twoQ = IntVector.broadcast(I, 2 * q);
        final IntVector nInv = IntVector.broadcast(I, (int) nInvPacked);
        final LongVector nInvShoup = LongVector.broadcast(S, nInvPacked >>> 32);
        final IntVector wn = IntVector.broadcast(I, (int) wnPacked);
        final LongVector wnShoup = LongVector.broadcast(S, wnPacked >>> 32);
        for (int j = 0; j < t; j += L) {
            butterflyLast(b, j, j + t, nInv, nInvShoup, wn, wnShoup, vq, twoQ);
        }
    }

    /** (u, v) -&gt; ((u + v) / N, (u - v) w / N) fully reduced. */
    static void butterflyLast(int[] b, int j, int k, IntVector nInv, LongVector nInvShoup, IntVector wn,
                              LongVector wnShoup, IntVector q, IntVector twoQ) {
        IntVector u = IntVector.fromArray(I, b, j);
        IntVector v = IntVector.fromArray(I, b, k);
        reduceOnce(mulShoup(u.add(v), nInv, nInvShoup, nInvShoup, q), q).intoArray(b, j);
        reduceOnce(mulShoup(u.sub(v).add(twoQ), wn, wnShoup, wnShoup, q), q).intoArray(b, k);
    }

    static void checkLength(long[] a, int n) {
        if (a.length != n) {
            throw new IllegalArgumentException("polynomial length " + a.length + " does not match N = " + n);
        }
    }
}
