package io.github.jckks.ckks;

import io.github.jckks.math.MixedRadix;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;

/**
 * <b>Coefficient encoding</b>: N real values in the N coefficients of the plaintext polynomial, m = &Sigma;<sub>j</sub>
 * round(&Delta; v<sub>j</sub>) X<sup>j</sup>, with no canonical embedding and so no FFT (Lattigo's encoding of
 * non-batched plaintexts). Twice the values of {@link CkksEncoder}'s real slots and as many as its complex packing.
 *
 * <p><b>What it computes with.</b> Ring operations that act on coefficients one by one keep their meaning:
 * additions and subtractions of ciphertexts and of coefficient-encoded plaintexts, negation, products by a real or
 * integer constant ({@link Evaluator#multiplyScalarInPlace}, {@link Evaluator#multiplyIntegerInPlace}, their sums of
 * products, the nn-layers multiply-accumulate kernels), and rescaling (it divides every coefficient by q<sub>l</sub>). A
 * constant added to every value is the plaintext {@link #encodeConstant}, not {@link Evaluator#addScalarInPlace} (which
 * adds the constant polynomial c: c to value 0 only). Products of two ciphertexts or by a non-constant plaintext
 * (negacyclic convolutions of the values), rotations and conjugation have no value-wise meaning here: a ciphertext
 * records no encoding, so keeping them away is the caller's part (nn-layers' {@code Packing.COEFFICIENT} does it).
 *
 * <p><b>Precision.</b> An error polynomial e decodes to e<sub>j</sub> / &Delta; per value, against about
 * &radic;N &middot; |e| / &Delta; per slot under the canonical embedding (decoding evaluates e at a root of unity, a sum of
 * N terms): a fresh secret-key encryption (&sigma; = 3.2) is within 3.2/&Delta; per value, about 5.5 bits better than a
 * slot at N = 2048. That margin lets a network of scalar-weighted sums run on one prime without rescaling.
 *
 * <p>Errors: too many values, non-finite values, a bad level or scale, or a value whose scaled magnitude would not fit
 * below Q<sub>l</sub>/2, each an {@link IllegalArgumentException} naming it. Cost: encode (l+1) reductions and NTTs;
 * decode one copy, (l+1) inverse NTTs and a mixed-radix conversion; {@link #encodeConstant} and
 * {@link #addConstantInPlace} one product per residue. {@link #decodeInto} copies and transforms in per-thread scratch (one
 * polynomial of L + 1 limbs per decoding thread, kept while it lives) and allocates only a small view.
 * Thread-safe (scratch is per thread; the transformed constant polynomial and the mixed-radix tables are made on first
 * use).
 */
public final class CoefficientEncoder {
    private final CkksContext context;
    private final int n;
    /** The mixed-radix conversion of decoding, made on first use (a server only encodes constants). */
    private volatile MixedRadix mixedRadix;
    /** NTT(1 + X + ... + X<sup>N-1</sup>) modulo every data prime, made on first use of {@link #encodeConstant}. */
    private volatile RnsPoly ones;
    /** Per thread: the copy of a plaintext that decoding transforms back (every data limb) and the digits' scratch. */
    private final ThreadLocal<DecodeScratch> decodeScratch;

    /** An encoder for the context's ring. */
    public CoefficientEncoder(CkksContext context) {
        this.context = context;
        this.n = context.n();
        this.decodeScratch = DecodeScratch.perThread(context);
    }

    /** @return the context this encoder encodes for */
    public CkksContext context() {
        return context;
    }

    /** @return the number of values a plaintext holds: N */
    public int capacity() {
        return n;
    }

    /**
     * Encodes {@code values} (at most N; the other coefficients are zero) as coefficients at {@code level} and
     * {@code scale}, in NTT form.
     *
     * @throws IllegalArgumentException as described in the class comment
     */
    public Plaintext encode(double[] values, int level, double scale) {
        double[] coeffs = scaledCoefficients(values, level, scale);
        RnsRing rq = context.ringQ();
        RnsPoly poly = rq.newPoly(level + 1, false);
        CkksEncoder.setCoefficients(rq, coeffs, poly, level);
        rq.ntt(poly);
        return new Plaintext(poly, scale);
    }

    /**
     * The integer coefficients round(&Delta; v<sub>j</sub>) as doubles, checked to fit below Q<sub>l</sub>/2 (the first
     * half of {@link #encode}; the fused {@link Encryptor#encrypt(CoefficientEncoder, double[], int, double)} adds the
     * encryption error to them before the NTT).
     */
    double[] scaledCoefficients(double[] values, int level, double scale) {
        return scaledCoefficients(values, level, scale, new double[n]);
    }

