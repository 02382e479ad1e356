package io.github.jckks.ckks;

import io.github.jckks.math.ComplexFft;
import io.github.jckks.math.MixedRadix;
import io.github.jckks.math.ModArith;
import io.github.jckks.math.Modulus;
import io.github.jckks.math.PointwiseKernel;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;

/**
 * The CKKS encoder: the canonical embedding &sigma; between N/2 complex slots and real polynomials of
 * R = Z[X]/(X<sup>N</sup>+1). Slot j holds m(&zeta;<sup>5<sup>j</sup></sup>) / &Delta; with &zeta; = e<sup>i&pi;/N</sup>;
 * encoding computes m = round(&Delta; &middot; &sigma;<sup>-1</sup>(z)) with the O(N log N) special FFT of
 * Cheon-Kim-Kim-Song (HEAAN), then reduces it modulo each prime of the level and transforms it to NTT form
 * (depth-aware encoding: the plaintext is made at the level it will meet).
 *
 * <p>Real vectors fill the real parts of the slots; complex packing ({@link #encodeComplexPacked}) puts a second
 * real vector in the imaginary parts, doubling the batch. Constants need no encoder: the evaluator's scalar
 * methods encode a constant as one residue per prime (nGraph-HE2's scalar encoding).
 *
 * <p>Errors: a value times the scale that would not fit below Q<sub>l</sub>/2 raises an exception naming the
 * value, the scale and the modulus. Cost: one FFT of N/2 points, (l + 1) reductions and NTTs. Thread-safe
 * ({@link #decodeComplexInto} copies and transforms in per-thread scratch, one polynomial of L + 1 limbs per thread that
 * decodes, kept while the thread lives; it allocates only a small view; the other methods allocate their
 * results).
 */
public final class CkksEncoder {
    private final CkksContext context;
    private final int n;
    private final int slots;
    private final int[] rotGroup;
    private final double[] ksiRe;
    private final double[] ksiIm;
    /** Per stage (index log2 len), the twiddles of the special FFT in the order the butterflies use them. */
    private final double[][] fwdRe;
    private final double[][] fwdIm;
    private final double[][] invRe;
    private final double[][] invIm;
    private final MixedRadix mixedRadix;
    private final int[] reversalPairs;
    /** Per thread: the copy of a plaintext that decoding transforms back, the digits' and the coefficients' scratch. */
    private final ThreadLocal<DecodeScratch> decodeScratch;

    /** Precomputes the FFT tables for the context's N. */
    public CkksEncoder(CkksContext context) {
        this.context = context;
        this.n = context.n();
        this.slots = n / 2;
        int m = 2 * n;
        rotGroup = new int[slots];
        long five = 1;
        for (int j = 0; j < slots; j++) {
            rotGroup[j] = (int) five;
            five = five * 5 % m;
        }
        ksiRe = new double[m + 1];
        ksiIm = new double[m + 1];
        for (int k = 0; k <= m; k++) {
            double angle = 2 * Math.PI * k / m;
            ksiRe[k] = Math.cos(angle);
            ksiIm[k] = Math.sin(angle);
        }
        // the twiddle of butterfly j at stage len depends on j and len only: laid out contiguously, the inner
        // loops read them sequentially (and the JIT can vectorize them) instead of gathering from ksi
        int stages = Integer.numberOfTrailingZeros(Math.max(2, slots)) + 1;
        fwdRe = new double[stages][];
        fwdIm = new double[stages][];
        invRe = new double[stages][];
        invIm = new double[stages][];
        for (int len = 2; len <= slots; len <<= 1) {
            int s = Integer.numberOfTrailingZeros(len);
            int lenh = len >>> 1;
            int lenq = len << 2;
            int gap = m / lenq;
            fwdRe[s] = new double[lenh];
            fwdIm[s] = new double[lenh];
            invRe[s] = new double[lenh];
            invIm[s] = new double[lenh];
            for (int j = 0; j < lenh; j++) {
                int f = (rotGroup[j] & (lenq - 1)) * gap;
                int v = (lenq - (rotGroup[j] & (lenq - 1))) * gap;
                fwdRe[s][j] = ksiRe[f];
                fwdIm[s][j] = ksiIm[f];
                invRe[s][j] = ksiRe[v];
                invIm[s][j] = ksiIm[v];
            }
        }
        mixedRadix = new MixedRadix(context.ringQ().basis());
        reversalPairs = reversalPairs(slots);
        decodeScratch = DecodeScratch.perThread(context);
    }

    /** @return the context this encoder encodes for */
    public CkksContext context() {
        return context;
    }

    /** @return the number of slots, N/2 */
    public int slots() {
        return slots;
    }

    /** Encodes real values (at most N/2; the rest of the slots are zero) at the top level and default scale. */
    public Plaintext encode(double[] values) {
        return encode(values, null, context.maxLevel(), context.parameters().defaultScale());
    }

    /** Encodes real values at a level and scale. */
    public Plaintext encode(double[] values, int level, double scale) {
        return encode(values, null, level, scale);
    }

