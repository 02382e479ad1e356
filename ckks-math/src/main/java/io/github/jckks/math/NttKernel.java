package io.github.jckks.math;

/**
 * A negacyclic number-theoretic transform over Z<sub>q</sub>[X]/(X<sup>N</sup>+1), in place.
 *
 * <p>{@link #forward} maps coefficients (natural order) to evaluations in bit-reversed order;
 * {@link #inverse} undoes it, including the factor N<sup>-1</sup>. Outputs are fully reduced, in [0, q); inputs
 * too, except that {@link #forward} also takes residues only reduced into [0, 4q) (its lazy butterflies reduce them
 * on the way, as Harvey's do), so a producer that feeds it may skip its own final reduction. Implementations are stateless and thread-safe, and allocate nothing. Cost: (N/2) log2 N
 * butterflies each way. Obtain the active implementation from {@link NttKernels#get()}.
 */
public interface NttKernel {
    /** Forward NTT of {@code a} (length N, values in [0, 4q); [0, q) out) in place. */
    void forward(long[] a, NttTables tables);

    /** Inverse NTT of {@code a} (length N, values in [0, q)) in place. */
    void inverse(long[] a, NttTables tables);

    /** @return whether this kernel supports the prime of {@code tables} (else callers use the scalar kernel) */
    boolean supports(Modulus q);

    /** @return a short name, e.g. "scalar" or "vector" */
    String name();
}
