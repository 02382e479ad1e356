/**
 * jckks arithmetic core: modular arithmetic, NTT-friendly primes, residue number systems, the negacyclic
 * NTT (scalar and Vector API kernels) and RLWE samplers. It knows nothing of CKKS.
 */
module io.github.jckks.math {
    requires static jdk.incubator.vector;
    requires static jdk.management;
    exports io.github.jckks.math;
}
