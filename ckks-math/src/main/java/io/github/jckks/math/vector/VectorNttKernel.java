package io.github.jckks.math.vector;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.NttKernel;
import io.github.jckks.math.NttKernels;
import io.github.jckks.math.NttTables;

/**
 * The Vector API NTT kernel that {@link NttKernels} loads when {@code jdk.incubator.vector} is readable and C2
 * is active: for primes q &lt; 2<sup>30</sup> (the neural-network workloads use 24- and 30-bit primes) and
 * N &gt;= 16 it runs {@link IntLaneNttKernel} (8 x 32-bit lanes, Harvey butterflies, 32-bit Shoup constants,
 * about 6x faster than the scalar kernel); for smaller N it runs the scalar loops. {@link #supports} is true
 * exactly for q &lt; 2<sup>30</sup>, so {@link io.github.jckks.math.RnsRing} gives larger primes to the scalar
 * kernel. Results are bit-identical to {@link io.github.jckks.math.ScalarNttKernel} (both return fully reduced
 * residues). Stateless, thread-safe, allocation-free after a one-time per-thread scratch array.
 */
public final class VectorNttKernel implements NttKernel {
    /**
     * @return whether this CPU offers at least 256-bit vectors (AVX2 or wider), which all jckks vector kernels
     * assume; below that the Vector API is emulated and slower than the scalar kernels
     */
    public static boolean hardwareSupported() {
        return jdk.incubator.vector.IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** The single instance (looked up reflectively by {@link NttKernels}). */
    public static final VectorNttKernel INSTANCE = new VectorNttKernel();

    /** The largest prime bit length handled. */
    public static final int MAX_BITS = IntLaneNttKernel.MAX_BITS;

    private VectorNttKernel() {
    }

    @Override
    public void forward(long[] a, NttTables tables) {
        IntLaneNttKernel.INSTANCE.forward(a, tables);
    }

    @Override
    public void inverse(long[] a, NttTables tables) {
        IntLaneNttKernel.INSTANCE.inverse(a, tables);
    }

    @Override
    public boolean supports(Modulus q) {
        return q.bits() <= MAX_BITS;
    }

    @Override
    public String name() {
        return "vector";
    }
}
