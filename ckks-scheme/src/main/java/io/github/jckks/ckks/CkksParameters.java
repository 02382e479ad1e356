package io.github.jckks.ckks;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.Primes;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Immutable, validated RNS-CKKS parameters: ring degree N = 2<sup>logN</sup>, the chain of data primes
 * q<sub>0</sub>&hellip;q<sub>L</sub> (a ciphertext at level l lives modulo q<sub>0</sub>&hellip;q<sub>l</sub>, and each
 * rescale drops the last prime), the special primes p<sub>0</sub>&hellip;p<sub>k-1</sub> of hybrid key
 * switching (product P), the number of data primes per key-switching digit, the composite degree d (the
 * number of primes one rescale divides by) and the default scale &Delta;.
 *
 * <p><b>Composite scaling.</b> With d &gt; 1 (OpenFHE's "composite scaling") a scale of 2<sup>40</sup> is carried by
 * d primes of about 40/d bits, and {@code Evaluator.rescale} divides by the product of the last d primes at once:
 * the chains of native 64-bit libraries (SEAL's {60, 40, 40} + {60}) run on primes the 30-bit SIMD kernels take.
 * A level is still one prime: a rescale lowers it by d. {@link #seal8192Composite()} and
 * {@link #general16384Composite()} are SEAL's default chains in this form.
 *
 * <p><b>No special prime (k = 0).</b> The special-prime list may be empty (SEAL's single-prime chain, Lattigo's empty
 * P): the parameters then {@linkplain #supportsKeySwitching() support no key switching}: no relinearization, rotation
 * or conjugation key can be made, a product stays three-part (it decrypts with s<sup>2</sup>), and the digit size is
 * 0. Everything else works: encryption (public-key encryption then works modulo Q<sub>l</sub> only, with noise not
 * divided by P), additions, plaintext and scalar products, ciphertext products, rescaling. All the modulus goes to
 * data: at N = 2048 the 54 bits of the 128-bit bound hold data primes {30, 24}.
 *
 * <p>Construction refuses any set whose total modulus log2(QP) exceeds the HomomorphicEncryption.org bound for
 * N at the requested {@link SecurityLevel} (128-bit by default) unless {@link SecurityLevel#INSECURE_TESTS_ONLY}
 * is named. Use {@link #builder()} or a preset ({@link #cryptoNets()}, {@link #clientAided4096()},
 * {@link #general16384()}, {@link #seal8192()}).
 */
public final class CkksParameters {
    private final int logN;
    private final long[] dataPrimes;
    private final long[] specialPrimes;
    private final int digitSize;
    /** Key-switching digit j holds data primes [digitStarts[j], digitStarts[j + 1]); empty when k = 0. */
    private final int[] digitStarts;
    private final int compositeDegree;
    private final double defaultScale;
    private final SecurityLevel security;
    private final byte[] fingerprint;

    private CkksParameters(int logN, long[] dataPrimes, long[] specialPrimes, int[] digitCounts, int compositeDegree,
                           double defaultScale, SecurityLevel security) {
        if (logN < 1 || logN > 17) {
            throw new IllegalArgumentException("logN " + logN + " out of range [1, 17]");
        }
        if (dataPrimes.length == 0) {
            throw new IllegalArgumentException("at least one data prime is needed");
        }
        Set<Long> seen = new HashSet<>();
        for (long[] set : new long[][] {dataPrimes, specialPrimes}) {
            for (long p : set) {
                if (p >= (1L << Modulus.MAX_BITS)) {
                    throw new IllegalArgumentException("prime " + p + " exceeds " + Modulus.MAX_BITS + " bits");
                }
                Primes.requireNttFriendly(p, logN);
                if (!seen.add(p)) {
                    throw new IllegalArgumentException("prime " + p + " appears twice among data and special primes");
                }
            }
        }
        if (specialPrimes.length == 0 && digitCounts.length != 0) {
            throw new IllegalArgumentException("digits " + Arrays.toString(digitCounts) + " with no special prime: key "
                    + "switching is disabled, so there must be no digit");
        }
        int covered = 0;
        int widest = 0;
        for (int c : digitCounts) {
            if (c < 1) {
                throw new IllegalArgumentException("key-switching digits " + Arrays.toString(digitCounts)
                        + ": every digit needs at least one prime");
            }
            if (c > dataPrimes.length - covered) {
                throw new IllegalArgumentException("key-switching digits " + Arrays.toString(digitCounts) + " cover more "
                        + "than the " + dataPrimes.length + " data primes");
            }
            covered += c;
            widest = Math.max(widest, c);
        }
        if (specialPrimes.length > 0 && covered != dataPrimes.length) {
            throw new IllegalArgumentException("key-switching digits " + Arrays.toString(digitCounts) + " cover "
                    + covered + " primes, but there are " + dataPrimes.length + " data primes");
        }
        if (compositeDegree < 1 || compositeDegree > Math.max(1, dataPrimes.length - 1)) {
            throw new IllegalArgumentException("composite degree " + compositeDegree + " out of range [1, "
                    + Math.max(1, dataPrimes.length - 1) + "]: a rescale divides by that many primes and must leave one");
        }
        if (compositeDegree > 1 && dataPrimes.length % compositeDegree != 0) {
            throw new IllegalArgumentException("composite degree " + compositeDegree + " with " + dataPrimes.length
                    + " data primes: every level, q0's included, is " + compositeDegree + " primes, so their number must "
                    + "be a multiple of " + compositeDegree);
        }
        if (!(defaultScale >= 2) || Double.isInfinite(defaultScale)) {
            throw new IllegalArgumentException("default scale " + defaultScale + " must be a finite number >= 2");
        }
        if (Math.log(defaultScale) / Math.log(2) >= totalBits(dataPrimes)) {
            throw new IllegalArgumentException("default scale 2^" + log2(defaultScale) + " does not fit the data modulus of "
                    + totalBits(dataPrimes) + " bits");
        }
        int total = totalBits(dataPrimes) + totalBits(specialPrimes);
        if (security != SecurityLevel.INSECURE_TESTS_ONLY) {
            int max = security.maxModulusBits(logN);
            if (max < 0) {
                throw new IllegalArgumentException("the HomomorphicEncryption.org standard gives no " + security.bits()
                        + "-bit bound for N = 2^" + logN + " (it covers 2^10..2^15); use SecurityLevel.INSECURE_TESTS_ONLY for tests");
            }
            if (total > max) {
                throw new IllegalArgumentException("parameters below " + security.bits() + "-bit security: log2(QP) = " + total
                        + " bits exceeds the HomomorphicEncryption.org bound of " + max + " bits for N = 2^" + logN
                        + "; use fewer or smaller primes, a larger N, or SecurityLevel.INSECURE_TESTS_ONLY for tests");
            }
        }
        this.logN = logN;
        this.dataPrimes = dataPrimes.clone();
        this.specialPrimes = specialPrimes.clone();
        this.digitSize = widest;
        this.digitStarts = new int[digitCounts.length + 1];
        for (int j = 0; j < digitCounts.length; j++) {
            digitStarts[j + 1] = digitStarts[j] + digitCounts[j];
        }
        this.compositeDegree = compositeDegree;
        this.defaultScale = defaultScale;
        this.security = security;
        this.fingerprint = computeFingerprint();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * CryptoNets-like shallow circuits, as nGraph-HE2: N = 8192, data primes {30, 24, 24, 24, 24, 24} (the
     * 24-bit ones alternate just above and below 2<sup>24</sup>, so three are 25-bit), one 30-bit special prime
     * (183 bits, 128-bit secure), scale 2<sup>24</sup>: five levels.
     */
    public static CkksParameters cryptoNets() {
        return builder().logN(13).dataPrimeBits(30, 24, 24, 24, 24, 24).specialPrimeBits(30).scale(0x1p24).build();
    }

    /**
     * Client-aided networks (activations computed by the client, so little depth between refreshes): N = 4096,
     * data primes {30, 22, 22} (near 2<sup>22</sup>), special prime 30, scale 2<sup>22</sup> (about 105 bits, 128-bit
     * secure).
     */
    public static CkksParameters clientAided4096() {
        return builder().logN(12).dataPrimeBits(30, 22, 22).specialPrimeBits(30).scale(0x1p22).build();
    }

    /** A general set: N = 16384, data primes {60, 40 x 6}, special prime 60, scale 2<sup>40</sup> (360 bits). */
    public static CkksParameters general16384() {
        return builder().logN(14).dataPrimeBits(60, 40, 40, 40, 40, 40, 40).specialPrimeBits(60).scale(0x1p40).build();
    }

    /** SEAL's default CKKS example at N = 8192: {60, 40, 40} and special prime 60, scale 2<sup>40</sup>. */
    public static CkksParameters seal8192() {
        return builder().logN(13).dataPrimeBits(60, 40, 40).specialPrimeBits(60).scale(0x1p40).build();
    }

    /**
     * {@link #seal8192()} with composite scaling (d = 2) on primes the SIMD kernels take: q<sub>0</sub> = 60 bits as
     * two 30-bit primes, each 40-bit level as two primes of 17 to 24 bits whose product is near 2<sup>40</sup>,
     * P = 60 bits as two 30-bit primes, digits of two primes (three digits at the top, as SEAL's three). Scale
     * 2<sup>40</sup>, two rescales, about 200 bits, 128-bit secure.
     */
    public static CkksParameters seal8192Composite() {
        return builder().logN(13).dataPrimeBits(30, 30, 20, 20, 20, 20).specialPrimeBits(30, 30).digitSize(2)
                .compositeDegree(2).scale(0x1p40).build();
    }

    /**
     * {@link #general16384()} with composite scaling (d = 2): q<sub>0</sub> as two 30-bit primes, six levels of two
     * primes whose product is near 2<sup>40</sup>, P as two 30-bit primes, digits of two primes. Scale
     * 2<sup>40</sup>, six rescales, about 360 bits.
     */
    public static CkksParameters general16384Composite() {
        return builder().logN(14).dataPrimeBits(30, 30, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20)
                .specialPrimeBits(30, 30).digitSize(2).compositeDegree(2).scale(0x1p40).build();
    }

    /**
     * {@link #general16384Composite()} with its key-switching digits <b>balanced by bits</b>: q<sub>0</sub>'s two
     * primes, then four digits of three primes (60.4 to 60.9 bits each, below 2P; P spans 60.0) instead of six
     * pairs of 40 bits. The same primes, with the levels in the order that keeps every three-prime digit below 2P
     * and, among those, lets the scale drift least over a chain of products (a 2<sup>39.98</sup> level at the top).
     *
     * <p>Trade-off, measured at this N: five digits instead of seven make a key switch (relinearize, rotate,
     * conjugate) about 12% faster (112 instead of 144 NTTs at the top level, 80 instead of 112 limb passes of the key
     * products), and its noise about 3.4 times larger (the root-sum-square of Q<sub>j</sub>/P over five digits near or
     * above P, against one digit near P): rotations and conjugations lose about 1.7 bits of precision (mean absolute
     * error 2.5e-8 instead of 7.6e-9 at scale 2<sup>40</sup>, where SEAL's {60, 40 x 6} + {60} chain matches the
     * uniform digits), and this level order lets the scale drift further over a chain of products than
     * general16384Composite's from the default scale (x<sup>64</sup>: max error 3.3e-4 instead of 2.9e-6; from
     * {@link CkksContext#levelScale}, no drift in either: 6.3e-7 and 5.9e-7). Relinearizations lose nothing
     * measurable: their noise lands at the product's scale &Delta;<sup>2</sup>, far below a rescale's rounding.
     */
    public static CkksParameters general16384CompositeBalanced() {
        return builder().logN(14)
                .dataPrimes(1073643521L, 1073479681L, // q_0: 60 bits
                        786433L, 2424833L, 1146881L, 1769473L, 163841L, 6684673L, // levels 1-3 (2^40.79, 2^40.88, 2^39.99)
                        557057L, 2654209L, 1179649L, 1376257L, 65537L, 16580609L) // levels 4-6 (2^40.43, 2^40.56, 2^39.98)
                .specialPrimeBits(30, 30).digitPrimeCounts(2, 3, 3, 3, 3).compositeDegree(2).scale(0x1p40).build();
    }

    /** @return log2 N */
    public int logN() {
        return logN;
    }

    /** @return the ring degree N */
    public int n() {
        return 1 << logN;
    }

    /** @return the number of complex slots, N/2 */
    public int slots() {
        return 1 << (logN - 1);
    }

    /** @return a copy of the data primes q<sub>0</sub>&hellip;q<sub>L</sub> */
    public long[] dataPrimes() {
        return dataPrimes.clone();
    }

    /** @return a copy of the special primes (empty when key switching is disabled, see {@link #supportsKeySwitching()}) */
    public long[] specialPrimes() {
        return specialPrimes.clone();
    }

    /**
     * Whether these parameters allow key switching: true when there is at least one special prime (k &gt; 0). With
     * k = 0 (built with an empty {@link Builder#specialPrimeBits(int...)} or {@link Builder#specialPrimes(long...)})
     * no relinearization, Galois or conjugation key exists: {@link KeyGenerator} refuses to make one, products stay
     * three-part and rotations are impossible; encryption, decryption, additions, plaintext, scalar and ciphertext
     * products and rescaling all work. Cost: O(1).
     *
     * @return k &gt; 0
     */
    public boolean supportsKeySwitching() {
        return specialPrimes.length > 0;
    }

    /** @return L, the highest level (number of data primes - 1) */
    public int maxLevel() {
        return dataPrimes.length - 1;
    }

    /**
     * @return the number of data primes per key-switching digit (&alpha;), the widest digit's when the digits differ
     *         ({@link Builder#digitPrimeCounts}); 0 when there is no special prime
     */
    public int digitSize() {
        return digitSize;
    }

    /**
     * @return whether every digit but the last holds {@link #digitSize()} primes (the last holds the rest), as
     *         {@link Builder#digitSize(int)} makes them; true without special primes
     */
    public boolean uniformDigits() {
        for (int j = 0; j + 1 < digitCount(); j++) {
            if (digitStarts[j + 1] - digitStarts[j] != digitSize) {
                return false;
            }
        }
        return true;
    }

    /** @return the number of key-switching digits at the top level (ceil((L+1)/&alpha;) for uniform digits); 0 when there is no special prime */
    public int digitCount() {
        return digitStarts.length - 1;
    }

    /** @return a copy of the number of data primes in each key-switching digit, digit 0 (holding q<sub>0</sub>) first */
    public int[] digitPrimeCounts() {
        int[] c = new int[digitCount()];
        for (int j = 0; j < c.length; j++) {
            c[j] = digitStarts[j + 1] - digitStarts[j];
        }
        return c;
    }

    /**
     * @return the index of the first data prime of key-switching digit j, for j in [0, {@link #digitCount()})
     * @throws IllegalArgumentException for j outside that range
     */
    public int digitStart(int j) {
        checkDigit(j);
        return digitStarts[j];
    }

    /**
     * @return one past the index of the last data prime of key-switching digit j, for j in [0, {@link #digitCount()})
     * @throws IllegalArgumentException for j outside that range
     */
    public int digitEnd(int j) {
        checkDigit(j);
        return digitStarts[j + 1];
    }

    private void checkDigit(int j) {
        if (j < 0 || j >= digitCount()) {
            throw new IllegalArgumentException("digit " + j + " outside [0, " + digitCount() + ")");
        }
    }

    /**
     * @return the composite degree d: the number of primes a rescale divides by (1 for the usual chains, 2 for
     *         {@link #seal8192Composite()})
     */
    public int compositeDegree() {
        return compositeDegree;
    }

    /** @return the default scale &Delta; */
    public double defaultScale() {
        return defaultScale;
    }

    /** @return the security level asked for */
    public SecurityLevel security() {
        return security;
    }

    /** @return the standard security level actually met by log2(QP) at this N */
    public SecurityLevel achievedSecurity() {
        return SecurityLevel.of(logN, totalModulusBits());
    }

    /**
     * @return the total bit count of all primes, data and special (SEAL's total_coeff_modulus_bit_count): the data
     *         primes alone when there is no special prime
     */
    public int totalModulusBits() {
        return totalBits(dataPrimes) + totalBits(specialPrimes);
    }

    /**
     * @return SHA-256 of N, the primes, the digit size and (when above 1) the composite degree: identifies compatible
     *         keys and ciphertexts (a copy)
     */
    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    /** @return whether {@code other} has this set's {@link #fingerprint()} (compatible keys, plaintexts, ciphertexts); no copy */
    boolean sameFingerprint(CkksParameters other) {
        return other == this || Arrays.equals(fingerprint, other.fingerprint);
    }

    private byte[] computeFingerprint() {
        // d = 1 and uniform digits keep the fingerprints of the usual chains; other digits add their prime counts
        int[] counts = uniformDigits() ? new int[0] : digitPrimeCounts();
        int extra = (compositeDegree > 1 ? 4 : 0) + 4 * counts.length;
        ByteBuffer b = ByteBuffer.allocate(16 + extra + 8 * (dataPrimes.length + specialPrimes.length));
        b.putInt(logN).putInt(dataPrimes.length).putInt(specialPrimes.length).putInt(uniformDigits() ? digitSize : 0);
        if (compositeDegree > 1) {
            b.putInt(compositeDegree);
        }
        for (int c : counts) {
            b.putInt(c);
        }
        for (long p : dataPrimes) {
            b.putLong(p);
        }
        for (long p : specialPrimes) {
            b.putLong(p);
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(b.array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int totalBits(long[] primes) {
        int s = 0;
        for (long p : primes) {
            s += 64 - Long.numberOfLeadingZeros(p);
        }
        return s;
    }

    private static String log2(double x) {
        return String.format("%.1f", Math.log(x) / Math.log(2));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CkksParameters p && p.logN == logN && Arrays.equals(p.dataPrimes, dataPrimes)
                && Arrays.equals(p.specialPrimes, specialPrimes) && Arrays.equals(p.digitStarts, digitStarts)
                && p.compositeDegree == compositeDegree
                && Double.compare(p.defaultScale, defaultScale) == 0 && p.security == security;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fingerprint);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CKKS(N=2^").append(logN).append(", data primes {");
        for (int i = 0; i < dataPrimes.length; i++) {
            sb.append(i == 0 ? "" : ",").append(64 - Long.numberOfLeadingZeros(dataPrimes[i]));
        }
        sb.append("} bits, special {");
        for (int i = 0; i < specialPrimes.length; i++) {
            sb.append(i == 0 ? "" : ",").append(64 - Long.numberOfLeadingZeros(specialPrimes[i]));
        }
        sb.append(specialPrimes.length == 0 ? "} (no key switching)" : "}");
        if (compositeDegree > 1) {
            sb.append(", composite degree ").append(compositeDegree);
        }
        if (!uniformDigits()) {
            sb.append(", digits ").append(Arrays.toString(digitPrimeCounts()));
        }
        sb.append(", log2 QP = ").append(totalModulusBits()).append(", scale 2^").append(log2(defaultScale))
                .append(", security ").append(achievedSecurity() == SecurityLevel.INSECURE_TESTS_ONLY ? "NONE (insecure)"
                        : achievedSecurity().bits() + "-bit").append(")");
        return sb.toString();
    }

    /**
     * Builds {@link CkksParameters}. Primes are given either explicitly or by bit size; sized primes are
     * generated deterministically: the first data prime and the special primes as the largest NTT-friendly
     * primes of their size, the other data primes as close as possible to 2<sup>bits</sup> (alternately above
     * and below) when their size equals log2 of the scale, so rescaled scales stay near &Delta;.
     *
     * <p>The special primes must be set, but may be set to none: {@code specialPrimeBits()} with no argument builds
     * parameters without key switching (k = 0, see {@link CkksParameters#supportsKeySwitching()}); the digit size is
     * then 0 and {@link #digitSize(int)} is ignored, and the security bound applies to the data primes alone. For
     * example, N = 2048 with data primes {30, 24} (54 bits, exactly the 128-bit bound) and scale 2<sup>21</sup>:
     * {@code CkksParameters.builder().logN(11).dataPrimeBits(30, 24).specialPrimeBits().scale(0x1p21).build()}.
     */
    public static final class Builder {
        private int logN = -1;
        private int[] dataBits;
        private int[] specialBits;
        private long[] dataPrimes;
        private long[] specialPrimes;
        private int digitSize = -1;
        private int[] digitCounts;
        private int compositeDegree = 1;
        private double scale = -1;
        private SecurityLevel security = SecurityLevel.BITS_128;

        private Builder() {
        }

        /** Sets log2 N. */
        public Builder logN(int logN) {
            this.logN = logN;
            return this;
        }

        /** Data primes by bit size, q<sub>0</sub> first. */
        public Builder dataPrimeBits(int... bits) {
            this.dataBits = bits.clone();
            this.dataPrimes = null;
            return this;
        }

        /** Special primes by bit size; none (no argument) disables key switching (k = 0). */
        public Builder specialPrimeBits(int... bits) {
            this.specialBits = bits.clone();
            this.specialPrimes = null;
            return this;
        }

        /** Explicit data primes, q<sub>0</sub> first. */
        public Builder dataPrimes(long... primes) {
            this.dataPrimes = primes.clone();
            this.dataBits = null;
            return this;
        }

        /** Explicit special primes; none (no argument) disables key switching (k = 0). */
        public Builder specialPrimes(long... primes) {
            this.specialPrimes = primes.clone();
            this.specialBits = null;
            return this;
        }

        /**
         * Data primes per key-switching digit (default: the number of special primes, capped at L+1). Ignored when
         * there is no special prime: the digit size is then 0.
         */
        public Builder digitSize(int alpha) {
            this.digitSize = alpha;
            this.digitCounts = null;
            return this;
        }

        /**
         * Key-switching digits of different widths: digit j holds the next {@code counts[j]} data primes, q<sub>0</sub>
         * first; the counts must add up to L+1. Balancing the digits by bits instead of by prime count lowers their
         * number (a digit of w primes costs, per key switch at level l, a basis extension from w primes, l + 1 - w + k
         * forward NTTs and l + 1 + k limb passes of two lazy products each):
         * with 20- and 30-bit primes under a 60-bit P, digits {30, 30} and {20, 20, 20} instead of pairs, as
         * {@link CkksParameters#general16384CompositeBalanced()}. Key generation refuses a digit wider than 2P (its
         * key-switching noise would grow past the rest). Ignored when there is no special prime.
         */
        public Builder digitPrimeCounts(int... counts) {
            this.digitCounts = counts.clone();
            this.digitSize = -1;
            return this;
        }

        /**
         * The number of primes one rescale divides by (default 1). With d = 2, data primes (after the first two)
         * sized log2(&Delta;)/2 are generated in pairs whose products lie as close as possible to &Delta;
         * ({@link Primes#nttPrimePairsNear}); with d &gt; 2, near 2<sup>log2(&Delta;)/d</sup>, alternately above and
         * below.
         */
        public Builder compositeDegree(int d) {
            this.compositeDegree = d;
            return this;
        }

        /**
         * The default scale &Delta; (default, with q<sub>1</sub> or q<sub>0</sub> if alone: 2 to its bit size when the primes
         * are given by size, the power of two nearest it when they are given explicitly).
         */
        public Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        /** The security level to enforce (default 128-bit). */
        public Builder security(SecurityLevel level) {
            this.security = level;
            return this;
        }

        /** Disables the security check: tiny rings for unit tests only. */
        public Builder insecureForTestsOnly() {
            this.security = SecurityLevel.INSECURE_TESTS_ONLY;
            return this;
        }

        /**
         * @return the validated parameters
         * @throws IllegalArgumentException naming the problem (insecure, not NTT-friendly, duplicate prime, ...)
         */
        public CkksParameters build() {
            if (logN < 0) {
                throw new IllegalArgumentException("logN not set");
            }
            if (dataPrimes == null && dataBits == null) {
                throw new IllegalArgumentException("data primes not set");
            }
            if (specialPrimes == null && specialBits == null) {
                throw new IllegalArgumentException("special primes not set (specialPrimeBits() with no argument: none, "
                        + "which disables key switching)");
            }
            double s = scale;
            if (s < 0) {
                // sized primes: their bit size; explicit primes: the power of two nearest q1 (log scale)
                int bits = dataBits != null ? dataBits[Math.min(1, dataBits.length - 1)]
                        : (int) Math.round(Math.log(dataPrimes[Math.min(1, dataPrimes.length - 1)]) / Math.log(2));
                s = Math.scalb(1.0, bits);
            }
            long[] q = dataPrimes;
            long[] p = specialPrimes;
            if (q == null || p == null) {
                Set<Long> used = new HashSet<>();
                if (q != null) {
                    for (long x : q) {
                        used.add(x);
                    }
                }
                if (p != null) {
                    for (long x : p) {
                        used.add(x);
                    }
                }
                int scaleBits = (int) Math.round(Math.log(s) / Math.log(2));
                if (q == null) {
                    q = generate(dataBits, used, scaleBits, true);
                }
                if (p == null) {
                    p = generate(specialBits, used, scaleBits, false);
                }
            }
            int[] counts = p.length == 0 ? new int[0] : digitCounts != null ? digitCounts
                    : uniformDigits(q.length, digitSize != -1 ? digitSize : Math.min(p.length, q.length));
            return new CkksParameters(logN, q, p, counts, compositeDegree, s, security);
        }

        private static int[] uniformDigits(int primes, int alpha) {
            if (alpha < 1 || alpha > primes) {
                throw new IllegalArgumentException("digit size " + alpha + " out of range [1, " + primes + "]");
            }
            int[] counts = new int[(primes + alpha - 1) / alpha];
            for (int j = 0; j < counts.length; j++) {
                counts[j] = Math.min(alpha, primes - j * alpha);
            }
            return counts;
        }

        private long[] generate(int[] bits, Set<Long> used, int scaleBits, boolean data) {
            long[] out = new long[bits.length];
            List<Integer> nearIdx = new ArrayList<>();
            // composite scaling: each prime of a level carries 1/d of the scale's bits
            int d = compositeDegree;
            int primeBits = d > 1 && scaleBits % d == 0 ? scaleBits / d : scaleBits;
            int firstNear = Math.max(1, d);
            for (int i = 0; i < bits.length; i++) {
                if (data && i >= firstNear && bits[i] == primeBits) {
                    nearIdx.add(i);
                }
            }
            if (d == 2 && primeBits != scaleBits && nearIdx.size() % 2 == 0 && !nearIdx.isEmpty()) {
                // pairs whose products lie near 2^scaleBits (there are too few primes of exactly scaleBits / 2 bits
                // at large N); each pair sits at consecutive indices, so one rescale divides by one pair
                // closest pair at the top: a rescale divides by the top pair first, and in a chain of products its
                // distance to the scale compounds most (e_(l-1) = 2 e_l - delta_l in log2 of the scale)
                long[] pairs = Primes.nttPrimePairsNear(scaleBits, logN, nearIdx.size() / 2, used);
                int count = pairs.length / 2;
                for (int p = 0; p < count; p++) {
                    int slot = count - 1 - p;
                    out[nearIdx.get(2 * slot)] = pairs[2 * p];
                    out[nearIdx.get(2 * slot + 1)] = pairs[2 * p + 1];
                    used.add(pairs[2 * p]);
                    used.add(pairs[2 * p + 1]);
                }
                nearIdx.clear();
            }
            if (!nearIdx.isEmpty()) {
                long[] near = Primes.nttPrimesNear(primeBits, logN, nearIdx.size(), used);
                for (int k = 0; k < near.length; k++) {
                    out[nearIdx.get(k)] = near[k];
                    used.add(near[k]);
                }
            }
            for (int i = 0; i < bits.length; i++) {
                if (out[i] == 0) {
                    out[i] = Primes.nttPrimes(bits[i], logN, 1, used)[0];
                    used.add(out[i]);
                }
            }
            return out;
        }
    }
}
