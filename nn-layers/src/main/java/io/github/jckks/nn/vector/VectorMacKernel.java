package io.github.jckks.nn.vector;

import io.github.jckks.math.Modulus;
import io.github.jckks.nn.MacKernel;
import io.github.jckks.nn.ScalarMacKernel;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link MacKernel} on 256-bit SIMD registers (Vector API, 4 x 64-bit lanes) for primes q &lt; 2<sup>31</sup>,
 * bit-identical to {@link ScalarMacKernel} (outputs fully reduced in [0, q)). On the CryptoNets layers (one core
 * of an AVX2 EPYC, N = 8192, JMH on 2026-11-26) it sums the dense layer at 11-12 x 10<sup>9</sup> multiply-accumulates
 * per second with 24-bit primes and 6-7.5 with 30-bit ones (5-8x the scalar kernel), the convolution at 6.7-7.3 x
 * 10<sup>9</sup> with 24-bit primes (floating-point path below, 1.3-1.4x the integer path it replaced there) and
 * 4.5-5.2 x 10<sup>9</sup> with 30-bit ones (integer path); these hosts have phases up to 2x slower. See the
 * nn-layers README for the measurements and the variants rejected.
 *
 * <p><b>Two paths.</b> The dense layer and the sparse layers whose sums a double cannot hold exactly take the
 * integer path (64-bit products of 32-bit residues, below). A sparse layer with q &lt; 2<sup>25</sup> and few
 * enough taps (at most 32 for any such prime, 128 for 24-bit primes: {@link #fmaExact}) takes the floating-point
 * path: residues centred to [-q/2, q/2], products and sums in doubles by fused multiply-adds, exact because every
 * partial sum is an integer below 2<sup>53</sup>. One 4-lane FMA does what a multiply and an add do on the integer
 * path, without the masks, and the packed inputs are floats (4 bytes, exact below 2<sup>24</sup>).
 *
 * <p><b>Products (integer path).</b> Every product of two residues is one 32 x 32 -&gt; 64-bit {@code vpmuludq}.
 * C2 emits it only when it sees that both operands fit in 32 bits: an {@code and(0xFFFFFFFF)} or a {@code >>> 32}
 * must feed the multiplication directly. A weight masked as a scalar before its broadcast is not enough (C2 then
 * emulates a full 64-bit product with three multiplications), so the broadcast weight is masked as a vector.
 *
 * <p><b>Packing.</b> Slots are walked in blocks (128 dense, 512 sparse integer, 1024 sparse floating point: 2-7%
 * faster than 512, 256 and 128 5% and 14% slower, measured call by call in one JVM). The block of every input is first
 * packed into a per-thread buffer. Integer path: two residues per long, lane r of the packed vector of slots
 * [k, k + 8) holding slot k + r in its low word and slot k + 4 + r in its high word, so one load gives both
 * operand vectors ({@code and(0xFFFFFFFF)} and {@code >>> 32}). Floating-point path: one centred float per slot,
 * 4 rows per loop; a tile's load widens 4 floats to 4 doubles ({@code vcvtps2pd}). Packing halves the working set
 * (floats: 3.3 MB for the CryptoNets block of 1024 slots; doubles, twice that, measured about 5% slower) and makes it
 * contiguous. Without it the kernel is memory-bound: input rows of 8192 longs lie 64 KiB apart, so the same slots
 * of hundreds of rows fall into a few cache sets and thrash L1 and L2. Input rows of 32-bit residues (the limbs of
 * a {@code CompactRnsPoly}) are packed into the same layouts, reading half the bytes: 8 centred ints converted
 * to floats per vector, or 8 ints permuted by one {@code vpermd} into the packed longs (the CryptoNets
 * convolution 1.10x faster with 24-bit primes, 1.05-1.07x with 30-bit ones).
 *
 * <p><b>Tiles.</b> A tile of accumulators stays in registers for a whole sum. Dense: 4 outputs x 8 slots (8
 * vectors); per input, one packed load and 4 broadcast weights feed 8 multiply-adds, 22 vector instructions for
 * 32 multiply-accumulates. The packed block is laid out tile after tile and the 4 weight rows are interleaved,
 * so the loop over the inputs reads two arrays sequentially. Sparse: the maps of a convolution share their taps
 * (outputs o and o + s read the same inputs, s the size of a map), so outputs o, o + s, o + 2s, ... with equal
 * index rows form a group ({@link #plan}). Floating-point path: groups of up to 5 outputs, 5 x 8 slots (10
 * accumulators; per tap 2 widening loads, 5 broadcasts and 10 FMAs for 40 multiply-accumulates), smaller groups
 * 4 x 8, 3 x 8, 2 x 16 and 1 x 16. Integer path: groups of 4 (a 4 x 8 tile like the dense one) and single outputs
 * (1 x 16); a 5-output integer tile spills. Each group's taps are listed once per call in a table (packed offset,
 * then the weights), which keeps the tile loop at two pointers. Packed sparse rows are padded by a cache line, so
 * the rows of a 5 x 5 window do not share L1 sets.
 *
 * <p><b>Lazy reduction (integer path).</b> Accumulators are unsigned 64-bit sums. After {@code lazy} terms they
 * are folded, x = x<sub>h</sub> 2<sup>32</sup> + x<sub>l</sub> &rarr; x<sub>h</sub> c + x<sub>l</sub> with
 * c = 2<sup>32</sup> mod q (one multiplication; the result is at most (2<sup>32</sup> - 1)(c + 1)), {@code lazy}
 * being the number of products, each at most (q-1)<sup>2</sup>, that fit on top of that below 2<sup>64</sup>:
 * unlimited in practice for 24-bit primes (one reduction at the end of an 845-term sum), 16 for the 30-bit NTT
 * primes just below 2<sup>30</sup> (their c is small), at least 12 for any 30-bit prime, 2 to 4 for 31-bit primes.
 * A tile stores its raw sums; a vector loop over the block (in L1) then folds them zero to two times until
 * x &lt; 2<sup>31+b</sup> (b the bit length of q), takes a Barrett step on 32-bit operands,
 * q&#770; = ((x &gt;&gt; (b-1)) m) &gt;&gt; 32 with m = floor(2<sup>b+31</sup>/q) &lt; 2<sup>32</sup>, which leaves
 * x - q&#770; q in [0, 3q), and ends with two conditional subtractions (unsigned 32-bit minima; the first is a
 * 64-bit compare-and-blend when 3q &ge; 2<sup>32</sup>). The floating-point tiles also store raw sums (the bits of
 * the doubles) into the output rows, and {@link #reduceFma} reduces them: a quotient by one FMA with 1/q, the
 * remainder by another, 7 vector operations per 4 slots. Storing the raw sums from the tile and reducing them
 * from L1 measured faster than reducing inside the tile (10 accumulators and 5 constants exceed the 16 registers:
 * 1.15-1.4x slower) or summing into an L1 scratch and writing the output rows only once (1.2x slower: the output
 * rows' first writes then no longer overlap the tiles' arithmetic).
 *
 * <p><b>No boxing.</b> No method takes or returns a vector (the helpers are written out in place) and each vector
 * method stays small, so C2 never boxes one: the kernel allocates nothing once its per-thread buffers have grown
 * (about 6 MB for the CryptoNets layers once both sparse paths have run). The integer sparse tiles come in two
 * methods each, without and with lazy folds: a single 4 x 8 tile that saw sums of both kinds (a 24- and a 30-bit
 * prime in one JVM, as CryptoNets' moduli are) was compiled by C2 into code that boxed its accumulators inside the
 * tap loop: 0.15-2.5 GB allocated per call of the convolution, and 1.6-10x its time. The dense tile is one call per 8
 * slots: with a loop over the tiles inside, C2 keeps more values live across the inner loop and spills pointers
 * within it (measured 30% slower); the sparse tiles, whose sums are only 25 terms long, loop over the slots of the
 * block themselves.
 *
 * <p>Slots beyond the last multiple of the tile (8 dense, 16 sparse) are summed by a scalar loop. A modulus that
 * is a power of two (2) goes to the scalar kernel. Thread-safe: the only state is per thread.
 */
public final class VectorMacKernel implements MacKernel {
    /** The single instance (looked up reflectively by {@code MacKernels}). */
    public static final VectorMacKernel INSTANCE = new VectorMacKernel();

    static final VectorSpecies<Long> S = LongVector.SPECIES_256;
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
    /** 4 floats, widened to the 4 doubles of {@link #D}. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_128;
    /** 8 ints of 32-bit input rows: converted to 8 floats, or permuted into the 4 packed longs of {@link #S}. */
    static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    /** 1.5 &middot; 2<sup>52</sup>: x + MAGIC, a double, has the bits MAGIC_BITS + x for |x| &lt; 2<sup>51</sup>. */
    static final double MAGIC = 0x1.8p52;
    static final long MAGIC_BITS = 0x4338000000000000L;
    /** The high word of the bits of a double in [2<sup>52</sup>, 2<sup>53</sup>): 0x43300000, in place. */
    static final long TWO52_HIGH = 0x4330000000000000L;
    /** The largest h = floor(q/2) of the floating-point sparse path: centred residues are then exact floats. */
    static final long FMA_MAX_HALF = 1L << 24;
    /** Padding of a packed float row: one cache line. */
    static final int FLOAT_PAD = 16;
    static final long M32 = 0xFFFFFFFFL;
    /** Slots per dense tile: one packed vector, two accumulators per output. */
    static final int TILE = 8;
    /** Slots per single-output sparse tile: two packed vectors, four accumulators. */
    static final int SPARSE_TILE = 16;
    static final int DENSE_BLOCK_DEFAULT = 128;
    /** Padding of a packed sparse row, in longs: one cache line. */
    static final int ROW_PAD = 8;
    static final int SPARSE_BLOCK_DEFAULT = 512;
    /** Slots per dense block: a multiple of {@link #TILE} (system property {@code jckks.mac.denseBlock}). */
    static final int DENSE_BLOCK = block("jckks.mac.denseBlock", DENSE_BLOCK_DEFAULT);
    /** Slots per sparse block: a multiple of {@link #SPARSE_TILE} (system property {@code jckks.mac.sparseBlock}). */
    static final int SPARSE_BLOCK = block("jckks.mac.sparseBlock", SPARSE_BLOCK_DEFAULT);
    static final int FMA_BLOCK_DEFAULT = 1024;
    /**
     * Slots per block of the floating-point sparse path: a multiple of {@link #SPARSE_TILE} (system property
     * {@code jckks.mac.fmaBlock}).
     */
    static final int FMA_BLOCK = block("jckks.mac.fmaBlock", FMA_BLOCK_DEFAULT);

    private VectorMacKernel() {
    }

    private static int block(String property, int fallback) {
        int b = Integer.getInteger(property, fallback);
        return b >= SPARSE_TILE && b % SPARSE_TILE == 0 ? b : fallback;
    }

    @Override
    public String name() {
        return "vector";
    }

    // ---------------------------------------------------------------- per-prime constants

    /** @return 2^32 mod q */
    static long c32(long q) {
        return (1L << 32) % q;
    }

    /** @return an upper bound of the fold of any value at most the unsigned 64-bit bound b */
    static long foldBound(long b, long c) {
        if (Long.compareUnsigned(b, M32) <= 0) {
            return b;
        }
        return (b >>> 32) * c + M32;
    }

    /**
     * @return how many products of residues, each at most (q-1)^2, can be added to a folded accumulator without
     *         exceeding 2^64 - 1 (at least 2 for q &lt; 2^31)
     */
    static int lazyTerms(long q) {
        long maxProduct = (q - 1) * (q - 1);
        if (maxProduct == 0) {
            return Integer.MAX_VALUE;
        }
        long terms = Long.divideUnsigned(-1L - foldBound(-1L, c32(q)), maxProduct);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, terms));
    }

    /**
     * @return how many folds the final reduction needs before its Barrett step (0, 1 or 2), for a sum of
     *         {@code terms} products folded every {@code lazy} terms
     */
    static int finalFolds(int terms, long q, int bits, int lazy) {
        long c = c32(q);
        long maxProduct = (q - 1) * (q - 1);
        long bound;
        if (terms <= lazy) {
            bound = maxProduct * terms;
        } else {
            int last = terms - lazy * ((terms - 1) / lazy);
            bound = foldBound(-1L, c) + maxProduct * last;
        }
        long limit = 1L << (31 + bits);
        int folds = 0;
        while (Long.compareUnsigned(bound, limit) >= 0) {
            bound = foldBound(bound, c);
            folds++;
        }
        if (folds > 2) {
            // cannot happen for q < 2^31: two folds leave at most (q-1)^2 + 2^32 - 1 < 2^(31+b)
            throw new AssertionError(folds + " folds for q = " + q);
        }
        return folds;
    }

    static void check(Modulus q) {
        if (q.bits() > 31) {
            throw new IllegalArgumentException("MAC kernels need primes below 2^31, got " + q);
        }
    }

    /** @return true if the vector kernel handles this modulus (below 2^31 and not a power of two) */
    static boolean supported(Modulus q) {
        return Long.bitCount(q.value()) != 1;
    }

    // ---------------------------------------------------------------- per-thread buffers and packing

    /**
     * Per-thread scratch, grown on demand: the packed block, the sparse plan and its tap table (integer path), the
     * packed float block and its tap table (floating-point path).
     */
    static final class Scratch {
        long[] pack = new long[0];
        int[] plan = new int[0];
        long[] taps = new long[0];
        float[] fpack = new float[0];
        double[] ftab = new double[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Packs slots [k, k + 8) of one input row as 4 longs at p[at]: lane r holds slot k + r in its low word and
     * slot k + 4 + r in its high word.
     */
    static void pack8(long[] x, int k, long[] p, int at) {
        LongVector lo = LongVector.fromArray(S, x, k);
        LongVector hi = LongVector.fromArray(S, x, k + 4);
        lo.or(hi.lanewise(VectorOperators.LSHL, 32)).intoArray(p, at);
    }

    /**
     * {@link #pack8} from a 32-bit row: one load of 8 ints, permuted to k, k + 4, k + 1, k + 5, ... ({@code vpermd}),
     * whose int pairs are the longs of the packed layout.
     */
    static void pack8(int[] x, int k, long[] p, int at) {
        IntVector.fromArray(I8, x, k).rearrange(INTERLEAVE).reinterpretAsLongs().intoArray(p, at);
    }

    /** Lanes 0, 4, 1, 5, 2, 6, 3, 7: slot k + r in the low word of long r, slot k + 4 + r in its high word. */
    static final jdk.incubator.vector.VectorShuffle<Integer> INTERLEAVE =
            jdk.incubator.vector.VectorShuffle.fromValues(IntVector.SPECIES_256, 0, 4, 1, 5, 2, 6, 3, 7);

    /** @return the number of input rows, of whichever width (exactly one of inL, inI is non-null) */
    static int rowCount(long[][] inL, int[][] inI) {
        return inL != null ? inL.length : inI.length;
    }

    // ---------------------------------------------------------------- dense

    @Override
    public void dense(long[][] in, long[][] w, long[][] out, int n, Modulus mod) {
        check(mod);
        if (!supported(mod)) {
            ScalarMacKernel.INSTANCE.dense(in, w, out, n, mod);
            return;
        }
        denseRows(in, null, w, out, n, mod);
    }

    @Override
    public void dense(int[][] in, long[][] w, long[][] out, int n, Modulus mod) {
        check(mod);
        if (!supported(mod)) {
            ScalarMacKernel.INSTANCE.dense(in, w, out, n, mod);
            return;
        }
        denseRows(null, in, w, out, n, mod);
    }

    /** The dense layer on 64-bit (inL) or 32-bit (inI) input rows, exactly one non-null. */
    static void denseRows(long[][] inL, int[][] inI, long[][] w, long[][] out, int n, Modulus mod) {
        final int nIn = rowCount(inL, inI);
        final int nOut = out.length;
        if (w.length < nOut) {
            throw new IllegalArgumentException(nOut + " outputs with " + w.length + " weight rows");
        }
        for (int o = 0; o < nOut; o++) {
            if (w[o].length != nIn) {
                throw new IllegalArgumentException("weight row " + o + " has " + w[o].length + " weights for "
                        + nIn + " inputs");
            }
        }
        final long q = mod.value();
        final int bits = mod.bits();
        final long c = c32(q);
        final int lazy = lazyTerms(q);
        final int folds = finalFolds(nIn, q, bits, lazy);
        final long barrett = (1L << (bits + 31)) / q;
        final int nv = n - n % TILE;
        if (nv > 0 && nOut > 0) {
            final Scratch scratch = SCRATCH.get();
            final int tileLongs = nIn * (TILE / 2);
            if (scratch.pack.length < tileLongs * (DENSE_BLOCK / TILE)) {
                scratch.pack = new long[tileLongs * (DENSE_BLOCK / TILE)];
            }
            final long[] p = scratch.pack;
            // the weights of each group of 4 outputs interleaved, input after input: one pointer in the tile loop
            final int groups = nOut / 4;
            if (scratch.taps.length < groups * 4 * nIn) {
                scratch.taps = new long[groups * 4 * nIn];
            }
            final long[] tab = scratch.taps;
            for (int g = 0, pos = 0; g < groups; g++) {
                final long[] w0 = w[4 * g];
                final long[] w1 = w[4 * g + 1];
                final long[] w2 = w[4 * g + 2];
                final long[] w3 = w[4 * g + 3];
                for (int j = 0; j < nIn; j++, pos += 4) {
                    tab[pos] = w0[j];
                    tab[pos + 1] = w1[j];
                    tab[pos + 2] = w2[j];
                    tab[pos + 3] = w3[j];
                }
            }
            for (int k0 = 0; k0 < nv; k0 += DENSE_BLOCK) {
                final int k1 = Math.min(nv, k0 + DENSE_BLOCK);
                // pack the block tile after tile, input after input: a tile's loop reads p sequentially
                for (int j = 0; j < nIn; j++) {
                    if (inI != null) {
                        final int[] x = inI[j];
                        for (int k = k0, at = 4 * j; k < k1; k += TILE, at += tileLongs) {
                            pack8(x, k, p, at);
                        }
                    } else {
                        final long[] x = inL[j];
                        for (int k = k0, at = 4 * j; k < k1; k += TILE, at += tileLongs) {
                            pack8(x, k, p, at);
                        }
                    }
                }
                int o = 0;
                for (; o + 4 <= nOut; o += 4) {
                    final int pos = o * nIn;
                    final long[] z0 = out[o];
                    final long[] z1 = out[o + 1];
                    final long[] z2 = out[o + 2];
                    final long[] z3 = out[o + 3];
                    for (int k = k0, at = 0; k < k1; k += TILE, at += tileLongs) {
                        dense4x8(p, at, nIn, tab, pos, z0, z1, z2, z3, k, lazy, c);
                    }
                    for (int m = o; m < o + 4; m++) {
                        reduce(out[m], k0, k1, folds, q, c, bits, barrett);
                    }
                }
                for (; o < nOut; o++) {
                    for (int k = k0, at = 0; k < k1; k += TILE, at += tileLongs) {
                        dense1x8(p, at, nIn, w[o], out[o], k, lazy, c);
                    }
                    reduce(out[o], k0, k1, folds, q, c, bits, barrett);
                }
            }
        }
        if (nv < n) {
            for (int o = 0; o < nOut; o++) {
                scalarTail(inL, inI, null, w[o], out[o], nv, n, lazy, mod);
            }
        }
    }

    /**
     * Raw sums (not reduced) of 4 outputs at 8 slots from k, with 8 accumulators in registers; input j of the
     * tile is packed at p[at + 4j], its 4 weights are at tab[pos + 4j]. One tile per call: a loop over the tiles
     * in here would keep more values live across the inner loop, and C2 would spill pointers inside it.
     */
    static void dense4x8(long[] p, int at, int nIn, long[] tab, int pos,
                         long[] z0, long[] z1, long[] z2, long[] z3, int k, int lazy, long c) {
        LongVector a00 = LongVector.zero(S);
        LongVector a01 = a00;
        LongVector a10 = a00;
        LongVector a11 = a00;
        LongVector a20 = a00;
        LongVector a21 = a00;
        LongVector a30 = a00;
        LongVector a31 = a00;
        int j = 0;
        while (true) {
            final int end = nIn - j <= lazy ? nIn : j + lazy;
            for (; j < end; j++) {
                final LongVector x = LongVector.fromArray(S, p, at + 4 * j);
                final LongVector x0 = x.and(M32);
                final LongVector x1 = x.lanewise(VectorOperators.LSHR, 32);
                final int e = pos + 4 * j;
                LongVector v = LongVector.broadcast(S, tab[e]).and(M32);
                a00 = a00.add(x0.mul(v));
                a01 = a01.add(x1.mul(v));
                v = LongVector.broadcast(S, tab[e + 1]).and(M32);
                a10 = a10.add(x0.mul(v));
                a11 = a11.add(x1.mul(v));
                v = LongVector.broadcast(S, tab[e + 2]).and(M32);
                a20 = a20.add(x0.mul(v));
                a21 = a21.add(x1.mul(v));
                v = LongVector.broadcast(S, tab[e + 3]).and(M32);
                a30 = a30.add(x0.mul(v));
                a31 = a31.add(x1.mul(v));
            }
            if (j >= nIn) {
                break;
            }
            // fold x -> (x >>> 32) * (2^32 mod q) + (x & (2^32 - 1))
            final LongVector vc = LongVector.broadcast(S, c).and(M32);
            a00 = a00.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a00.and(M32));
            a01 = a01.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a01.and(M32));
            a10 = a10.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a10.and(M32));
            a11 = a11.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a11.and(M32));
            a20 = a20.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a20.and(M32));
            a21 = a21.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a21.and(M32));
            a30 = a30.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a30.and(M32));
            a31 = a31.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a31.and(M32));
        }
        a00.intoArray(z0, k);
        a01.intoArray(z0, k + 4);
        a10.intoArray(z1, k);
        a11.intoArray(z1, k + 4);
        a20.intoArray(z2, k);
        a21.intoArray(z2, k + 4);
        a30.intoArray(z3, k);
        a31.intoArray(z3, k + 4);
    }

    /** Raw sums of 1 output at 8 slots from k (the last out.length mod 4 outputs). */
    static void dense1x8(long[] p, int at, int nIn, long[] wo, long[] z, int k, int lazy, long c) {
        LongVector a0 = LongVector.zero(S);
        LongVector a1 = a0;
        int j = 0;
        while (true) {
            final int end = nIn - j <= lazy ? nIn : j + lazy;
            for (; j < end; j++) {
                final LongVector x = LongVector.fromArray(S, p, at + 4 * j);
                final LongVector v = LongVector.broadcast(S, wo[j]).and(M32);
                a0 = a0.add(x.and(M32).mul(v));
                a1 = a1.add(x.lanewise(VectorOperators.LSHR, 32).mul(v));
            }
            if (j >= nIn) {
                break;
            }
            final LongVector vc = LongVector.broadcast(S, c).and(M32);
            a0 = a0.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a0.and(M32));
            a1 = a1.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a1.and(M32));
        }
        a0.intoArray(z, k);
        a1.intoArray(z, k + 4);
    }

    // ---------------------------------------------------------------- sparse

    /** @return the first s &gt; 0 with idx[s] equal to idx[0] (the size of a convolution's output map), or 0 */
    static int mapStride(int[][] idx) {
        for (int o = 1; o < idx.length; o++) {
            if (Arrays.equals(idx[0], idx[o])) {
                return o;
            }
        }
        return 0;
    }

    /**
     * Plans the outputs of a sparse layer. Along each chain o, o + s, o + 2s, ... (the same position in every
     * output map) a run of outputs with equal index rows is cut into groups of {@code maxGroup}, the rest
     * (fewer) forming one last group, or singles when {@code maxGroup} is 4 (CryptoNets, 5 maps: one group of 5
     * per position for the floating-point path, a group of 4 and a single for the integer one). Entries:
     * o &lt;&lt; 3 | size (outputs o, o + s, ..., o + (size-1)s); every output appears in exactly one entry, in
     * the order of the positions, so that consecutive entries read neighbouring inputs. (The integer path stops
     * at 4: a group of 5 would need 10 accumulators, and C2 then loads the 5 weights first and spills
     * accumulators to the stack, slower than 4 + 1.)
     *
     * @param s the stride from {@link #mapStride} (0: no groups)
     * @param maxGroup 5 (floating-point path: sizes 1 to 5) or 4 (integer path: sizes 4 and 1)
     * @return the number of entries written to plan
     */
    static int plan(int[][] idx, int s, int[] plan, int maxGroup) {
        final int nOut = idx.length;
        int count = 0;
        if (s == 0) {
            for (int o = 0; o < nOut; o++) {
                plan[count++] = o << 3 | 1;
            }
            return count;
        }
        for (int r = 0; r < s; r++) {
            int o = r;
            while (o < nOut) {
                // the run of outputs o, o + s, ... that share o's index row
                int m = 1;
                while (o + m * s < nOut && Arrays.equals(idx[o], idx[o + m * s])) {
                    m++;
                }
                while (m > 0) {
                    final int size = m >= maxGroup ? maxGroup : maxGroup == 4 ? 1 : m;
                    plan[count++] = o << 3 | size;
                    o += size * s;
                    m -= size;
                }
            }
        }
        return count;
    }

    /**
     * @return whether the floating-point path sums every output of a sparse layer exactly: with residues centred
     *         to [-h, h], h = floor(q/2), each product is at most h<sup>2</sup> in magnitude and a sum of up to
     *         {@code maxTerms} of them, with all its partial sums, is an integer of magnitude at most
     *         maxTerms h<sup>2</sup> &le; 2<sup>53</sup> (exact in a double); h &le; 2<sup>24</sup> makes the
     *         centred inputs exact floats; maxTerms h<sup>2</sup> &le; 2<sup>51</sup> q keeps the quotient
     *         estimate below 2<sup>51</sup> (the rounding constant's range). So: primes below 2<sup>25</sup>, with
     *         at most 32 terms (128 for 24-bit primes, 2<sup>15</sup> for 20-bit ones).
     */
    static boolean fmaExact(long q, int maxTerms) {
        final long h = q >>> 1;
        if (h > FMA_MAX_HALF || h == 0) {
            return false;
        }
        final double bound = (double) maxTerms * (double) (h * h);
        return bound <= 0x1p53 && bound <= 0x1p51 * q;
    }

    @Override
    public void sparse(long[][] in, int[][] idx, long[][] w, long[][] out, int n, Modulus mod) {
        check(mod);
        if (!supported(mod)) {
            ScalarMacKernel.INSTANCE.sparse(in, idx, w, out, n, mod);
            return;
        }
        sparseRows(in, null, idx, w, out, n, mod);
    }

    @Override
    public void sparse(int[][] in, int[][] idx, long[][] w, long[][] out, int n, Modulus mod) {
        check(mod);
        if (!supported(mod)) {
            ScalarMacKernel.INSTANCE.sparse(in, idx, w, out, n, mod);
            return;
        }
        sparseRows(null, in, idx, w, out, n, mod);
    }

    /** The sparse layer on 64-bit (inL) or 32-bit (inI) input rows, exactly one non-null. */
    static void sparseRows(long[][] inL, int[][] inI, int[][] idx, long[][] w, long[][] out, int n, Modulus mod) {
        final int nIn = rowCount(inL, inI);
        final int nOut = out.length;
        if (idx.length < nOut || w.length < nOut) {
            throw new IllegalArgumentException(nOut + " outputs with " + idx.length + " index rows and " + w.length
                    + " weight rows");
        }
        long totalTaps = 0;
        int maxTerms = 0;
        for (int o = 0; o < nOut; o++) {
            if (w[o].length != idx[o].length) {
                throw new IllegalArgumentException("output " + o + " has " + w[o].length + " weights for "
                        + idx[o].length + " indices");
            }
            for (int i : idx[o]) {
                if (i < 0 || i >= nIn) {
                    throw new IndexOutOfBoundsException("output " + o + " reads input " + i + " of " + nIn);
                }
            }
            totalTaps += idx[o].length;
            maxTerms = Math.max(maxTerms, idx[o].length);
        }
        final int lazy = lazyTerms(mod.value());
        final int nv = n - n % SPARSE_TILE;
        if (nv > 0 && nOut > 0) {
            final int[][] rows = idx.length == nOut ? idx : Arrays.copyOf(idx, nOut);
            final Scratch scratch = SCRATCH.get();
            if (scratch.plan.length < nOut) {
                scratch.plan = new int[nOut];
            }
            if (fmaExact(mod.value(), maxTerms)) {
                sparseFma(inL, inI, rows, w, out, nv, mod.value(), totalTaps, scratch);
            } else {
                sparseLong(inL, inI, rows, w, out, nv, mod, lazy, totalTaps, scratch);
            }
        }
        if (nv < n) {
            for (int o = 0; o < nOut; o++) {
                scalarTail(inL, inI, idx[o], w[o], out[o], nv, n, lazy, mod);
            }
        }
    }

    // ---------------------------------------------------------------- sparse, floating point (q < 2^25)

    /**
     * Slots [0, nv) of a sparse layer whose sums {@link #fmaExact} allows, on centred residues in doubles: per
     * block, the inputs are packed as centred floats (exact: |x| &le; 2<sup>24</sup>), each group of up to 5
     * outputs sharing an index row is summed by a tile of fused multiply-adds (exact integers below
     * 2<sup>53</sup>) whose raw sums are stored into the output rows, and {@link #reduceFma} brings them to
     * [0, q).
     */
    static void sparseFma(long[][] inL, int[][] inI, int[][] rows, long[][] w, long[][] out, int nv, long q,
                          long totalTaps, Scratch scratch) {
        final int nIn = rowCount(inL, inI);
        final int[] plan = scratch.plan;
        final int s = mapStride(rows);
        final int entries = plan(rows, s, plan, 5);
        final int block = FMA_BLOCK;
        final int rowFloats = block + FLOAT_PAD;
        if (scratch.fpack.length < nIn * rowFloats) {
            scratch.fpack = new float[nIn * rowFloats];
        }
        final float[] p = scratch.fpack;
        // the tap table: per entry and tap, the packed offset of the input (as raw bits), then the entry's 1 to 5
        // centred weights
        if (scratch.ftab.length < 2 * totalTaps) {
            scratch.ftab = new double[(int) Math.min(Integer.MAX_VALUE - 8, 2 * totalTaps)];
        }
        final double[] tab = scratch.ftab;
        final long h = q >>> 1;
        for (int e = 0, pos = 0; e < entries; e++) {
            final int o = plan[e] >>> 3;
            final int size = plan[e] & 7;
            final int[] ix = rows[o];
            for (int t = 0; t < ix.length; t++) {
                tab[pos++] = Double.longBitsToDouble((long) ix[t] * rowFloats);
                for (int m = 0; m < size; m++) {
                    final long v = w[o + m * s][t];
                    tab[pos++] = v > h ? v - q : v;
                }
            }
        }
        final double qinv = 1.0 / q;
        for (int k0 = 0; k0 < nv; k0 += block) {
            final int k1 = Math.min(nv, k0 + block);
            if (inI != null) {
                packFloat(inI, k0, k1, p, rowFloats, (int) q, (int) h);
            } else {
                packFloat(inL, k0, k1, p, rowFloats, q, h);
            }
            for (int e = 0, pos = 0; e < entries; e++) {
                final int o = plan[e] >>> 3;
                final int size = plan[e] & 7;
                final int terms = rows[o].length;
                switch (size) {
                    case 5 -> fma5x8(p, tab, pos, terms, out[o], out[o + s], out[o + 2 * s], out[o + 3 * s],
                            out[o + 4 * s], k0, k1);
                    case 4 -> fma4x8(p, tab, pos, terms, out[o], out[o + s], out[o + 2 * s], out[o + 3 * s], k0, k1);
                    case 3 -> fma3x8(p, tab, pos, terms, out[o], out[o + s], out[o + 2 * s], k0, k1);
                    case 2 -> fma2x16(p, tab, pos, terms, out[o], out[o + s], k0, k1);
                    default -> fma1x16(p, tab, pos, terms, out[o], k0, k1);
                }
                for (int m = 0; m < size; m++) {
                    reduceFma(out[o + m * s], k0, k1, q, qinv);
                }
                pos += (size + 1) * terms;
            }
        }
    }

    /** Packs slots [k0, k1) of every input row as centred floats, row i at p[i * rowFloats]. */
    static void packFloat(long[][] in, int k0, int k1, float[] p, int rowFloats, long q, long h) {
        int i = 0;
        for (; i + 4 <= in.length; i += 4) {
            packFloat4(in[i], in[i + 1], in[i + 2], in[i + 3], k0, k1, p, i * rowFloats, rowFloats, q, h);
        }
        for (; i < in.length; i++) {
            packFloat1(in[i], k0, k1, p, i * rowFloats, q, h);
        }
    }

    /**
     * {@link #packFloat(long[][], int, int, float[], int, long, long)} from 32-bit rows: 8 slots per vector, the
     * centred ints converted to floats directly ({@code vcvtdq2ps}), half the bytes read from memory.
     */
    static void packFloat(int[][] in, int k0, int k1, float[] p, int rowFloats, int q, int h) {
        int i = 0;
        for (; i + 4 <= in.length; i += 4) {
            packFloat4(in[i], in[i + 1], in[i + 2], in[i + 3], k0, k1, p, i * rowFloats, rowFloats, q, h);
        }
        for (; i < in.length; i++) {
            packFloat1(in[i], k0, k1, p, i * rowFloats, q, h);
        }
    }

    /**
     * Packs slots [k0, k1) of 4 input rows as centred floats at p[at], p[at + rl], ...: x &gt; h becomes x - q, so
     * |x| &le; h = floor(q/2) &le; 2<sup>24</sup>, exact in a float. (x + 1.5 &middot; 2<sup>52</sup> as bits,
     * minus 1.5 &middot; 2<sup>52</sup>, is x as a double.) Four rows per loop keep four streams of loads in flight.
     */
    static void packFloat4(long[] x0, long[] x1, long[] x2, long[] x3, int k0, int k1, float[] p, int at, int rl,
                           long q, long h) {
        final LongVector vh = LongVector.broadcast(S, h);
        final LongVector vq = LongVector.broadcast(S, q);
        final LongVector mb = LongVector.broadcast(S, MAGIC_BITS);
        for (int k = k0; k < k1; k += 4, at += 4) {
            LongVector v = LongVector.fromArray(S, x0, k);
            ((FloatVector) v.sub(vq, v.compare(VectorOperators.GT, vh)).add(mb).reinterpretAsDoubles().sub(MAGIC)
                    .convertShape(VectorOperators.D2F, F, 0)).intoArray(p, at);
            v = LongVector.fromArray(S, x1, k);
            ((FloatVector) v.sub(vq, v.compare(VectorOperators.GT, vh)).add(mb).reinterpretAsDoubles().sub(MAGIC)
                    .convertShape(VectorOperators.D2F, F, 0)).intoArray(p, at + rl);
            v = LongVector.fromArray(S, x2, k);
            ((FloatVector) v.sub(vq, v.compare(VectorOperators.GT, vh)).add(mb).reinterpretAsDoubles().sub(MAGIC)
                    .convertShape(VectorOperators.D2F, F, 0)).intoArray(p, at + 2 * rl);
            v = LongVector.fromArray(S, x3, k);
            ((FloatVector) v.sub(vq, v.compare(VectorOperators.GT, vh)).add(mb).reinterpretAsDoubles().sub(MAGIC)
                    .convertShape(VectorOperators.D2F, F, 0)).intoArray(p, at + 3 * rl);
        }
    }

    /** {@link #packFloat4} for 4 rows of 32-bit residues (k1 - k0 a multiple of 8). */
    static void packFloat4(int[] x0, int[] x1, int[] x2, int[] x3, int k0, int k1, float[] p, int at, int rl,
                           int q, int h) {
        final IntVector vh = IntVector.broadcast(I8, h);
        final IntVector vq = IntVector.broadcast(I8, q);
        for (int k = k0; k < k1; k += 8, at += 8) {
            IntVector v = IntVector.fromArray(I8, x0, k);
            ((FloatVector) v.sub(vq, v.compare(VectorOperators.GT, vh)).convert(VectorOperators.I2F, 0))
                    .intoArray(p, at);
            v = IntVector.fromArray(I8, x1, k);
            ((FloatVector) v.sub(vq, v.compare(VectorOperators.GT, vh)).convert(VectorOperators.I2F, 0))
                    .intoArray(p, at + rl);
            v = IntVector.fromArray(I8, x2, k);
            ((FloatVector) v.sub(vq, v.compare(VectorOperators.GT, vh)).convert(VectorOperators.I2F, 0))
                    .intoArray(p, at + 2 * rl);
            v = IntVector.fromArray(I8, x3, k);
            ((FloatVector) v.sub(vq, v.compare(VectorOperators.GT, vh)).convert(VectorOperators.I2F, 0))
                    .intoArray(p, at + 3 * rl);
        }
    }

    /** {@link #packFloat4} for one 32-bit row. */
    static void packFloat1(int[] x, int k0, int k1, float[] p, int at, int q, int h) {
        final IntVector vh = IntVector.broadcast(I8, h);
        final IntVector vq = IntVector.broadcast(I8, q);
        for (int k = k0; k < k1; k += 8, at += 8) {
            final IntVector v = IntVector.fromArray(I8, x, k);
            ((FloatVector) v.sub(vq, v.compare(VectorOperators.GT, vh)).convert(VectorOperators.I2F, 0))
                    .intoArray(p, at);
        }
    }

    /** {@link #packFloat4} for one row. */
    static void packFloat1(long[] x, int k0, int k1, float[] p, int at, long q, long h) {
        final LongVector vh = LongVector.broadcast(S, h);
        final LongVector vq = LongVector.broadcast(S, q);
        final LongVector mb = LongVector.broadcast(S, MAGIC_BITS);
        for (int k = k0; k < k1; k += 4, at += 4) {
            final LongVector v = LongVector.fromArray(S, x, k);
            ((FloatVector) v.sub(vq, v.compare(VectorOperators.GT, vh)).add(mb).reinterpretAsDoubles().sub(MAGIC)
                    .convertShape(VectorOperators.D2F, F, 0)).intoArray(p, at);
        }
    }

    /**
     * Raw sums (exact integers in doubles, stored as their bits) of a group of 5 outputs at slots [k0, k1) of the
     * packed block, 8 at a time with 10 accumulators in registers; tap t is (packed offset, 5 centred weights) at
     * tab[pos + 6t]. Per tap: two float loads widened to doubles, 5 broadcasts, 10 fused multiply-adds for 40
     * multiply-accumulates.
     */
    static void fma5x8(float[] p, double[] tab, int pos, int terms, long[] z0, long[] z1, long[] z2, long[] z3,
                       long[] z4, int k0, int k1) {
        for (int k = k0, at = 0; k < k1; k += 8, at += 8) {
            DoubleVector a0 = DoubleVector.zero(D);
            DoubleVector a1 = a0;
            DoubleVector a2 = a0;
            DoubleVector a3 = a0;
            DoubleVector a4 = a0;
            DoubleVector b0 = a0;
            DoubleVector b1 = a0;
            DoubleVector b2 = a0;
            DoubleVector b3 = a0;
            DoubleVector b4 = a0;
            for (int t = 0, e = pos; t < terms; t++, e += 6) {
                final int off = (int) Double.doubleToRawLongBits(tab[e]) + at;
                final DoubleVector x = (DoubleVector) FloatVector.fromArray(F, p, off)
                        .convertShape(VectorOperators.F2D, D, 0);
                final DoubleVector y = (DoubleVector) FloatVector.fromArray(F, p, off + 4)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector v = DoubleVector.broadcast(D, tab[e + 1]);
                a0 = x.fma(v, a0);
                b0 = y.fma(v, b0);
                v = DoubleVector.broadcast(D, tab[e + 2]);
                a1 = x.fma(v, a1);
                b1 = y.fma(v, b1);
                v = DoubleVector.broadcast(D, tab[e + 3]);
                a2 = x.fma(v, a2);
                b2 = y.fma(v, b2);
                v = DoubleVector.broadcast(D, tab[e + 4]);
                a3 = x.fma(v, a3);
                b3 = y.fma(v, b3);
                v = DoubleVector.broadcast(D, tab[e + 5]);
                a4 = x.fma(v, a4);
                b4 = y.fma(v, b4);
            }
            a0.reinterpretAsLongs().intoArray(z0, k);
            b0.reinterpretAsLongs().intoArray(z0, k + 4);
            a1.reinterpretAsLongs().intoArray(z1, k);
            b1.reinterpretAsLongs().intoArray(z1, k + 4);
            a2.reinterpretAsLongs().intoArray(z2, k);
            b2.reinterpretAsLongs().intoArray(z2, k + 4);
            a3.reinterpretAsLongs().intoArray(z3, k);
            b3.reinterpretAsLongs().intoArray(z3, k + 4);
            a4.reinterpretAsLongs().intoArray(z4, k);
            b4.reinterpretAsLongs().intoArray(z4, k + 4);
        }
    }

    /** {@link #fma5x8} for a group of 4 outputs (8 accumulators); tap t at tab[pos + 5t]. */
    static void fma4x8(float[] p, double[] tab, int pos, int terms, long[] z0, long[] z1, long[] z2, long[] z3,
                       int k0, int k1) {
        for (int k = k0, at = 0; k < k1; k += 8, at += 8) {
            DoubleVector a0 = DoubleVector.zero(D);
            DoubleVector a1 = a0;
            DoubleVector a2 = a0;
            DoubleVector a3 = a0;
            DoubleVector b0 = a0;
            DoubleVector b1 = a0;
            DoubleVector b2 = a0;
            DoubleVector b3 = a0;
            for (int t = 0, e = pos; t < terms; t++, e += 5) {
                final int off = (int) Double.doubleToRawLongBits(tab[e]) + at;
                final DoubleVector x = (DoubleVector) FloatVector.fromArray(F, p, off)
                        .convertShape(VectorOperators.F2D, D, 0);
                final DoubleVector y = (DoubleVector) FloatVector.fromArray(F, p, off + 4)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector v = DoubleVector.broadcast(D, tab[e + 1]);
                a0 = x.fma(v, a0);
                b0 = y.fma(v, b0);
                v = DoubleVector.broadcast(D, tab[e + 2]);
                a1 = x.fma(v, a1);
                b1 = y.fma(v, b1);
                v = DoubleVector.broadcast(D, tab[e + 3]);
                a2 = x.fma(v, a2);
                b2 = y.fma(v, b2);
                v = DoubleVector.broadcast(D, tab[e + 4]);
                a3 = x.fma(v, a3);
                b3 = y.fma(v, b3);
            }
            a0.reinterpretAsLongs().intoArray(z0, k);
            b0.reinterpretAsLongs().intoArray(z0, k + 4);
            a1.reinterpretAsLongs().intoArray(z1, k);
            b1.reinterpretAsLongs().intoArray(z1, k + 4);
            a2.reinterpretAsLongs().intoArray(z2, k);
            b2.reinterpretAsLongs().intoArray(z2, k + 4);
            a3.reinterpretAsLongs().intoArray(z3, k);
            b3.reinterpretAsLongs().intoArray(z3, k + 4);
        }
    }

    /** {@link #fma5x8} for a group of 3 outputs (6 accumulators); tap t at tab[pos + 4t]. */
    static void fma3x8(float[] p, double[] tab, int pos, int terms, long[] z0, long[] z1, long[] z2, int k0,
                       int k1) {
        for (int k = k0, at = 0; k < k1; k += 8, at += 8) {
            DoubleVector a0 = DoubleVector.zero(D);
            DoubleVector a1 = a0;
            DoubleVector a2 = a0;
            DoubleVector b0 = a0;
            DoubleVector b1 = a0;
            DoubleVector b2 = a0;
            for (int t = 0, e = pos; t < terms; t++, e += 4) {
                final int off = (int) Double.doubleToRawLongBits(tab[e]) + at;
                final DoubleVector x = (DoubleVector) FloatVector.fromArray(F, p, off)
                        .convertShape(VectorOperators.F2D, D, 0);
                final DoubleVector y = (DoubleVector) FloatVector.fromArray(F, p, off + 4)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector v = DoubleVector.broadcast(D, tab[e + 1]);
                a0 = x.fma(v, a0);
                b0 = y.fma(v, b0);
                v = DoubleVector.broadcast(D, tab[e + 2]);
                a1 = x.fma(v, a1);
                b1 = y.fma(v, b1);
                v = DoubleVector.broadcast(D, tab[e + 3]);
                a2 = x.fma(v, a2);
                b2 = y.fma(v, b2);
            }
            a0.reinterpretAsLongs().intoArray(z0, k);
            b0.reinterpretAsLongs().intoArray(z0, k + 4);
            a1.reinterpretAsLongs().intoArray(z1, k);
            b1.reinterpretAsLongs().intoArray(z1, k + 4);
            a2.reinterpretAsLongs().intoArray(z2, k);
            b2.reinterpretAsLongs().intoArray(z2, k + 4);
        }
    }

    /** {@link #fma5x8} for a pair of outputs, 16 slots at a time (8 accumulators); tap t at tab[pos + 3t]. */
    static void fma2x16(float[] p, double[] tab, int pos, int terms, long[] z0, long[] z1, int k0, int k1) {
        for (int k = k0, at = 0; k < k1; k += 16, at += 16) {
            DoubleVector a0 = DoubleVector.zero(D);
            DoubleVector a1 = a0;
            DoubleVector a2 = a0;
            DoubleVector a3 = a0;
            DoubleVector b0 = a0;
            DoubleVector b1 = a0;
            DoubleVector b2 = a0;
            DoubleVector b3 = a0;
            for (int t = 0, e = pos; t < terms; t++, e += 3) {
                final int off = (int) Double.doubleToRawLongBits(tab[e]) + at;
                final DoubleVector x0 = (DoubleVector) FloatVector.fromArray(F, p, off)
                        .convertShape(VectorOperators.F2D, D, 0);
                final DoubleVector x1 = (DoubleVector) FloatVector.fromArray(F, p, off + 4)
                        .convertShape(VectorOperators.F2D, D, 0);
                final DoubleVector x2 = (DoubleVector) FloatVector.fromArray(F, p, off + 8)
                        .convertShape(VectorOperators.F2D, D, 0);
                final DoubleVector x3 = (DoubleVector) FloatVector.fromArray(F, p, off + 12)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector v = DoubleVector.broadcast(D, tab[e + 1]);
                a0 = x0.fma(v, a0);
                a1 = x1.fma(v, a1);
                a2 = x2.fma(v, a2);
                a3 = x3.fma(v, a3);
                v = DoubleVector.broadcast(D, tab[e + 2]);
                b0 = x0.fma(v, b0);
                b1 = x1.fma(v, b1);
                b2 = x2.fma(v, b2);
                b3 = x3.fma(v, b3);
            }
            a0.reinterpretAsLongs().intoArray(z0, k);
            a1.reinterpretAsLongs().intoArray(z0, k + 4);
            a2.reinterpretAsLongs().intoArray(z0, k + 8);
            a3.reinterpretAsLongs().intoArray(z0, k + 12);
            b0.reinterpretAsLongs().intoArray(z1, k);
            b1.reinterpretAsLongs().intoArray(z1, k + 4);
            b2.reinterpretAsLongs().intoArray(z1, k + 8);
            b3.reinterpretAsLongs().intoArray(z1, k + 12);
        }
    }

    /** {@link #fma5x8} for a single output, 16 slots at a time (4 accumulators); tap t at tab[pos + 2t]. */
    static void fma1x16(float[] p, double[] tab, int pos, int terms, long[] z, int k0, int k1) {
        for (int k = k0, at = 0; k < k1; k += 16, at += 16) {
            DoubleVector a0 = DoubleVector.zero(D);
            DoubleVector a1 = a0;
            DoubleVector a2 = a0;
            DoubleVector a3 = a0;
            for (int t = 0, e = pos; t < terms; t++, e += 2) {
                final int off = (int) Double.doubleToRawLongBits(tab[e]) + at;
                final DoubleVector v = DoubleVector.broadcast(D, tab[e + 1]);
                a0 = ((DoubleVector) FloatVector.fromArray(F, p, off).convertShape(VectorOperators.F2D, D, 0))
                        .fma(v, a0);
                a1 = ((DoubleVector) FloatVector.fromArray(F, p, off + 4).convertShape(VectorOperators.F2D, D, 0))
                        .fma(v, a1);
                a2 = ((DoubleVector) FloatVector.fromArray(F, p, off + 8).convertShape(VectorOperators.F2D, D, 0))
                        .fma(v, a2);
                a3 = ((DoubleVector) FloatVector.fromArray(F, p, off + 12).convertShape(VectorOperators.F2D, D, 0))
                        .fma(v, a3);
            }
            a0.reinterpretAsLongs().intoArray(z, k);
            a1.reinterpretAsLongs().intoArray(z, k + 4);
            a2.reinterpretAsLongs().intoArray(z, k + 8);
            a3.reinterpretAsLongs().intoArray(z, k + 12);
        }
    }

    /**
     * Reduces raw sums z[from, to) (doubles stored as bits, exact integers S with |S| &le; 2<sup>53</sup> and
     * |S| / q &lt; 2<sup>51</sup>) to residues in [0, q) stored as longs. The quotient t = round(S / q) comes from
     * one fused multiply-add with 1/q and the rounding constant 1.5 &middot; 2<sup>52</sup> (1/q is off by at most
     * 2<sup>-53</sup> relatively, so S/q is off by at most 1/q and t misses round(S/q) by at most one), and
     * r = S - tq, exact in one fused multiply-add, lies in [-q/2 - 1, q/2 + 1]. Then r + q + 2<sup>52</sup> is exact
     * and positive, its bits are 0x43300000 in the high word and v = r + q in [1, 2q) in the low word; subtracting
     * (q, 0x43300000) word by word and taking unsigned 32-bit minima with the bits gives min(v, v - q) in the low
     * word (the wrapped v - q is larger when v &lt; q) and 0 in the high one. 6 vector operations per 4 slots
     * besides the load and the store.
     */
    static void reduceFma(long[] z, int from, int to, long q, double qinv) {
        final DoubleVector vqi = DoubleVector.broadcast(D, qinv);
        final DoubleVector vm = DoubleVector.broadcast(D, MAGIC);
        final DoubleVector vnq = DoubleVector.broadcast(D, (double) -q);
        final DoubleVector vq52 = DoubleVector.broadcast(D, 0x1p52 + q);
        final IntVector vqHigh = LongVector.broadcast(S, TWO52_HIGH | q).reinterpretAsInts();
        for (int k = from; k < to; k += 4) {
            final DoubleVector a = LongVector.fromArray(S, z, k).reinterpretAsDoubles();
            final DoubleVector t = a.fma(vqi, vm).sub(vm);
            final IntVector v = t.fma(vnq, a).add(vq52).reinterpretAsInts();
            v.lanewise(VectorOperators.UMIN, v.sub(vqHigh)).reinterpretAsLongs().intoArray(z, k);
        }
    }

    // ---------------------------------------------------------------- sparse, integer (any q < 2^31)

    /** Slots [0, nv) of a sparse layer on 64-bit integer products (the primes and tap counts fmaExact refuses). */
    static void sparseLong(long[][] inL, int[][] inI, int[][] rows, long[][] w, long[][] out, int nv, Modulus mod,
                           int lazy, long totalTaps, Scratch scratch) {
        final int nIn = rowCount(inL, inI);
        final int nOut = rows.length;
        final long q = mod.value();
        final int bits = mod.bits();
        final long c = c32(q);
        final long barrett = (1L << (bits + 31)) / q;
        final int[] plan = scratch.plan;
        final int s = mapStride(rows);
        final int entries = plan(rows, s, plan, 4);
        // packed rows padded by one cache line: a tap's rows then fall into different L1 sets (unpadded, the
        // rows of a 5 x 5 window over a 28-wide image crowd into 4 sets)
        final int rowLongs = SPARSE_BLOCK / 2 + ROW_PAD;
        if (scratch.pack.length < nIn * rowLongs) {
            scratch.pack = new long[nIn * rowLongs];
        }
        final long[] p = scratch.pack;
        // the tap table: per entry and tap, the packed offset of the input, then the entry's 4 or 1 weights
        if (scratch.taps.length < 2 * totalTaps) {
            scratch.taps = new long[(int) Math.min(Integer.MAX_VALUE - 8, 2 * totalTaps)];
        }
        final long[] tab = scratch.taps;
        for (int e = 0, pos = 0; e < entries; e++) {
            final int o = plan[e] >>> 3;
            final int size = plan[e] & 7;
            final int[] ix = rows[o];
            for (int t = 0; t < ix.length; t++) {
                tab[pos++] = (long) ix[t] * rowLongs;
                for (int m = 0; m < size; m++) {
                    tab[pos++] = w[o + m * s][t];
                }
            }
        }
        for (int k0 = 0; k0 < nv; k0 += SPARSE_BLOCK) {
            final int k1 = Math.min(nv, k0 + SPARSE_BLOCK);
            // pack the block, input after input. (Packing each input just before the first sum that needs it,
            // between the sums, measured 5% slower: the packing loop alone keeps more cache misses in flight.)
            if (inI != null) {
                packRows(inI, k0, k1, p, rowLongs);
            } else {
                packRows(inL, k0, k1, p, rowLongs);
            }
            int lastTerms = -1;
            int folds = 0;
            for (int e = 0, pos = 0; e < entries; e++) {
                final int o = plan[e] >>> 3;
                final int size = plan[e] & 7;
                final int terms = rows[o].length;
                if (terms != lastTerms) {
                    lastTerms = terms;
                    folds = finalFolds(terms, q, bits, lazy);
                }
                // separate methods for sums with and without folds: one method seeing both (24- and 30-bit primes
                // in one JVM) was compiled by C2 into code that boxes its accumulators (150 MB per call)
                if (size == 1) {
                    if (terms <= lazy) {
                        sparse1x16(p, tab, pos, terms, out[o], k0, k1);
                    } else {
                        sparse1x16Lazy(p, tab, pos, terms, out[o], k0, k1, lazy, c);
                    }
                } else if (terms <= lazy) {
                    sparse4x8(p, tab, pos, terms, out[o], out[o + s], out[o + 2 * s], out[o + 3 * s], k0, k1);
                } else {
                    sparse4x8Lazy(p, tab, pos, terms, out[o], out[o + s], out[o + 2 * s], out[o + 3 * s], k0, k1,
                            lazy, c);
                }
                for (int m = 0; m < size; m++) {
                    reduce(out[o + m * s], k0, k1, folds, q, c, bits, barrett);
                }
                pos += (size + 1) * terms;
            }
        }
    }

    /** Packs slots [k0, k1) of every input row at p[i * rowLongs], 8 slots in 4 longs. */
    static void packRows(long[][] in, int k0, int k1, long[] p, int rowLongs) {
        for (int i = 0; i < in.length; i++) {
            final long[] x = in[i];
            for (int k = k0, at = i * rowLongs; k < k1; k += TILE, at += 4) {
                pack8(x, k, p, at);
            }
        }
    }

    /** {@link #packRows(long[][], int, int, long[], int)} from 32-bit rows. */
    static void packRows(int[][] in, int k0, int k1, long[] p, int rowLongs) {
        for (int i = 0; i < in.length; i++) {
            final int[] x = in[i];
            for (int k = k0, at = i * rowLongs; k < k1; k += TILE, at += 4) {
                pack8(x, k, p, at);
            }
        }
    }

    /**
     * Raw sums of 1 output at slots [k0, k1) of the packed block, 16 at a time with 4 accumulators in registers;
     * tap t is (offset, weight) at tab[pos + 2t]. No fold: for sums of at most lazyTerms(q) terms.
     */
    static void sparse1x16(long[] p, long[] tab, int pos, int terms, long[] z, int k0, int k1) {
        for (int k = k0, at = 0; k < k1; k += SPARSE_TILE, at += SPARSE_TILE / 2) {
            LongVector a0 = LongVector.zero(S);
            LongVector a1 = a0;
            LongVector a2 = a0;
            LongVector a3 = a0;
            for (int t = 0, e = pos; t < terms; t++, e += 2) {
                final int off = (int) tab[e] + at;
                final LongVector x = LongVector.fromArray(S, p, off);
                final LongVector y = LongVector.fromArray(S, p, off + 4);
                final LongVector v = LongVector.broadcast(S, tab[e + 1]).and(M32);
                a0 = a0.add(x.and(M32).mul(v));
                a1 = a1.add(x.lanewise(VectorOperators.LSHR, 32).mul(v));
                a2 = a2.add(y.and(M32).mul(v));
                a3 = a3.add(y.lanewise(VectorOperators.LSHR, 32).mul(v));
            }
            a0.intoArray(z, k);
            a1.intoArray(z, k + 4);
            a2.intoArray(z, k + 8);
            a3.intoArray(z, k + 12);
        }
    }

    /** {@link #sparse1x16} for sums longer than {@code lazy} terms: the accumulators are folded every lazy terms. */
    static void sparse1x16Lazy(long[] p, long[] tab, int pos, int terms, long[] z, int k0, int k1, int lazy,
                               long c) {
        for (int k = k0, at = 0; k < k1; k += SPARSE_TILE, at += SPARSE_TILE / 2) {
            LongVector a0 = LongVector.zero(S);
            LongVector a1 = a0;
            LongVector a2 = a0;
            LongVector a3 = a0;
            int t = 0;
            while (true) {
                final int end = terms - t <= lazy ? terms : t + lazy;
                for (; t < end; t++) {
                    final int e = pos + 2 * t;
                    final int off = (int) tab[e] + at;
                    final LongVector x = LongVector.fromArray(S, p, off);
                    final LongVector y = LongVector.fromArray(S, p, off + 4);
                    final LongVector v = LongVector.broadcast(S, tab[e + 1]).and(M32);
                    a0 = a0.add(x.and(M32).mul(v));
                    a1 = a1.add(x.lanewise(VectorOperators.LSHR, 32).mul(v));
                    a2 = a2.add(y.and(M32).mul(v));
                    a3 = a3.add(y.lanewise(VectorOperators.LSHR, 32).mul(v));
                }
                if (t >= terms) {
                    break;
                }
                final LongVector vc = LongVector.broadcast(S, c).and(M32);
                a0 = a0.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a0.and(M32));
                a1 = a1.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a1.and(M32));
                a2 = a2.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a2.and(M32));
                a3 = a3.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a3.and(M32));
            }
            a0.intoArray(z, k);
            a1.intoArray(z, k + 4);
            a2.intoArray(z, k + 8);
            a3.intoArray(z, k + 12);
        }
    }

    /**
     * Raw sums of a group of 4 outputs (same taps) at slots [k0, k1) of the packed block, 8 at a time with 8
     * accumulators in registers; tap t is (offset, 4 weights) at tab[pos + 5t]. No fold: for sums of at most
     * lazyTerms(q) terms. Unlike the dense tile, this one loops over the tiles itself: its sums are short (25
     * taps), so a call per tile would cost more than the few spills of the longer live ranges.
     */
    static void sparse4x8(long[] p, long[] tab, int pos, int terms, long[] z0, long[] z1, long[] z2, long[] z3,
                          int k0, int k1) {
        for (int k = k0, at = 0; k < k1; k += TILE, at += TILE / 2) {
            LongVector a00 = LongVector.zero(S);
            LongVector a01 = a00;
            LongVector a10 = a00;
            LongVector a11 = a00;
            LongVector a20 = a00;
            LongVector a21 = a00;
            LongVector a30 = a00;
            LongVector a31 = a00;
            for (int t = 0, e = pos; t < terms; t++, e += 5) {
                final LongVector x = LongVector.fromArray(S, p, (int) tab[e] + at);
                final LongVector x0 = x.and(M32);
                final LongVector x1 = x.lanewise(VectorOperators.LSHR, 32);
                LongVector v = LongVector.broadcast(S, tab[e + 1]).and(M32);
                a00 = a00.add(x0.mul(v));
                a01 = a01.add(x1.mul(v));
                v = LongVector.broadcast(S, tab[e + 2]).and(M32);
                a10 = a10.add(x0.mul(v));
                a11 = a11.add(x1.mul(v));
                v = LongVector.broadcast(S, tab[e + 3]).and(M32);
                a20 = a20.add(x0.mul(v));
                a21 = a21.add(x1.mul(v));
                v = LongVector.broadcast(S, tab[e + 4]).and(M32);
                a30 = a30.add(x0.mul(v));
                a31 = a31.add(x1.mul(v));
            }
            a00.intoArray(z0, k);
            a01.intoArray(z0, k + 4);
            a10.intoArray(z1, k);
            a11.intoArray(z1, k + 4);
            a20.intoArray(z2, k);
            a21.intoArray(z2, k + 4);
            a30.intoArray(z3, k);
            a31.intoArray(z3, k + 4);
        }
    }

    /** {@link #sparse4x8} for sums longer than {@code lazy} terms: the accumulators are folded every lazy terms. */
    static void sparse4x8Lazy(long[] p, long[] tab, int pos, int terms, long[] z0, long[] z1, long[] z2, long[] z3,
                              int k0, int k1, int lazy, long c) {
        for (int k = k0, at = 0; k < k1; k += TILE, at += TILE / 2) {
            LongVector a00 = LongVector.zero(S);
            LongVector a01 = a00;
            LongVector a10 = a00;
            LongVector a11 = a00;
            LongVector a20 = a00;
            LongVector a21 = a00;
            LongVector a30 = a00;
            LongVector a31 = a00;
            int t = 0;
            while (true) {
                final int end = terms - t <= lazy ? terms : t + lazy;
                for (; t < end; t++) {
                    final int e = pos + 5 * t;
                    final LongVector x = LongVector.fromArray(S, p, (int) tab[e] + at);
                    final LongVector x0 = x.and(M32);
                    final LongVector x1 = x.lanewise(VectorOperators.LSHR, 32);
                    LongVector v = LongVector.broadcast(S, tab[e + 1]).and(M32);
                    a00 = a00.add(x0.mul(v));
                    a01 = a01.add(x1.mul(v));
                    v = LongVector.broadcast(S, tab[e + 2]).and(M32);
                    a10 = a10.add(x0.mul(v));
                    a11 = a11.add(x1.mul(v));
                    v = LongVector.broadcast(S, tab[e + 3]).and(M32);
                    a20 = a20.add(x0.mul(v));
                    a21 = a21.add(x1.mul(v));
                    v = LongVector.broadcast(S, tab[e + 4]).and(M32);
                    a30 = a30.add(x0.mul(v));
                    a31 = a31.add(x1.mul(v));
                }
                if (t >= terms) {
                    break;
                }
                final LongVector vc = LongVector.broadcast(S, c).and(M32);
                a00 = a00.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a00.and(M32));
                a01 = a01.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a01.and(M32));
                a10 = a10.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a10.and(M32));
                a11 = a11.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a11.and(M32));
                a20 = a20.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a20.and(M32));
                a21 = a21.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a21.and(M32));
                a30 = a30.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a30.and(M32));
                a31 = a31.lanewise(VectorOperators.LSHR, 32).mul(vc).add(a31.and(M32));
            }
            a00.intoArray(z0, k);
            a01.intoArray(z0, k + 4);
            a10.intoArray(z1, k);
            a11.intoArray(z1, k + 4);
            a20.intoArray(z2, k);
            a21.intoArray(z2, k + 4);
            a30.intoArray(z3, k);
            a31.intoArray(z3, k + 4);
        }
    }

    // ---------------------------------------------------------------- final reduction

    /**
     * Reduces raw unsigned 64-bit sums z[from, to) (to - from a multiple of 4) to [0, q): {@code folds} folds,
     * one Barrett step to [0, 3q), two conditional subtractions.
     */
    static void reduce(long[] z, int from, int to, int folds, long q, long c, int bits, long barrett) {
        final LongVector vq = LongVector.broadcast(S, q).and(M32);
        final LongVector vc = LongVector.broadcast(S, c).and(M32);
        final LongVector vm = LongVector.broadcast(S, barrett).and(M32);
        final LongVector twoQ = LongVector.broadcast(S, 2 * q);
        final IntVector qi = vq.reinterpretAsInts();
        final IntVector twoQi = twoQ.reinterpretAsInts();
        final int shift = bits - 1;
        // 3q < 2^32: both conditional subtractions as unsigned 32-bit minima
        final boolean narrow = 3 * q <= M32;
        for (int k = from; k < to; k += 4) {
            LongVector x = LongVector.fromArray(S, z, k);
            if (folds > 0) {
                x = x.lanewise(VectorOperators.LSHR, 32).mul(vc).add(x.and(M32));
                if (folds > 1) {
                    x = x.lanewise(VectorOperators.LSHR, 32).mul(vc).add(x.and(M32));
                }
            }
            // Barrett: x < 2^(32 + shift), so the quotient estimate fits in 32 bits and is short by at most 2
            final LongVector qhat = x.lanewise(VectorOperators.LSHR, shift).and(M32).mul(vm)
                    .lanewise(VectorOperators.LSHR, 32);
            LongVector r = x.sub(qhat.mul(vq));
            IntVector ri;
            if (narrow) {
                // min(r, r - 2q) as unsigned 32-bit words: the high words are 0 in both
                ri = r.reinterpretAsInts();
                ri = ri.lanewise(VectorOperators.UMIN, ri.sub(twoQi));
            } else {
                final LongVector t = r.sub(twoQ);
                ri = r.blend(t, t.compare(VectorOperators.GE, 0L)).reinterpretAsInts();
            }
            // r < 2q < 2^32: min(r, r - q)
            ri.lanewise(VectorOperators.UMIN, ri.sub(qi)).reinterpretAsLongs().intoArray(z, k);
        }
    }

    // ---------------------------------------------------------------- scalar tail

    /** Slots [from, n) of one output by scalar arithmetic (ix == null: the dense row). */
    static void scalarTail(long[][] inL, int[][] inI, int[] ix, long[] wo, long[] z, int from, int n, int lazy,
                           Modulus mod) {
        final int terms = wo.length;
        for (int k = from; k < n; k++) {
            long acc = 0;
            int pending = 0;
            for (int t = 0; t < terms; t++) {
                final int j = ix == null ? t : ix[t];
                acc += wo[t] * (inI != null ? inI[j][k] : inL[j][k]);
                if (++pending == lazy) {
                    acc = mod.reduce(acc);
                    pending = 0;
                }
            }
            z[k] = mod.reduce(acc);
        }
    }
}
