package io.github.jckks.math;

/**
 * Element-wise modular kernels for primes below 2<sup>30</sup> that a SIMD implementation can speed up: the
 * pointwise product (Barrett reduction) and the last step of the RNS rescale (a Shoup product). Results are
 * fully reduced and identical to the scalar loops of {@link ModArith}. Obtained from
 * {@link ModArith#fast()}; stateless and allocation-free.
 */
public interface PointwiseKernel {
    /** z = x &middot; y mod q for residues below q &lt; 2<sup>30</sup>. */
    void mul(long[] x, long[] y, long[] z, Modulus q);

    /** acc = acc + x &middot; y mod q for residues below q &lt; 2<sup>30</sup>. */
    default void mulAdd(long[] x, long[] y, long[] acc, Modulus q) {
        mulAdd(x, y, acc, acc, q);
    }

    /** z = c + x &middot; y mod q for residues below q &lt; 2<sup>30</sup> (one pass; z may alias c, x or y). */
    void mulAdd(long[] x, long[] y, long[] c, long[] z, Modulus q);

    /** z = (x - t) &middot; w mod q for residues below q &lt; 2<sup>30</sup>, w fixed in [0, q). */
    void subMulScalar(long[] x, long[] t, long w, long[] z, Modulus q);

    /**
     * z = y + (x - t) &middot; w mod q, {@link #subMulScalar} and an addition in one pass (a ModDown whose result is
     * added to a ciphertext part); residues below q &lt; 2<sup>30</sup>, z may alias y.
     */
    void subMulScalarAdd(long[] x, long[] t, long w, long[] y, long[] z, Modulus q);

    /**
     * out = w mod q where w is the centred value of v modulo p (w = v - p when v &gt; p/2): the first step of the
     * RNS rescale. v in [0, p) with p &lt; 2<sup>30</sup>; q &lt; 2<sup>30</sup>.
     */
    void centredReduce(long[] v, long p, long[] out, Modulus q);

    /**
     * acc = acc + x &middot; y as plain 64-bit integers, no reduction (lazy accumulation): x, y below 2<sup>32</sup>,
     * and the caller bounds the number of terms so that acc stays below 2<sup>63</sup> (e.g. up to 8 products of
     * residues below 2<sup>30</sup>). Finish with {@link #reduce}.
     */
    void mulAddLazy(long[] x, long[] y, long[] acc);

    /**
     * acc0 += x &middot; y0 and acc1 += x &middot; y1 lazily (as {@link #mulAddLazy}) in one pass over x; with
     * {@code first}, acc0 = x &middot; y0 and acc1 = x &middot; y1 (the first term of the sums: the accumulators need no
     * clearing).
     */
    void mulAddLazy2(long[] x, long[] y0, long[] y1, long[] acc0, long[] acc1, boolean first);

    /**
     * acc = acc + x &middot; w without reduction, for x and w below 2<sup>32</sup> (a lazy scalar multiply-accumulate:
     * the caller reduces before the sums could pass 2<sup>64</sup>). The default is the scalar loop.
     */
    default void mulScalarAddLazy(long[] x, long w, long[] acc) {
        for (int j = 0; j < acc.length; j++) {
            acc[j] += x[j] * w;
        }
    }

    /**
     * {@link #mulAddLazy2(long[], long[], long[], long[], long[], boolean)} with y0 and y1 stored in 32 bits (read as
     * unsigned): half the bytes of the operands that do not change, such as a key-switching key.
     */
    void mulAddLazy2(long[] x, int[] y0, int[] y1, long[] acc0, long[] acc1, boolean first);

    /** acc = acc mod q for acc in [0, 2<sup>63</sup>), q of 17 to 30 bits. */
    void reduce(long[] acc, Modulus q);

    /**
     * The twisted butterfly, element-wise: with u = x + y and v = w (x - y) mod q, lo = u - v and hi = u + v
     * (mod q). One product per element. Residues below q &lt; 2<sup>30</sup>; {@code lo} and {@code hi} may alias
     * {@code x} or {@code y} (each element is read before it is written).
     */
    void twistedButterfly(long[] x, long[] y, long[] w, long[] lo, long[] hi, Modulus q);

    /**
     * The product of two degree-1 polynomials in s, element-wise (a ciphertext product): c0 = a0 b0,
     * c1 = a0 b1 + a1 b0, c2 = a1 b1 mod q, in one pass. Residues below q &lt; 2<sup>30</sup>; the outputs may alias
     * the inputs (each element is read before it is written).
     */
    void tensor(long[] a0, long[] a1, long[] b0, long[] b1, long[] c0, long[] c1, long[] c2, Modulus q);

    /**
     * One target prime of a fast RNS base conversion (the ModUp of a digit, the ModDown by P, the rescale by
     * several primes): z = (&Sigma;<sub>i&lt;k</sub> y<sub>i</sub> h<sub>i</sub> + v c) mod p per coefficient, where
     * y<sub>i</sub> = [x<sub>i</sub> q&#770;<sub>i</sub><sup>-1</sup>]<sub>q<sub>i</sub></sub> are the scaled residues of
     * the source, h<sub>i</sub> = q&#770;<sub>i</sub> mod p, v the per-coefficient quotient from
     * {@link #quotientEstimate} and c = -Q mod p. Residues y<sub>i</sub> below 2<sup>30</sup>; h<sub>i</sub>, c below
     * p; v at most k; 1 &lt;= k &lt;= 4 (the unreduced sum stays below 2<sup>63</sup>); p of 17 to 30 bits. Cost: k + 1
     * products per coefficient, one reduction.
     */
    void baseConvert(long[][] y, int k, long[] h, long[] v, long c, long[] z, Modulus p);