    /**
     * Complex packing: two real vectors a and b (each at most N/2 long) in one plaintext, slot j = a[j] + i b[j].
     * Additions and products by real constants act on both batches at once.
     */
    public Plaintext encodeComplexPacked(double[] a, double[] b, int level, double scale) {
        return encode(a, b, level, scale);
    }

    /**
     * Encodes the complex vector re + i&middot;im (im may be null) at {@code level} and {@code scale}.
     *
     * @throws IllegalArgumentException for too many values, a bad level or scale, non-finite values, or a value
     * whose scaled magnitude would exceed Q<sub>l</sub>/2
     */
    public Plaintext encode(double[] re, double[] im, int level, double scale) {
        double[] coeffs = scaledCoefficients(re, im, level, scale);
        RnsPoly poly = context.ringQ().newPoly(level + 1, false);
        setCoefficients(context.ringQ(), coeffs, poly, level);
        context.ringQ().ntt(poly);
        return new Plaintext(poly, scale);
    }

    /**
     * The integer coefficients round(&Delta; &middot; &sigma;<sup>-1</sup>(re + i im)) as doubles, checked to fit below
     * Q<sub>l</sub>/2 (the first half of {@link #encode}; {@link Encryptor#encrypt(CkksEncoder, double[], int, double)}
     * adds the encryption error to them before the NTT).
     */
    double[] scaledCoefficients(double[] re, double[] im, int level, double scale) {
        return scaledCoefficients(re, im, level, scale, new double[slots], new double[slots], new double[n]);
    }

    /**
     * {@link #scaledCoefficients(double[], double[], int, double)} in caller-supplied scratch: {@code vr} and {@code vi}
     * (N/2 each) take the slots and their inverse FFT, {@code coeffs} (N) the result, which is returned.
     */
    double[] scaledCoefficients(double[] re, double[] im, int level, double scale, double[] vr, double[] vi,
                                double[] coeffs) {
        checkLevel(context, level);
        checkScale(scale);
        if (re.length > slots || (im != null && im.length > slots)) {
            throw new IllegalArgumentException("at most " + slots + " slots at N = " + n + ", got "
                    + Math.max(re.length, im == null ? 0 : im.length) + " values");
        }
        System.arraycopy(re, 0, vr, 0, re.length);
        java.util.Arrays.fill(vr, re.length, slots, 0.0);
        int imLength = im == null ? 0 : im.length;
        if (im != null) {
            System.arraycopy(im, 0, vi, 0, im.length);
        }
        java.util.Arrays.fill(vi, imLength, slots, 0.0);
        for (int j = 0; j < slots; j++) {
            if (!Double.isFinite(vr[j]) || !Double.isFinite(vi[j])) {
                throw new IllegalArgumentException("slot " + j + " holds a non-finite value");
            }
        }
        fftSpecialInverse(vr, vi);
        double maxAbs = 0;
        for (int j = 0; j < slots; j++) {
            coeffs[j] = Math.rint(vr[j] * scale);
            coeffs[j + slots] = Math.rint(vi[j] * scale);
            maxAbs = Math.max(maxAbs, Math.max(Math.abs(coeffs[j]), Math.abs(coeffs[j + slots])));
        }
        checkFits(context, maxAbs, level, scale);
        return coeffs;
    }

    /**
     * Refuses a coefficient of magnitude {@code maxAbs} that does not fit below Q<sub>l</sub>/2 (shared with
     * {@link CoefficientEncoder}).
     */
    static void checkFits(CkksContext context, double maxAbs, int level, double scale) {
        double log2Q = context.log2Q(level);
        if (maxAbs > 0 && Math.log(maxAbs) / Math.log(2) >= log2Q - 1) {
            throw new IllegalArgumentException(String.format(
                    "encoding overflow: a coefficient of magnitude 2^%.1f (values times scale 2^%.1f) does not fit "
                            + "below Q/2 = 2^%.1f at level %d; lower the scale or the values",
                    Math.log(maxAbs) / Math.log(2), Math.log(scale) / Math.log(2), log2Q - 1, level));
        }
    }

    /** Refuses a scale that is not finite or below 1. */
    static void checkScale(double scale) {
        if (!(scale >= 1) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale " + scale + " must be finite and >= 1");
        }
    }

    /**
     * Writes rounded real coefficients (already checked against Q_l/2) into the RNS limbs of the first level + 1
     * primes (shared with {@link CoefficientEncoder}).
     */
    static void setCoefficients(RnsRing ring, double[] coeffs, RnsPoly poly, int level) {
        int n = ring.n();
        boolean small = true;
        boolean tiny = true;
        for (double c : coeffs) {
            small &= Math.abs(c) < 0x1p62;
            tiny &= Math.abs(c) < 0x1p52;
        }
        PointwiseKernel fast = ModArith.fast();
        for (int i = 0; i <= level; i++) {
            Modulus q = ring.modulus(i);
            long[] z = poly.limb(i);
            if (tiny && fast != null && q.bits() <= 30) {
                fast.reduceIntegralDoubles(coeffs, z, q); // SIMD, same residues
            } else if (small) {
                for (int j = 0; j < n; j++) {
                    z[j] = q.reduceSigned((long) coeffs[j]);
                }
            } else {
                for (int j = 0; j < n; j++) {
                    z[j] = reduceLargeDouble(coeffs[j], q);
                }
            }
        }
    }