    /** {@link #scaledCoefficients(double[], int, double)} into {@code coeffs} (length N, every entry written). */
    double[] scaledCoefficients(double[] values, int level, double scale, double[] coeffs) {
        CkksEncoder.checkLevel(context, level);
        CkksEncoder.checkScale(scale);
        if (values.length > n) {
            throw new IllegalArgumentException("at most " + n + " values (coefficients) at N = " + n + ", got " + values.length);
        }
        java.util.Arrays.fill(coeffs, values.length, n, 0.0);
        double maxAbs = 0;
        for (int j = 0; j < values.length; j++) {
            if (!Double.isFinite(values[j])) {
                throw new IllegalArgumentException("value " + j + " is not finite: " + values[j]);
            }
            coeffs[j] = Math.rint(values[j] * scale);
            maxAbs = Math.max(maxAbs, Math.abs(coeffs[j]));
        }
        CkksEncoder.checkFits(context, maxAbs, level, scale);
        return coeffs;
    }

    /**
     * The constant {@code value} in every one of the N values: the polynomial round(&Delta; value) (1 + X + ... +
     * X<sup>N-1</sup>), in NTT form (what a bias is under coefficient encoding). Cost: one Shoup product per residue
     * (the transformed all-ones polynomial is kept).
     *
     * @throws IllegalArgumentException for a non-finite value, a bad level or scale, or an overflow
     */
    public Plaintext encodeConstant(double value, int level, double scale) {
        CkksEncoder.checkLevel(context, level);
        CkksEncoder.checkScale(scale);
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("constant is not finite: " + value);
        }
        double c = Math.rint(value * scale);
        CkksEncoder.checkFits(context, Math.abs(c), level, scale);
        RnsRing rq = context.ringQ();
        RnsPoly out = rq.newPoly(level + 1, true);
        long[] residues = new long[level + 1];
        for (int i = 0; i <= level; i++) {
            residues[i] = CkksEncoder.reduceLargeDouble(c, rq.modulus(i));
        }
        RnsPoly all = onesNtt();
        rq.mulScalar(all.view(level + 1), residues, out);
        return new Plaintext(out, scale);
    }

    /**
     * Decodes the N values of a coefficient-encoded plaintext: the centred coefficients of m divided by its scale.
     */
    public double[] decode(Plaintext p) {
        double[] out = new double[n];
        decodeInto(p, out);
        return out;
    }

    /**
     * {@link #decode} into {@code out} (length N). The plaintext is not modified.
     *
     * @throws IllegalArgumentException if {@code out} is not of length N or the plaintext belongs to another ring
     */
    public void decodeInto(Plaintext p, double[] out) {
        if (out.length != n) {
            throw new IllegalArgumentException("decoding needs " + n + " outputs, got " + out.length);
        }
        if (p.poly().n() != n) {
            throw new IllegalArgumentException("plaintext degree " + p.poly().n() + " does not match N = " + n);
        }
        MixedRadix mr = mixedRadix;
        if (mr == null) {
            mr = new MixedRadix(context.ringQ().basis());
            mixedRadix = mr; // racing threads make equal conversions: either may stay
        }
        decodeScratch.get().centred(context, mr, p, out);
    }

    /**
     * Adds the constant {@code value} to every one of the N values of {@code ct}, in place: c<sub>0</sub> +=
     * round(&Delta; value) (1 + X + ... + X<sup>N-1</sup>) at the ciphertext's level and scale &Delta;, the same
     * result as adding {@link #encodeConstant}{@code (value, ct.level(), ct.scale())} without making that plaintext
     * (a bias under coefficient encoding). c<sub>1</sub>, and so a seed, is untouched. Cost: one Shoup
     * multiply-add per residue of c<sub>0</sub>.
     *
     * @throws IllegalArgumentException for a non-finite value, a ciphertext of another ring or not in NTT form, or a
     * scaled constant that would not fit below Q<sub>l</sub>/2
     */
    public void addConstantInPlace(Ciphertext ct, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("constant is not finite: " + value);
        }
        RnsRing rq = context.ringQ();
        RnsPoly c0 = ct.part(0);
        rq.requireOwn(c0);
        if (!c0.isNtt()) {
            throw new IllegalArgumentException("addConstantInPlace needs a ciphertext in NTT form, got " + ct);
        }
        int level = ct.level();
        double c = Math.rint(value * ct.scale());
        CkksEncoder.checkFits(context, Math.abs(c), level, ct.scale());
        if (c == 0) {
            return;
        }
        long[] residues = new long[level + 1];
        for (int i = 0; i <= level; i++) {
            residues[i] = CkksEncoder.reduceLargeDouble(c, rq.modulus(i));
        }
        rq.mulScalarAdd(onesNtt().view(level + 1), residues, c0);
    }

    private RnsPoly onesNtt() {
        RnsPoly o = ones;
        if (o == null) {
            RnsRing rq = context.ringQ();
            long[] one = new long[n];
            java.util.Arrays.fill(one, 1);
            o = rq.newPoly(rq.basis().size(), false);
            rq.setSigned(one, o);
            rq.ntt(o);
            ones = o; // racing threads make equal polynomials: either may stay
        }
        return o;
    }
}
