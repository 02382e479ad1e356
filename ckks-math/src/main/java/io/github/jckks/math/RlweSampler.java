package io.github.jckks.math;

/**
 * The distributions of Ring-LWE: uniform polynomials modulo Q, ternary secrets (uniform over {-1, 0, 1} or
 * of fixed Hamming weight) and the discrete Gaussian error of standard deviation 3.2 bounded at 6&sigma;
 * (the HomomorphicEncryption.org standard's parameters, as in SEAL), all drawn from a {@link Prng}.
 *
 * <p>Small distributions return signed coefficients ({@code long[N]}) that {@link RnsRing#setSigned} puts in
 * RNS form. Stateless; thread-safe as long as each thread uses its own Prng. Costs: O(N) per limb.
 */
public final class RlweSampler {
    /** Standard deviation of the error distribution. */
    public static final double SIGMA = 3.2;
    /** Largest error magnitude: floor(6 &sigma;). */
    public static final int ERROR_BOUND = 19;
    /** Cumulative table of |e| over 2^63: P(|e| &lt;= k) scaled. */
    private static final long[] CDT = buildCdt();

    private RlweSampler() {
    }

    /** Per-thread buffer of 32-bit draws for {@link #uniform}. */
    private static final ThreadLocal<int[]> DRAWS = ThreadLocal.withInitial(() -> new int[0]);

    /**
     * Fills every limb of {@code out} with residues uniform modulo its prime (rejection sampling, unbiased).
     * The form tag is left as it is: a uniform polynomial is uniform in either form, so keys and ciphertexts
     * sample their uniform part directly in NTT form.
     */
    public static void uniform(Prng prng, RnsRing ring, RnsPoly out) {
        for (int i = 0; i < out.limbCount(); i++) {
            long q = ring.modulus(i).value();
            long mask = -1L >>> Long.numberOfLeadingZeros(q - 1);
            long[] z = out.limb(i);
            if (q <= (1L << 32)) {
                // a 32-bit draw r is accepted below t = floor(2^32 / q) q (so r mod q is unbiased) and reduced:
                // one draw per residue but for a fraction below q / 2^32, where masking to bitlength(q) bits
                // would reject up to half the draws of a prime just above a power of two
                Modulus m = ring.modulus(i);
                long t = (1L << 32) / q * q;
                int[] draws = DRAWS.get();
                if (draws.length < z.length) {
                    draws = new int[z.length];
                    DRAWS.set(draws);
                }
                // the draws in bulk, in stream order; a rejected one (probability below q / 2^32) is replaced by
                // the next values of the stream, exactly as one draw at a time would
                PointwiseKernel fast = ModArith.fast();
                int j = 0;
                while (j < z.length) {
                    int need = z.length - j;
                    prng.nextInts(draws, 0, need);
                    j = fast != null ? fast.acceptAndReduce(draws, need, t, z, j, m) : acceptAndReduce(draws, need, t, z, j, m);
                }
            } else {
                for (int j = 0; j < z.length; j++) {
                    long r;
                    do {
                        r = prng.nextLong() & mask;
                    } while (r >= q);
                    z[j] = r;
                }
            }
        }
    }

    /**
     * The scalar {@link PointwiseKernel#acceptAndReduce}: appends r mod q to z from z[j] for each unsigned draw r of
     * draws[0 .. count) below t, in order.
     *
     * @return the index after the last residue written
     */
    static int acceptAndReduce(int[] draws, int count, long t, long[] z, int j, Modulus q) {
        for (int k = 0; k < count; k++) {
            long r = draws[k] & 0xFFFFFFFFL;
            if (r < t) {
                z[j++] = q.reduce(r);
            }
        }
        return j;
    }

    /**
     * The uniform polynomial a seed stands for (the c<sub>1</sub> of a seeded ciphertext), exactly
     * {@code uniform(new Prng(seed), ring, out)}, drawn from one generator per thread that is reseeded for each seed
     * ({@link Prng#reseed}: the cipher object outlives the seeds). Encryptors and readers of seeded ciphertexts call it
     * once per ciphertext.
     *
     * @throws IllegalArgumentException if the seed is not {@link Prng#SEED_BYTES} bytes
     */
    public static void uniformFromSeed(byte[] seed, RnsRing ring, RnsPoly out) {
        Prng expander = SEED_EXPANDERS.get();
        expander.reseed(seed);
        uniform(expander, ring, out);
    }

    /** One seed expander per thread (see {@link #uniformFromSeed}). */
    private static final ThreadLocal<Prng> SEED_EXPANDERS = ThreadLocal.withInitial(() -> new Prng(new byte[Prng.SEED_BYTES]));

    /** Per-thread buffer of byte draws for {@link #ternary(Prng, long[])}. */
    private static final ThreadLocal<byte[]> BYTES = ThreadLocal.withInitial(() -> new byte[0]);

    /** @return N coefficients uniform over {-1, 0, 1} */
    public static long[] ternary(Prng prng, int n) {
        long[] s = new long[n];
        ternary(prng, s);
        return s;
    }