    /** x mod q for an integral double of any magnitude: x = mantissa &middot; 2<sup>e</sup> (shared with the evaluator). */
    static long reduceLargeDouble(double x, Modulus q) {
        if (Math.abs(x) < 0x1p62) {
            return q.reduceSigned((long) x);
        }
        int e = Math.getExponent(x) - 52;
        long mantissa = (long) Math.scalb(x, -e);
        return q.mul(q.reduceSigned(mantissa), q.pow(2 % q.value(), e));
    }

    /**
     * Decodes a plaintext to its N/2 complex slots.
     *
     * @return {re[], im[]}
     */
    public double[][] decodeComplex(Plaintext p) {
        double[] vr = new double[slots];
        double[] vi = new double[slots];
        decodeComplexInto(p, vr, vi);
        return new double[][] {vr, vi};
    }

    /**
     * {@link #decodeComplex} into {@code re} and {@code im} (each of length N/2), with no limb copy allocated: the inverse NTT
     * and the mixed-radix conversion run in this thread's scratch. The plaintext is not modified.
     *
     * @throws IllegalArgumentException if an output is not of length N/2 or the plaintext belongs to another ring
     */
    public void decodeComplexInto(Plaintext p, double[] re, double[] im) {
        if (re.length != slots || im.length != slots) {
            throw new IllegalArgumentException("decoding needs two outputs of " + slots + " slots, got " + re.length
                    + " and " + im.length);
        }
        DecodeScratch scratch = decodeScratch.get();
        double[] coeffs = scratch.coefficients(n);
        scratch.centred(context, mixedRadix, p, coeffs);
        System.arraycopy(coeffs, 0, re, 0, slots);
        System.arraycopy(coeffs, slots, im, 0, slots);
        fftSpecial(re, im);
    }

    /** Decodes a plaintext to the real parts of its N/2 slots. */
    public double[] decode(Plaintext p) {
        return decodeComplex(p)[0];
    }

    /** The inverse special FFT (HEAAN's fftSpecialInv): slots to the half-coefficient complex vector. */
    void fftSpecialInverse(double[] re, double[] im) {
        int size = re.length;
        for (int len = size; len >= 2; len >>>= 1) {
            int lenh = len >>> 1;
            double[] twRe = invRe[Integer.numberOfTrailingZeros(len)];
            double[] twIm = invIm[Integer.numberOfTrailingZeros(len)];
            ComplexFft.inverseStage(re, im, twRe, twIm, lenh);
        }
        bitReverse(re, im);
        double inv = 1.0 / size;
        for (int i = 0; i < size; i++) {
            re[i] *= inv;
            im[i] *= inv;
        }
    }

    /** The special FFT (HEAAN's fftSpecial): half-coefficient complex vector to slots. */
    void fftSpecial(double[] re, double[] im) {
        int size = re.length;
        bitReverse(re, im);
        for (int len = 2; len <= size; len <<= 1) {
            int lenh = len >>> 1;
            double[] twRe = fwdRe[Integer.numberOfTrailingZeros(len)];
            double[] twIm = fwdIm[Integer.numberOfTrailingZeros(len)];
            ComplexFft.forwardStage(re, im, twRe, twIm, lenh);
        }
    }

    /** Swaps entries i and rev(i) (bit reversal over log2(size) bits), from a table when size is the slot count. */
    private void bitReverse(double[] re, double[] im) {
        int size = re.length;
        if (size == slots) {
            // the pairs (i, rev(i)) with i < rev(i), precomputed: no data-dependent inner loop per index
            int[] pairs = reversalPairs;
            for (int k = 0; k < pairs.length; k += 2) {
                swap(re, im, pairs[k], pairs[k + 1]);
            }
            return;
        }
        for (int i = 1, j = 0; i < size; i++) {
            int bit = size >>> 1;
            for (; (j & bit) != 0; bit >>>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                swap(re, im, i, j);
            }
        }
    }

    private static void swap(double[] re, double[] im, int i, int j) {
        double t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
    }

    private static int[] reversalPairs(int size) {
        int bits = Integer.numberOfTrailingZeros(size);
        int count = 0;
        for (int i = 0; i < size; i++) {
            int r = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
            if (i < r) {
                count++;
            }
        }
        int[] pairs = new int[2 * count];
        for (int i = 0, k = 0; i < size; i++) {
            int r = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
            if (i < r) {
                pairs[k++] = i;
                pairs[k++] = r;
            }
        }
        return pairs;
    }

    /** Refuses a level outside [0, L]. */
    static void checkLevel(CkksContext context, int level) {
        if (level < 0 || level > context.maxLevel()) {
            throw new IllegalArgumentException("level " + level + " out of range [0, " + context.maxLevel() + "]");
        }
    }
}
