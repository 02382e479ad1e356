/**
 * The arithmetic core of jckks: modular arithmetic on word-sized primes, NTT-friendly prime generation, residue
 * number systems, the negacyclic number-theoretic transform over Z<sub>q</sub>[X]/(X<sup>N</sup>+1), and the
 * random distributions of Ring-LWE. It knows nothing of CKKS: encoding, keys and ciphertexts live in the
 * scheme module on top of it.
 *
 * <h2>Main types</h2>
 * <ul>
 *   <li>{@link io.github.jckks.math.Modulus}: a modulus 2 &lt;= q &lt; 2<sup>61</sup> with Barrett (64- and
 *       128-bit) and Shoup constants; add, sub, mul, pow, inverse, centring. {@link io.github.jckks.math.ModArith}
 *       holds the element-wise loops over one limb built on it.</li>
 *   <li>{@link io.github.jckks.math.Primes}: deterministic Miller-Rabin below 2<sup>61</sup> and deterministic
 *       generation of primes q &equiv; 1 (mod 2N) (largest first, near a power of two, or as a chain of bit
 *       sizes), and the canonical primitive 2N-th root of unity.</li>
 *   <li>{@link io.github.jckks.math.RnsBasis}: distinct primes q<sub>0</sub>&hellip;q<sub>k-1</sub> with product
 *       Q, and the BigInteger CRT composition / decomposition used by tests and reference paths.</li>
 *   <li>{@link io.github.jckks.math.RnsPoly}: a polynomial as one {@code long[N]} of residues per prime
 *       ("limb"), tagged as coefficient or NTT form; {@link io.github.jckks.math.RnsRing} does all the
 *       arithmetic on it: transforms, additions, pointwise and scalar products, Galois automorphisms
 *       X &rarr; X<sup>g</sup> and the RNS rescale (rounded division by the last prime).</li>
 *   <li>{@link io.github.jckks.math.BasisExtension}: fast base conversion between RNS bases (ModUp / ModDown
 *       of hybrid key switching), approximate or exact; {@link io.github.jckks.math.MixedRadix}: RNS residues
 *       to a centred double without BigInteger; {@link io.github.jckks.math.ComplexFft}: the stages of a complex
 *       FFT (the CKKS encoder's special FFT is built from them).</li>
 *   <li>{@link io.github.jckks.math.PointwiseKernel}: the element-wise loops a SIMD implementation speeds up
 *       (products, lazy sums, base conversion, Garner's step, additions, FFT stages), obtained from
 *       {@link io.github.jckks.math.ModArith#fast()} when the Vector API kernels run; the callers keep scalar
 *       loops with the same results for the other cases.</li>
 *   <li>{@link io.github.jckks.math.NttTables}, {@link io.github.jckks.math.NttKernel},
 *       {@link io.github.jckks.math.ScalarNttKernel}, {@link io.github.jckks.math.NttKernels}: twiddle tables
 *       and the transform implementations.</li>
 *   <li>{@link io.github.jckks.math.Prng} (AES-256-CTR expanded from a 32-byte seed) and
 *       {@link io.github.jckks.math.RlweSampler} (uniform, ternary, fixed Hamming weight, discrete Gaussian of
 *       &sigma; = 3.2 bounded by 19).</li>
 * </ul>
 *
 * <h2>Conventions</h2>
 * Residues are always fully reduced, in [0, q); signed values enter through
 * {@link io.github.jckks.math.Modulus#reduceSigned} or {@link io.github.jckks.math.RnsRing#setSigned}. The
 * forward NTT takes coefficients in natural order to evaluations a(&psi;<sup>2&middot;brv(j)+1</sup>) stored at
 * index j, i.e. in bit-reversed order, so pointwise products are negacyclic products. A polynomial with k limbs
 * lives modulo the first k primes of its ring, so one {@code RnsRing} serves every CKKS level.
 *
 * <h2>Which NTT kernel runs</h2>
 * {@link io.github.jckks.math.NttKernels#get()} chooses once per JVM. The Vector API kernel
 * ({@code io.github.jckks.math.vector.VectorNttKernel}, for primes below 2<sup>30</sup>) is used when the
 * JVM was started with {@code --add-modules jdk.incubator.vector} and the C2 compiler is active; otherwise the
 * portable {@link io.github.jckks.math.ScalarNttKernel}, which handles every prime below 2<sup>61</sup>, is
 * used. An {@link io.github.jckks.math.RnsRing} gives primes the active kernel does not support to the scalar
 * kernel, and both kernels return bit-identical results. The system property {@code -Djckks.ntt=scalar} or
 * {@code -Djckks.ntt=vector} forces the choice ({@code auto}, the default, decides as above; forcing
 * {@code vector} when it is unavailable is an error). The choice is logged once at INFO level through the
 * {@link java.lang.System.Logger} named {@code io.github.jckks.math}.
 *
 * <h2>Thread safety</h2>
 * {@code Modulus}, {@code RnsBasis}, {@code NttTables}, the kernels, {@code RnsRing} and {@code BasisExtension}
 * are immutable and safe to share between threads (per-thread scratch arrays where needed). {@code RnsPoly} is a
 * mutable holder and {@code Prng} is stateful: use one per thread.
 */
package io.github.jckks.math;
