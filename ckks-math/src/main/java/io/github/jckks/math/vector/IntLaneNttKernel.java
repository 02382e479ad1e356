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
 * <p>Design. The transform runs in a per-thread {@code int[]} (half the memory traffic of {@code long[]}, an
 * N = 8192 limb fits the 32 KB L1 cache); the first pass reads the {@code long[]} limb and the last one writes
 * it, so no separate narrowing or widening pass is needed. Two 4 x 64-bit vectors a[j..j+3], a[j+4..j+7] are
 * packed into one 8 x 32-bit register as (low, high) halves (a shift and an or, see {@link #load}), which puts
 * the elements of a group of 8 in the register order 0, 4, 1, 5, 2, 6, 3, 7; stages of distance t &gt;= 8 are
 * lane-wise and do not see it, the stages t = 4, 2, 1 use lane swaps and twiddle tables in that order. Values stay
 * lazily below 4q &lt; 2<sup>32</sup> (Harvey's butterflies) as unsigned ints. A twiddle product x &middot; w mod q
 * uses Shoup's method with w' = floor(w &middot; 2<sup>32</sup> / q): the low words x &middot; w and
 * q&#770; &middot; q are {@code vpmulld}, the high word q&#770; = floor(x &middot; w' / 2<sup>32</sup>) comes from two
 * {@code vpmuludq} (even and odd lanes, operands masked or shifted so C2 sees 32-bit inputs) and one blend. The
 * conditional subtractions are unsigned minima ({@code vpminud}). Butterfly distances t &gt;= 8 are plain vector
 * loops, one small method per stage (a large method would exceed C2's inlining budget and box vectors); the
 * distances t = 4, 2, 1 run inside one register: a Shoup product by per-lane twiddles (1 on the lanes that
 * pass through; the 4 / t twiddles of the register's blocks are loaded from a compact table,
 * {@link NttTables#lateStageTwiddles32()}, and spread over the other lanes by one permutation and one blend),
 * one lane permutation and an add-or-subtract by a sign mask. The compact table matters at N = 16384: one
 * twiddle and companion per lane and stage (24 bytes per element for the three stages) no longer fit the
 * 512 KB L2 cache beside the limb, and the forward transform took 56-63 us instead of 46-50. The forward final reduction and the inverse factor N<sup>-1</sup> are fused into the last
 * stages.
 *
 * <p>C2 inlines only about one Shoup product with per-lane twiddles per compiled root method
 * (NodeCountInliningCutoff), so each register stage is its own pass; merging stages in registers (radix 4,
 * t = 4, 2, 1 in one pass) was tried and boxed vectors.
 *
 * <p>Cost: (N/2) log2 N butterflies at under 2 instructions each, one pass over memory per stage (the inverse
 * reads the input of its last stage twice, one pass per output half). Stateless and
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
    /** The v lanes (those that take a twiddle) of the register stages t = 4, 2, 1 (see {@link #load}). */
    static final VectorMask<Integer> V4 = VectorMask.fromLong(I, 0b10101010);
    static final VectorMask<Integer> V2 = VectorMask.fromLong(I, 0b11110000);
    static final VectorMask<Integer> V1 = VectorMask.fromLong(I, 0b11001100);
    /**
     * Spread the twiddles of one register's blocks over its v lanes: t = 2 has blocks (0, 1, 0, 1) on lanes
     * 4..7, t = 1 blocks (0, 2, 1, 3) on lanes 2, 3, 6, 7 (elements 1, 5, 3, 7).
     */
    static final VectorShuffle<Integer> SPREAD2 = VectorShuffle.fromValues(I, 0, 0, 0, 0, 0, 1, 0, 1);
    static final VectorShuffle<Integer> SPREAD1 = VectorShuffle.fromValues(I, 0, 0, 0, 2, 0, 0, 1, 3);

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
        tables.lateStageTwiddles32(); // built outside the passes on first use
        final int[] b = scratch(n);
        for (Pass pass : FORWARD) {
            pass.run(a, b, tables, n, q);
        }
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
        tables.lateStageTwiddles32(); // built outside the passes on first use
        final int[] b = scratch(n);
        for (Pass pass : INVERSE) {
            pass.run(a, b, tables, n, q);
        }
    }

    /**
     * The passes over memory of a transform. Each constant is its own class, so the driver's call site
     * {@code pass.run(...)} is megamorphic and C2 compiles every pass as a separate root: inlining all of them
     * into the driver exceeds C2's node budget, a vector helper is left out-of-line and its vectors get boxed
     * (hundreds of KB allocated per transform, 2x slower).
     */
    enum Pass {
        /** Forward t = N/2, reading the long[] limb: long[] a -&gt; int[] b. */
        FORWARD_FIRST {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                long w = tables.packShoup32(tables.psiRev()[1]);
                forwardFirst(a, b, (int) w, w >>> 32, n >>> 1, q);
            }
        },
        /** Forward stages with distance t = N/4 .. 8. */
        FORWARD_WIDE {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                int m = 2;
                for (int t = n >>> 2; t >= L; m <<= 1, t >>>= 1) {
                    forwardStage(b, tables.psiRev(), tables.psiRevShoup(), m, t, q);
                }
            }
        },
        FORWARD_T4 {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                forwardT4(b, tables.lateStageTwiddles32(), tables.lateStageOffset(0), n, q);
            }
        },
        FORWARD_T2 {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                forwardT2(b, tables.lateStageTwiddles32(), tables.lateStageOffset(1), n, q);
            }
        },
        /** Forward t = 1 with the final reduction, writing the long[] limb: int[] b -&gt; long[] a. */
        FORWARD_T1 {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                forwardT1(b, tables.lateStageTwiddles32(), tables.lateStageOffset(2), a, n, q);
            }
        },
        /** Inverse t = 1, reading the long[] limb: long[] a -&gt; int[] b. */
        INVERSE_T1 {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                inverseT1(a, tables.lateStageTwiddles32(), tables.lateStageOffset(3), b, n, q);
            }
        },
        INVERSE_T2 {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                inverseT2(b, tables.lateStageTwiddles32(), tables.lateStageOffset(4), n, q);
            }
        },
        INVERSE_T4 {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                inverseT4(b, tables.lateStageTwiddles32(), tables.lateStageOffset(5), n, q);
            }
        },
        /** Inverse stages with distance t = 8 .. N/4. */
        INVERSE_WIDE {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                int t = L;
                for (int h = n >>> 4; h > 1; h >>>= 1, t <<= 1) {
                    inverseStage(b, tables.psiInvRev(), tables.psiInvRevShoup(), h, t, q);
                }
            }
        },
        /** The last inverse stage (t = N/2) with the factor N^-1, first half: int[] b -&gt; long[] a. */
        INVERSE_LAST_SUM {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                inverseLastSum(b, a, tables.packShoup32(tables.nInv()), n >>> 1, q);
            }
        },
        /** The last inverse stage, second half (reads b[0..N/2) again, which has not been overwritten). */
        INVERSE_LAST_DIFF {
            @Override
            void run(long[] a, int[] b, NttTables tables, int n, int q) {
                long wn = tables.modulus().mul(tables.psiInvRev()[1], tables.nInv());
                inverseLastDiff(b, a, tables.packShoup32(wn), n >>> 1, q);
            }
        };

        abstract void run(long[] a, int[] b, NttTables tables, int n, int q);
    }

    private static final Pass[] FORWARD = {Pass.FORWARD_FIRST, Pass.FORWARD_WIDE, Pass.FORWARD_T4,
        Pass.FORWARD_T2, Pass.FORWARD_T1};
    private static final Pass[] INVERSE = {Pass.INVERSE_T1, Pass.INVERSE_T2, Pass.INVERSE_T4, Pass.INVERSE_WIDE,
        Pass.INVERSE_LAST_SUM, Pass.INVERSE_LAST_DIFF};

    // ---------------------------------------------------------------- long[] <-> int lanes

    /**
     * Loads a[j..j+7] (residues below 2^32) as 8 int lanes in register order: long lane k of the result holds
     * a[j+k] in its low and a[j+4+k] in its high half, so the int lanes are the elements 0, 4, 1, 5, 2, 6, 3, 7.
     * The stages of distance t &gt;= 8 are lane-wise and do not see the order; the twiddles of t = 4, 2, 1 are
     * spread to it ({@link #SPREAD2}, {@link #SPREAD1}, the masks {@link #V4}, {@link #V2}, {@link #V1}). Costs one
     * shift and one or, no lane permutation.
     */
    static IntVector load(long[] a, int j) {
        LongVector lo = LongVector.fromArray(S, a, j).and(M32);
        LongVector hi = LongVector.fromArray(S, a, j + 4);
        return lo.or(hi.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts();
    }

    /** Stores 8 int lanes in register order (see {@link #load}) as unsigned values to a[j..j+7]. */
    static void store(IntVector x, long[] a, int j) {
        LongVector l = x.reinterpretAsLongs();
        l.and(M32).intoArray(a, j);
        l.lanewise(VectorOperators.LSHR, 32).intoArray(a, j + 4);
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

    /** The stage t = N/2 reading the long[] limb: one block twiddled by psiRev[1] (w and its companion ws). */
    static void forwardFirst(long[] a, int[] b, int w, long ws, int t, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector twoQ = IntVector.broadcast(I, 2 * q);
        final IntVector vw = IntVector.broadcast(I, w);
        final LongVector vws = LongVector.broadcast(S, ws);
        for (int j = 0; j < t; j += L) {
            IntVector u = reduceOnce(load(a, j), twoQ);
            IntVector v = mulShoup(load(a, j + t), vw, vws, vws, vq);
            u.add(v).intoArray(b, j);
            u.sub(v).add(twoQ).intoArray(b, j + t);
        }
    }

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

    /**
     * A forward register stage of distance t &lt; 8 on the lanes of x (register order: the element pairs
     * (j, j ^ 4), (j, j ^ 2), (j, j ^ 1) are the lane pairs (p, p ^ 1), (p, p ^ 4), (p, p ^ 2), see
     * {@link #load}) with per-lane twiddles w (1 on the u lanes) and companions ws, output in [0, 4q).
     */
    static IntVector forwardInRegister(IntVector x, IntVector w, IntVector ws, IntVector q,
                                       VectorShuffle<Integer> swap, IntVector neg, IntVector bias) {
        return addSub(mulShoup(x, w, ws, q), swap, neg, bias);
    }

    /** The Shoup companion of 1, floor(2^32 / q), as an unsigned int. */
    static int oneShoup(int q) {
        return (int) ((1L << 32) / q);
    }

    /** The stage t = 4 in place: one twiddle per register, on the odd lanes. */
    static void forwardT4(int[] b, int[] late, int off, int n, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector bias = NEG1.and(2 * q + 1);
        final IntVector one = IntVector.broadcast(I, 1);
        final IntVector oneS = IntVector.broadcast(I, oneShoup(q));
        final int offS = off + n / 8 + NttTables.LATE_STAGE_PAD;
        for (int j = 0, g = 0; j < n; j += L, g++) {
            IntVector w = one.blend(late[off + g], V4);
            IntVector ws = oneS.blend(late[offS + g], V4);
            forwardInRegister(IntVector.fromArray(I, b, j), w, ws, vq, XOR1, NEG1, bias).intoArray(b, j);
        }
    }

    /** The stage t = 2 in place: two twiddles per register. */
    static void forwardT2(int[] b, int[] late, int off, int n, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector bias = NEG4.and(2 * q + 1);
        final IntVector one = IntVector.broadcast(I, 1);
        final IntVector oneS = IntVector.broadcast(I, oneShoup(q));
        final int offS = off + n / 4 + NttTables.LATE_STAGE_PAD;
        for (int j = 0, g = 0; j < n; j += L, g += 2) {
            IntVector w = one.blend(IntVector.fromArray(I, late, off + g).rearrange(SPREAD2), V2);
            IntVector ws = oneS.blend(IntVector.fromArray(I, late, offS + g).rearrange(SPREAD2), V2);
            forwardInRegister(IntVector.fromArray(I, b, j), w, ws, vq, XOR4, NEG4, bias).intoArray(b, j);
        }
    }

    /**
     * The last stage, t = 1 (four twiddles per register), with the final reduction to [0, q), int[] b -&gt;
     * long[] a. One register stage per root method: two of them exceed C2's inlining node budget
     * (NodeCountInliningCutoff) and box vectors.
     */
    static void forwardT1(int[] b, int[] late, int off, long[] a, int n, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector twoQ = IntVector.broadcast(I, 2 * q);
        final IntVector bias = NEG2.and(2 * q + 1);
        final IntVector one = IntVector.broadcast(I, 1);
        final IntVector oneS = IntVector.broadcast(I, oneShoup(q));
        final int offS = off + n / 2 + NttTables.LATE_STAGE_PAD;
        for (int j = 0, g = 0; j < n; j += L, g += 4) {
            IntVector w = one.blend(IntVector.fromArray(I, late, off + g).rearrange(SPREAD1), V1);
            IntVector ws = oneS.blend(IntVector.fromArray(I, late, offS + g).rearrange(SPREAD1), V1);
            IntVector x = forwardInRegister(IntVector.fromArray(I, b, j), w, ws, vq, XOR2, NEG2, bias);
            store(reduceOnce(reduceOnce(x, twoQ), vq), a, j);
        }
    }

    // ---------------------------------------------------------------- inverse (Gentleman-Sande) stages

    /** An inverse register stage (register order, see {@link #forwardInRegister}): (u, v) -&gt; (u + v, (u - v + 2q) w), inputs and outputs in [0, 2q). */
    static IntVector inverseInRegister(IntVector x, IntVector w, IntVector ws, IntVector q,
                                       VectorShuffle<Integer> swap, IntVector neg, IntVector bias) {
        return mulShoup(addSub(x, swap, neg, bias), w, ws, q);
    }

    /** The stage t = 1, long[] a -&gt; int[] b. */
    static void inverseT1(long[] a, int[] late, int off, int[] b, int n, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector bias = NEG2.and(2 * q + 1);
        final IntVector one = IntVector.broadcast(I, 1);
        final IntVector oneS = IntVector.broadcast(I, oneShoup(q));
        final int offS = off + n / 2 + NttTables.LATE_STAGE_PAD;
        for (int j = 0, g = 0; j < n; j += L, g += 4) {
            IntVector w = one.blend(IntVector.fromArray(I, late, off + g).rearrange(SPREAD1), V1);
            IntVector ws = oneS.blend(IntVector.fromArray(I, late, offS + g).rearrange(SPREAD1), V1);
            inverseInRegister(load(a, j), w, ws, vq, XOR2, NEG2, bias).intoArray(b, j);
        }
    }

    /** The stage t = 2 in place. */
    static void inverseT2(int[] b, int[] late, int off, int n, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector bias = NEG4.and(2 * q + 1);
        final IntVector one = IntVector.broadcast(I, 1);
        final IntVector oneS = IntVector.broadcast(I, oneShoup(q));
        final int offS = off + n / 4 + NttTables.LATE_STAGE_PAD;
        for (int j = 0, g = 0; j < n; j += L, g += 2) {
            IntVector w = one.blend(IntVector.fromArray(I, late, off + g).rearrange(SPREAD2), V2);
            IntVector ws = oneS.blend(IntVector.fromArray(I, late, offS + g).rearrange(SPREAD2), V2);
            inverseInRegister(IntVector.fromArray(I, b, j), w, ws, vq, XOR4, NEG4, bias).intoArray(b, j);
        }
    }

    /** The stage t = 4 in place. */
    static void inverseT4(int[] b, int[] late, int off, int n, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector bias = NEG1.and(2 * q + 1);
        final IntVector one = IntVector.broadcast(I, 1);
        final IntVector oneS = IntVector.broadcast(I, oneShoup(q));
        final int offS = off + n / 8 + NttTables.LATE_STAGE_PAD;
        for (int j = 0, g = 0; j < n; j += L, g++) {
            IntVector w = one.blend(late[off + g], V4);
            IntVector ws = oneS.blend(late[offS + g], V4);
            inverseInRegister(IntVector.fromArray(I, b, j), w, ws, vq, XOR1, NEG1, bias).intoArray(b, j);
        }
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

    /**
     * The first half of the last stage (one block, distance t = N/2) fused with the factor N^-1 and the final
     * reduction: a[j] = (u + v) / N, int[] b -&gt; long[] a. The halves are two root methods, one product and
     * one widening store each: both in one method exceed C2's inlining node budget and box vectors.
     */
    static void inverseLastSum(int[] b, long[] a, long nInvPacked, int t, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector nInv = IntVector.broadcast(I, (int) nInvPacked);
        final LongVector nInvShoup = LongVector.broadcast(S, nInvPacked >>> 32);
        for (int j = 0; j < t; j += L) {
            IntVector u = IntVector.fromArray(I, b, j);
            IntVector v = IntVector.fromArray(I, b, j + t);
            store(reduceOnce(mulShoup(u.add(v), nInv, nInvShoup, nInvShoup, vq), vq), a, j);
        }
    }

    /** The second half of the last stage: a[j + t] = (u - v) w / N with wn = w / N, int[] b -&gt; long[] a. */
    static void inverseLastDiff(int[] b, long[] a, long wnPacked, int t, int q) {
        final IntVector vq = IntVector.broadcast(I, q);
        final IntVector twoQ = IntVector.broadcast(I, 2 * q);
        final IntVector wn = IntVector.broadcast(I, (int) wnPacked);
        final LongVector wnShoup = LongVector.broadcast(S, wnPacked >>> 32);
        for (int j = 0; j < t; j += L) {
            IntVector u = IntVector.fromArray(I, b, j);
            IntVector v = IntVector.fromArray(I, b, j + t);
            store(reduceOnce(mulShoup(u.sub(v).add(twoQ), wn, wnShoup, wnShoup, vq), vq), a, j + t);
        }
    }

    static void checkLength(long[] a, int n) {
        if (a.length != n) {
            throw new IllegalArgumentException("polynomial length " + a.length + " does not match N = " + n);
        }
    }
}