    /**
     * Fills {@code out} with coefficients uniform over {-1, 0, 1}: one byte b per coefficient, b = 255 rejected, b mod 3
     * - 1. The bytes are drawn in bulk, in stream order, so the result equals one {@link Prng#nextByte} per draw.
     */
    public static void ternary(Prng prng, long[] out) {
        byte[] draws = BYTES.get();
        if (draws.length < out.length) {
            draws = new byte[out.length];
            BYTES.set(draws);
        }
        int j = 0;
        while (j < out.length) {
            int need = out.length - j;
            prng.nextBytes(draws, 0, need);
            for (int k = 0; k < need; k++) {
                int b = draws[k] & 0xFF;
                if (b != 255) {
                    out[j++] = b % 3 - 1;
                }
            }
        }
        java.util.Arrays.fill(draws, 0, out.length, (byte) 0);
    }

    /** @return N coefficients in {-1, 0, 1} with exactly h non-zero entries, uniformly placed, random signs */
    public static long[] ternaryHammingWeight(Prng prng, int n, int h) {
        if (h < 0 || h > n) {
            throw new IllegalArgumentException("Hamming weight " + h + " out of range [0, " + n + "]");
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        long[] s = new long[n];
        for (int i = 0; i < h; i++) {
            int j = i + (int) prng.nextLong(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            s[idx[i]] = (prng.nextByte() & 1) == 0 ? 1 : -1;
        }
        return s;
    }

    /** @return N coefficients from the discrete Gaussian of &sigma; = 3.2, |e| &lt;= 19 (cumulative table) */
    public static long[] gaussian(Prng prng, int n) {
        long[] e = new long[n];
        gaussian(prng, e);
        return e;
    }

    /**
     * Fills {@code out} with discrete Gaussian samples (&sigma; = 3.2, |e| &lt;= 19): one 64-bit draw per sample (the
     * draws in bulk, in stream order, as one {@link Prng#nextLong} each), its low bit the sign and the rest looked up
     * in the cumulative table ({@link PointwiseKernel#cdtSample}, in constant time). Cost: 8 bytes of key stream and
     * 19 comparisons per sample; about 7 us for N = 2048 on the SIMD kernel, half of it the key stream (10.5 us when
     * the table was compared threshold by threshold over the whole array).
     */
    public static void gaussian(Prng prng, long[] out) {
        prng.nextLongs(out, 0, out.length);
        PointwiseKernel fast = ModArith.fast();
        if (fast != null) {
            fast.cdtSample(out, THRESHOLDS);
        } else {
            cdtSampleScalar(out, THRESHOLDS);
        }
    }

    /**
     * The scalar {@link PointwiseKernel#cdtSample}: |e| = the number of thresholds CDT[i] - 1 below r (r = the draw
     * without its sign bit), every threshold compared with every draw (time independent of the samples);
     * threshold-major, so that the inner loop is a plain pass C2 vectorizes by itself (2.5x faster than a loop that
     * keeps each count in a register, sample after sample, and about 2x the SIMD kernel's time at N = 2048).
     */
    static void cdtSampleScalar(long[] out, long[] thresholds) {
        int n = out.length;
        long[] counts = COUNTS.get();
        if (counts.length < n) {
            counts = new long[n];
            COUNTS.set(counts);
        }
        // counts[0 .. n) is zero: it is cleared after use
        for (long t : thresholds) {
            for (int j = 0; j < n; j++) {
                counts[j] += (t - (out[j] >>> 1)) >>> 63;
            }
        }
        for (int j = 0; j < n; j++) {
            long sign = -(out[j] & 1);
            out[j] = (counts[j] ^ sign) - sign;
        }
        java.util.Arrays.fill(counts, 0, n, 0L); // no magnitudes left behind, and ready for the next call
    }

    /** Per-thread scratch of {@link #cdtSampleScalar}: the magnitudes being counted. */
    private static final ThreadLocal<long[]> COUNTS = ThreadLocal.withInitial(() -> new long[0]);

    /** CDT[i] - 1 for i &lt; {@link #ERROR_BOUND}: |e| is the number of these below a draw's 63 bits. */
    static final long[] THRESHOLDS = thresholds();

    private static long[] thresholds() {
        long[] t = new long[ERROR_BOUND];
        for (int i = 0; i < ERROR_BOUND; i++) {
            t[i] = CDT[i] - 1;
        }
        return t;
    }

    private static long[] buildCdt() {
        double[] w = new double[ERROR_BOUND + 1];
        double total = 0;
        for (int k = 0; k <= ERROR_BOUND; k++) {
            w[k] = Math.exp(-(double) k * k / (2 * SIGMA * SIGMA)) * (k == 0 ? 1 : 2);
            total += w[k];
        }
        long[] cdt = new long[ERROR_BOUND + 1];
        double acc = 0;
        for (int k = 0; k <= ERROR_BOUND; k++) {
            acc += w[k] / total;
            cdt[k] = k == ERROR_BOUND ? Long.MAX_VALUE : (long) (acc * 0x1p63);
        }
        return cdt;
    }
}
