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
    void mulAdd(long[] x, long[] y, long[] acc, Modulus q);

    /** z = (x - t) &middot; w mod q for residues below q &lt; 2<sup>30</sup>, w fixed in [0, q). */
    void subMulScalar(long[] x, long[] t, long w, long[] z, Modulus q);

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

    /** acc = acc mod q for acc in [0, 2<sup>63</sup>), q of 17 to 30 bits. */
    void reduce(long[] acc, Modulus q);
}