    /**
     * {@link #baseConvert} with z congruent to the same values but only reduced into [0, 3p): for a conversion whose
     * output goes straight into a forward NTT, which takes inputs in [0, 4p) ({@link NttKernel#forward}), the final
     * conditional subtractions are wasted. This default reduces fully (also valid).
     */
    default void baseConvertLazy(long[][] y, int k, long[] h, long[] v, long c, long[] z, Modulus p) {
        baseConvert(y, k, h, v, c, z, p);
    }

    /**
     * The quotient of an exact base conversion: v = &lfloor;f + 1/2&rfloor; with f = &Sigma;<sub>i&lt;k</sub>
     * y<sub>i</sub> &middot; qInv<sub>i</sub> summed in double precision in the order of i, one rounded product and
     * one rounded sum per term (no fused multiply-add), so that every implementation gives the same v. y<sub>i</sub>
     * below 2<sup>52</sup>.
     */
    void quotientEstimate(long[][] y, int k, double[] qInv, long[] v);

    /** z = x + y mod q for residues below q &lt; 2<sup>62</sup> (any prime of the engine); z may alias x or y. */
    void add(long[] x, long[] y, long[] z, long q);

    /** z = x - y mod q for residues below q &lt; 2<sup>62</sup>; z may alias x or y. */
    void sub(long[] x, long[] y, long[] z, long q);

    /** z = -x mod q for residues below q &lt; 2<sup>62</sup>; z may alias x. */
    void negate(long[] x, long[] z, long q);

    /** z = x + c mod q for every residue, c in [0, q), q &lt; 2<sup>62</sup>; z may alias x. */
    void addScalar(long[] x, long c, long[] z, long q);

    /**
     * z = x &middot; w mod q for w fixed in [0, q) and q &lt; 2<sup>30</sup> (Shoup's product with w' =
     * &lfloor;w 2<sup>32</sup>/q&rfloor;: two 32 x 32-bit products and a conditional subtraction per residue); z may
     * alias x.
     */
    void mulScalar(long[] x, long w, long[] z, Modulus q);

    /** acc = acc + x &middot; w mod q for w fixed in [0, q) and q &lt; 2<sup>30</sup> (Shoup, as {@link #mulScalar}). */
    void mulScalarAdd(long[] x, long w, long[] acc, Modulus q);

    /**
     * z = (x - t) &middot; w mod q where x is a residue below q &lt; 2<sup>30</sup> and t any value below 2<sup>30</sup>
     * (a residue of another prime: the step of Garner's mixed-radix conversion), w fixed in [0, q); z may alias x.
     */
    void subAnyMulScalar(long[] x, long[] t, long w, long[] z, Modulus q);

    /**
     * z = c mod q (in [0, q)) for integral doubles |c| &lt; 2<sup>52</sup> (the encoder's rounded coefficients) and
     * q &lt; 2<sup>30</sup>: the quotient rounded in double precision, the remainder by one fused multiply-add, which
     * is exact.
     */
    void reduceIntegralDoubles(double[] c, long[] z, Modulus q);

    /**
     * One decimation-in-time stage of a complex FFT over (re, im), in place: for every block of 2&middot;half entries
     * and j &lt; half, with a = block + j, b = a + half and v = x[b] &middot; w[j], x[a] = x[a] + v and x[b] = x[a] - v.
     * Products and sums rounded one by one (no fused multiply-add), as the scalar loop. half a multiple of 4.
     */
    void fftForwardStage(double[] re, double[] im, double[] twRe, double[] twIm, int half);

    /**
     * One decimation-in-frequency stage, in place: x[a] = x[a] + x[b], x[b] = (x[a] - x[b]) &middot; w[j] (the
     * inverse transform's butterfly), rounded as {@link #fftForwardStage}. half a multiple of 4.
     */
    void fftInverseStage(double[] re, double[] im, double[] twRe, double[] twIm, int half);

    /**
     * Discrete Gaussian samples from a cumulative table, in place and in constant time: each 64-bit draw d becomes
     * &plusmn;k with k = #{i : d &gt;&gt;&gt; 1 &gt; thresholds[i]} (every threshold compared with every draw, whatever the
     * values) and the sign from d's low bit (1: negative; k = 0 stays 0). thresholds[i] = CDT[i] - 1, all in [0, 2<sup>63</sup>).
     * Bit-identical to the scalar loop of {@link RlweSampler#gaussian(Prng, long[])}.
     */
    void cdtSample(long[] draws, long[] thresholds);

    /**
     * Rejection sampling's inner loop: for each draw r of draws[0 .. count), read as unsigned 32 bits, in order,
     * appends r mod q to z from index j if r &lt; t (t = floor(2<sup>32</sup>/q) q, so that the accepted residues are
     * uniform) and skips it otherwise. The caller guarantees room for every draw (j + count &le; z.length). Equal to
     * the scalar loop of {@link RlweSampler#uniform}.
     *
     * @return the index after the last residue written
     */
    int acceptAndReduce(int[] draws, int count, long t, long[] z, int j, Modulus q);

    /**
     * z = z + sign &middot; e mod q for residues z in [0, q), sign = &plusmn;1 and small signed e (|e| &lt; q is the
     * caller's to check, from the returned bound): the error a rescale adds in coefficient form.
     *
     * @return the bitwise OR of every |e<sub>j</sub>| (an upper bound of the largest; negative if some e<sub>j</sub> is
     *         Long.MIN_VALUE), for the caller's check
     */
    long addSigned(long[] z, long[] e, int sign, long q);
}
