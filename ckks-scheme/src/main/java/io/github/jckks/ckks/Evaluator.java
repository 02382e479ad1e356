package io.github.jckks.ckks;

import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;

/**
 * Homomorphic operations on {@link Ciphertext}s: additions, products (ciphertext, plaintext, scalar),
 * relinearization and Galois automorphisms by hybrid key switching, rescaling and level dropping.
 *
 * <p><b>Levels and scales.</b> Operands at different levels are matched automatically by dropping primes of the
 * higher one (exact, free). Operands added together must have equal scales (relative difference below
 * {@value #SCALE_TOLERANCE}); otherwise an exception names both scales. Products multiply scales and never
 * rescale by themselves: <b>lazy rescaling</b> is the natural style: accumulate products (e.g.
 * {@link #multiplyScalarAddInPlace}) and call {@link #rescaleInPlace} once. A product whose scale would reach
 * the remaining modulus Q<sub>l</sub> raises an exception.
 *
 * <p><b>Scalars.</b> A real constant is encoded as one residue per prime (nGraph-HE2's scalar encoding): a
 * product costs one Shoup multiplication per residue and no NTT. By default a constant is encoded at the scale
 * {@link #rescaleDivisor} (q<sub>l</sub>, the prime the next rescale removes, or the product of the last d primes
 * under composite scaling), so rescaling restores the ciphertext's scale exactly.
 * Integers ({@link #multiplyInteger}) are exact and do not change the scale; 0, 1 and -1 cost at most a pass.
 *
 * <p><b>No special prime.</b> With parameters that do not {@linkplain CkksParameters#supportsKeySwitching() support key
 * switching} every operation works except those that need a key-switching key (relinearization, rotations,
 * conjugation and the complex-packed products), which throw an {@link IllegalStateException} saying so; a
 * three-part product can still be added, multiplied by plaintexts and scalars, rescaled and decrypted.
 *
 * <p>Thread-safe: evaluate independent ciphertexts from several threads on one instance (key-switching
 * scratch is per thread). Costs are stated per method for N and l + 1 primes.
 */
public final class Evaluator {
    /** Largest relative difference of two scales that may be added. */
    public static final double SCALE_TOLERANCE = 1e-9;

    private final CkksContext context;
    private final EvaluationKeys keys;
    private final RnsRing rq;
    private final RnsRing rp;
    private final ThreadLocal<Workspace> workspace;
    private final RnsPoly imaginaryUnit;
    private final RnsPoly eighthRoot;
    /**
     * Galois keys with every digit permuted by &sigma;<sub>g</sub><sup>-1</sup>, by element g, made on the first
     * {@link #rotateHoisted} that needs them: with them a hoisted step multiplies the unpermuted digits and permutes
     * only its two sums (one more copy of each key used that way).
     */
    private final java.util.concurrent.ConcurrentHashMap<Integer, KeySwitchKey> hoistingKeys =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** @return the evaluation keys this evaluator switches with, or null if it has none */
    public EvaluationKeys evaluationKeys() {
        return keys;
    }

    /** An evaluator without evaluation keys (no relinearization or rotation). */
    public Evaluator(CkksContext context) {
        this(context, null);
    }

    /**
     * An evaluator using the given public evaluation keys (may be null).
     *
     * @throws IllegalArgumentException if keys holds a key-switching key but the parameters have no special prime, or
     *                                  a key of another parameter set
     */
    public Evaluator(CkksContext context, EvaluationKeys keys) {
        CkksParameters params = context.parameters();
        if (!params.supportsKeySwitching() && keys != null
                && (keys.relinearization() != null || !keys.galois().isEmpty())) {
            throw new IllegalArgumentException("evaluation keys with " + (keys.relinearization() != null ? "a" : "no")
                    + " relinearization key and " + keys.galois().size() + " Galois keys cannot serve " + params
                    + ": it has no special prime (key switching disabled)");
        }
        this.context = context;
        this.keys = keys;
        this.rq = context.ringQ();
        this.rp = params.supportsKeySwitching() ? context.ringP() : null;
        if (keys != null && rp != null) { // keys of another parameter set are refused here, where the mistake is made
            if (keys.relinearization() != null) {
                keys.relinearization().requireOwn(params, rq, rp, "relinearization key");
            }
            for (java.util.Map.Entry<Integer, KeySwitchKey> g : keys.galois().entrySet()) {
                g.getValue().requireOwn(params, rq, rp, "Galois key " + g.getKey());
            }
        }
        final RnsRing ringQ = rq;
        final RnsRing ringP = rp;
        // the initializer captures the rings only, never this evaluator: a pool thread's entry must not keep
        // an evaluator (and its keys) alive after the evaluator is dropped
        this.workspace = ThreadLocal.withInitial(() -> new Workspace(ringQ, ringP));
        // X^(N/2) evaluates to i in every slot: multiplying by it multiplies every slot by i.
        RnsPoly x = rq.newPoly(rq.basis().size(), false);
        for (int i = 0; i < x.limbCount(); i++) {
            x.limb(i)[context.n() / 2] = 1;
        }
        rq.ntt(x);
        this.imaginaryUnit = x;
        // X^(N/4) evaluates in slot j to omega_j = zeta_j^(N/4) with omega_j^2 = zeta_j^(N/2) = i (every slot's
        // evaluation point is zeta^k with k = 5^j = 1 mod 4): the complex-packed square uses it.
        RnsPoly y = rq.newPoly(rq.basis().size(), false);
        for (int i = 0; i < y.limbCount(); i++) {
            y.limb(i)[context.n() / 4] = 1;
        }
        rq.ntt(y);
        this.eighthRoot = y;
    }

    /** @return the context */
    public CkksContext context() {
        return context;
    }

    // ============================================================== additive

    /** @return a + b (levels matched by dropping primes). Cost: one pass over the residues. */
    public Ciphertext add(Ciphertext a, Ciphertext b) {
        return addInto(a, b, null);
    }

    /**
     * a + b into caller-supplied polynomials ({@code out}: max(a.size(), b.size()) distinct polynomials of
     * min(a.level(), b.level()) + 1 limbs that share no limb array with a or b; null: fresh ones), as SEAL's
     * {@code add(a, b, destination)}; {@link #addInPlace} overwrites an operand. Cost: one pass over the residues.
     *
     * @return the sum, whose parts are {@code out}
     */
    public Ciphertext addInto(Ciphertext a, Ciphertext b, RnsPoly[] out) {
        return addOrSubInto(a, b, out, false);
    }

    /** a - b into caller-supplied polynomials, as {@link #addInto}. */
    public Ciphertext subInto(Ciphertext a, Ciphertext b, RnsPoly[] out) {
        return addOrSubInto(a, b, out, true);
    }

    private Ciphertext addOrSubInto(Ciphertext a, Ciphertext b, RnsPoly[] out, boolean subtract) {
        checkCompatible(a, b);
        checkScales(subtract ? "sub" : "add", a.scale(), b.scale());
        int k = Math.min(a.level(), b.level()) + 1;
        int size = Math.max(a.size(), b.size());
        RnsPoly[] parts = outputs(out, size, k, subtract ? "sub" : "add", a, b);
        for (int i = 0; i < size; i++) {
            if (i < a.size() && i < b.size()) {
                if (subtract) {
                    rq.sub(a.partForReading(i), b.partForReading(i), parts[i]);
                } else {
                    rq.add(a.partForReading(i), b.partForReading(i), parts[i]);
                }
            } else if (i < a.size()) {
                parts[i].copyFrom(a.partForReading(i));
            } else if (subtract) {
                rq.negate(b.partForReading(i), parts[i]);
            } else {
                parts[i].copyFrom(b.partForReading(i));
            }
        }
        return new Ciphertext(parts, a.scale());
    }

    /**
     * @return {@code out} if it holds {@code count} distinct polynomials of N with {@code limbs} limbs that share no
     *         limb array with each other or with the inputs' parts; fresh NTT-form ones if it is null
     */
    private RnsPoly[] outputs(RnsPoly[] out, int count, int limbs, String op, Ciphertext... inputs) {
        if (out == null) {
            RnsPoly[] fresh = new RnsPoly[count];
            for (int i = 0; i < count; i++) {
                fresh[i] = rq.newPoly(limbs, true);
            }
            return fresh;
        }
        if (out.length != count) {
            throw new IllegalArgumentException(op + " needs " + count + " output polynomials, got " + out.length);
        }
        for (int i = 0; i < count; i++) {
            RnsPoly p = out[i];
            if (p == null) {
                throw new IllegalArgumentException(op + ": output polynomial " + i + " is null");
            }
            if (p.limbCount() != limbs || p.n() != context.n()) {
                throw new IllegalArgumentException(op + " outputs must have " + limbs + " limbs of N = " + context.n()
                        + ", got " + p.limbCount() + " of N = " + p.n());
            }
            for (int j = 0; j < i; j++) {
                if (sharesLimbs(p, out[j])) {
                    throw new IllegalArgumentException(op + ": output polynomials " + j + " and " + i + " overlap");
                }
            }
            for (Ciphertext in : inputs) {
                for (int m = 0; m < in.size(); m++) {
                    if (sharesLimbs(p, in.partForReading(m))) {
                        throw new IllegalArgumentException(op + ": output polynomial " + i + " overlaps part " + m
                                + " of an input (use the InPlace form to overwrite an input)");
                    }
                }
            }
        }
        return out;
    }

    /** @return whether a and b have a limb array in common */
    private static boolean sharesLimbs(RnsPoly a, RnsPoly b) {
        for (int i = 0; i < a.limbCount(); i++) {
            long[] x = a.limb(i);
            for (int j = 0; j < b.limbCount(); j++) {
                if (x == b.limb(j)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** acc = acc + b. */
    public void addInPlace(Ciphertext acc, Ciphertext b) {
        addOrSub(acc, b, false);
    }

    /** @return a - b */
    public Ciphertext sub(Ciphertext a, Ciphertext b) {
        return subInto(a, b, null);
    }

    /** acc = acc - b. */
    public void subInPlace(Ciphertext acc, Ciphertext b) {
        addOrSub(acc, b, true);
    }

    private void addOrSub(Ciphertext acc, Ciphertext b, boolean subtract) {
        checkCompatible(acc, b);
        checkScales("add", acc.scale(), b.scale());
        int level = Math.min(acc.level(), b.level());
        if (acc.level() > level) {
            dropLevelInPlace(acc, level);
        }
        int size = Math.max(acc.size(), b.size());
        if (acc.size() < size) {
            RnsPoly[] parts = new RnsPoly[size];
            for (int i = 0; i < acc.size(); i++) {
                parts[i] = acc.part(i);
            }
            for (int i = acc.size(); i < size; i++) {
                parts[i] = rq.newPoly(level + 1, true);
            }
            acc.replace(parts, acc.scale());
        }
        for (int i = 0; i < b.size(); i++) {
            if (subtract) {
                rq.sub(acc.part(i), b.partForReading(i), acc.part(i));
            } else {
                rq.add(acc.part(i), b.partForReading(i), acc.part(i));
            }
        }
        acc.clearSeed();
    }

    /** @return -a */
    public Ciphertext negate(Ciphertext a) {
        Ciphertext r = a.copy();
        negateInPlace(r);
        return r;
    }

    /** a = -a. */
    public void negateInPlace(Ciphertext a) {
        for (int i = 0; i < a.size(); i++) {
            rq.negate(a.part(i), a.part(i));
        }
        a.clearSeed();
    }

    /** @return ct + pt (scales must match; the plaintext must be at the ciphertext's level or above) */
    public Ciphertext addPlain(Ciphertext ct, Plaintext pt) {
        return addPlainInto(ct, pt, null);
    }

    /**
     * ct + pt into caller-supplied polynomials ({@code out}: ct.size() distinct polynomials of ct.level() + 1 limbs
     * that share no limb array with ct; null: fresh ones), as SEAL's {@code add_plain(ct, pt, destination)}.
     *
     * @return the sum, whose parts are {@code out}
     */
    public Ciphertext addPlainInto(Ciphertext ct, Plaintext pt, RnsPoly[] out) {
        checkPlain(ct, pt);
        checkScales("add plaintext", ct.scale(), pt.scale());
        RnsPoly[] parts = outputs(out, ct.size(), ct.level() + 1, "addPlain", ct);
        rq.add(ct.partForReading(0), pt.poly(), parts[0]);
        copyParts(ct, parts, 1);
        return new Ciphertext(parts, ct.scale());
    }

    /** parts[i] = ct's part i for i &gt;= from. */
    private static void copyParts(Ciphertext ct, RnsPoly[] parts, int from) {
        for (int i = from; i < ct.size(); i++) {
            parts[i].copyFrom(ct.partForReading(i));
        }
    }

    /** @return ct - pt */
    public Ciphertext subPlain(Ciphertext ct, Plaintext pt) {
        Ciphertext r = ct.copy();
        addPlainInPlace(r, pt, true);
        return r;
    }

    /** ct = ct + pt, or ct - pt if {@code subtract}. */
    public void addPlainInPlace(Ciphertext ct, Plaintext pt, boolean subtract) {
        checkPlain(ct, pt);
        checkScales("add plaintext", ct.scale(), pt.scale());
        if (subtract) {
            rq.sub(ct.part(0), pt.poly(), ct.part(0));
        } else {
            rq.add(ct.part(0), pt.poly(), ct.part(0));
        }
        ct.clearSeed();
    }

    /**
     * ct = ct + (re + i&middot;im) in every slot: the real part as a scalar (one residue per prime), the imaginary
     * part as im&middot;X<sup>N/2</sup> (one multiply-add pass with the precomputed NTT of the monomial). Under complex
     * packing (two real batches a + i b in one ciphertext) adding c to both batches is adding c + i c.
     * Cost: two passes over c<sub>0</sub>.
     */
    public void addComplexScalarInPlace(Ciphertext ct, double re, double im) {
        addScalarInPlace(ct, re);
        if (im == 0) {
            return;
        }
        long[] r = scalarResidues(im, ct.scale(), ct.level());
        rq.mulScalarAdd(imaginaryUnit, r, ct.part(0));
        ct.clearSeed();
    }

    /** @return ct + c for a real constant c (encoded at the ciphertext's scale, one residue per prime) */
    public Ciphertext addScalar(Ciphertext ct, double c) {
        return addScalarInto(ct, c, null);
    }

    /** @return ct - c for a real constant c: {@link #addScalar} of -c (the same cost, exact negation of the encoding) */
    public Ciphertext subScalar(Ciphertext ct, double c) {
        return addScalarInto(ct, -c, null);
    }

    /** ct = ct - c: {@link #addScalarInPlace} of -c. */
    public void subScalarInPlace(Ciphertext ct, double c) {
        addScalarInPlace(ct, -c);
    }

    /** ct + c into caller-supplied polynomials, as {@link #addPlainInto}. Cost: one pass over c<sub>0</sub>, a copy of the rest. */
    public Ciphertext addScalarInto(Ciphertext ct, double c, RnsPoly[] out) {
        RnsPoly[] parts = outputs(out, ct.size(), ct.level() + 1, "addScalar", ct);
        long[] r = scalarResidues(c, ct.scale(), ct.level());
        rq.addScalar(ct.partForReading(0), r, parts[0]);
        copyParts(ct, parts, 1);
        return new Ciphertext(parts, ct.scale());
    }

    /** ct = ct + c. Cost: one pass over c<sub>0</sub>; free for c = 0. */
    public void addScalarInPlace(Ciphertext ct, double c) {
        if (c == 0) {
            return;
        }
        long[] r = scalarResidues(c, ct.scale(), ct.level());
        rq.addScalar(ct.part(0), r, ct.part(0));
        ct.clearSeed();
    }

    // ============================================================== products

    /**
     * @return a &middot; b as a three-part ciphertext (c<sub>0</sub>, c<sub>1</sub>, c<sub>2</sub>) = (a<sub>0</sub>b<sub>0</sub>,
     * a<sub>0</sub>b<sub>1</sub> + a<sub>1</sub>b<sub>0</sub>, a<sub>1</sub>b<sub>1</sub>), scale a.scale &middot; b.scale; no
     * relinearization, no rescale. Cost: 4 (l+1) N modular products.
     */
    public Ciphertext multiply(Ciphertext a, Ciphertext b) {
        checkCompatible(a, b);
        if (a.size() != 2 || b.size() != 2) {
            throw new IllegalArgumentException("multiply needs two-part ciphertexts (relinearize first); got sizes "
                    + a.size() + " and " + b.size());
        }
        if (a == b) {
            return square(a);
        }
        return multiplyInto(a, b, null);
    }

    /**
     * a &middot; b into caller-supplied polynomials ({@code out}: three distinct polynomials of min(a.level(),
     * b.level()) + 1 limbs that share no limb array with a or b; null: fresh ones), as SEAL's
     * {@code multiply(a, b, destination)}. Cost: 4 (l+1) N modular products.
     *
     * @return the three-part product, whose parts are {@code out}
     */
    public Ciphertext multiplyInto(Ciphertext a, Ciphertext b, RnsPoly[] out) {
        checkCompatible(a, b);
        if (a.size() != 2 || b.size() != 2) {
            throw new IllegalArgumentException("multiply needs two-part ciphertexts (relinearize first); got sizes "
                    + a.size() + " and " + b.size());
        }
        int level = Math.min(a.level(), b.level());
        double scale = productScale(a.scale(), b.scale(), level);
        RnsPoly[] c = outputs(out, 3, level + 1, "multiply", a, b);
        rq.tensor(a.partForReading(0), a.partForReading(1), b.partForReading(0), b.partForReading(1), c[0], c[1], c[2]);
        return new Ciphertext(c, scale);
    }

    /** @return a<sup>2</sup> as a three-part ciphertext. Cost: 3 (l+1) N modular products. */
    public Ciphertext square(Ciphertext a) {
        if (a.size() != 2) {
            throw new IllegalArgumentException("square needs a two-part ciphertext; got size " + a.size());
        }
        int level = a.level();
        double scale = productScale(a.scale(), a.scale(), level);
        int k = level + 1;
        RnsPoly c0 = rq.newPoly(k, true);
        RnsPoly c1 = rq.newPoly(k, true);
        RnsPoly c2 = rq.newPoly(k, true);
        rq.mulPointwise(a.partForReading(0), a.partForReading(0), c0);
        rq.mulPointwise(a.partForReading(0), a.partForReading(1), c1);
        rq.add(c1, c1, c1);
        rq.mulPointwise(a.partForReading(1), a.partForReading(1), c2);
        return new Ciphertext(new RnsPoly[] {c0, c1, c2}, scale);
    }

    /**
     * {@link #square} into caller-supplied polynomials (e.g. recycled memory): {@code out} holds three distinct
     * polynomials with exactly a.level() + 1 limbs each, sharing no limb with a, whose contents are overwritten (null:
     * fresh ones).
     *
     * @return the three-part square, whose parts are {@code out}
     */
    public Ciphertext squareInto(Ciphertext a, RnsPoly[] out) {
        if (a.size() != 2) {
            throw new IllegalArgumentException("square needs a two-part ciphertext; got size " + a.size());
        }
        int k = a.level() + 1;
        out = outputs(out, 3, k, "square", a); // fresh ones for null; refuses misshapen or shared outputs
        double scale = productScale(a.scale(), a.scale(), a.level());
        // one pass (a0 a1 computed twice): the square is memory-bound, four passes cost more than a product
        rq.tensor(a.partForReading(0), a.partForReading(1), a.partForReading(0), a.partForReading(1), out[0], out[1], out[2]);
        return new Ciphertext(out, scale);
    }

    /**
     * The slot-wise square of a complex-packed ciphertext: for z = a + i b (two real batches) returns
     * a<sup>2</sup> + i b<sup>2</sup> (not the complex square z<sup>2</sup> = a<sup>2</sup> - b<sup>2</sup> + 2iab), three-part,
     * unrescaled, at scale 4 s<sup>2</sup>. With z&#772; the conjugate, u = z + z&#772; = 2a, v = z - z&#772; = 2ib and
     * w = X<sup>N/4</sup> v, whose slots are &omega; v with &omega;<sup>2</sup> = i:
     * (u - w)(u + w) = u<sup>2</sup> - i v<sup>2</sup> = 4a<sup>2</sup> + 4i b<sup>2</sup>. One conjugation (a key switch: the
     * conjugation key is needed), two monomial products and one ciphertext product (4 (l+1) N modular products),
     * for twice the slots of a real square. The factor 4 stays in the scale (the polynomial is 4x that of a
     * real-packed square of the same values).
     */
    public Ciphertext squareComplexPacked(Ciphertext z) {
        int k = z.level() + 1;
        return squareComplexPackedInto(z, new RnsPoly[] {rq.newPoly(k, true), rq.newPoly(k, true), rq.newPoly(k, true)});
    }

    /**
     * {@link #squareComplexPacked} into caller-supplied polynomials: {@code out} holds three distinct polynomials with
     * exactly z.level() + 1 limbs each, sharing no limb with z; their contents are overwritten (null: fresh ones).
     *
     * @return the three-part result, whose parts are {@code out}
     */
    public Ciphertext squareComplexPackedInto(Ciphertext z, RnsPoly[] out) {
        if (z.size() != 2) {
            throw new IllegalArgumentException("complex-packed square needs a two-part ciphertext; got size " + z.size());
        }
        int k = z.level() + 1;
        out = outputs(out, 3, k, "complex-packed square", z); // fresh ones for null; refuses misshapen or shared outputs
        int galois = GaloisElements.conjugation(context.n());
        KeySwitchKey key = keys == null ? null : keys.galois(galois);
        requireKeySwitching("the complex-packed square (it conjugates)");
        if (key == null) {
            throw new IllegalStateException("no conjugation key for the complex-packed square (Galois element " + galois
                    + "): generate it with KeyGenerator.evaluationKeys(relinearization, true)");
        }
        double scale = productScale(z.scale(), z.scale(), z.level()) * 4;
        Workspace ws = workspace.get();
        // (c0, c1) = conj(z): the automorphism X -> X^(2N-1) on both parts, then c1 switched back to s
        RnsPoly c0 = ws.conj0.view(k);
        RnsPoly c1 = ws.conj1.view(k);
        RnsPoly rotated1 = ws.rotated.view(k);
        rq.automorphism(z.partForReading(0), galois, c0);
        rq.automorphism(z.partForReading(1), galois, rotated1);
        keySwitch(rotated1, key, c0, c0, null, c1); // c0 = conj(z0) + u0, added in ModDown's last pass
        // per part, one pass: u = z + conj z, w = X^(N/4) (z - conj z); p = u - w over conj z, q = u + w into out
        rq.twistedButterfly(z.partForReading(0), c0, eighthRoot, c0, out[0]);
        rq.twistedButterfly(z.partForReading(1), c1, eighthRoot, c1, out[1]);
        // (p0, p1) x (q0, q1), q held in out[0], out[1]: one pass, each element read before it is overwritten
        rq.tensor(c0, c1, out[0], out[1], out[0], out[1], out[2]);
        return new Ciphertext(out, scale);
    }

    /** @return relinearize(a &middot; b): a two-part product (still unrescaled) */
    public Ciphertext multiplyRelin(Ciphertext a, Ciphertext b) {
        Ciphertext r = multiply(a, b);
        relinearizeInPlace(r);
        return r;
    }

    /** @return ct &middot; pt (plaintext at the ciphertext's level or above). Cost: size (l+1) N products. */
    public Ciphertext multiplyPlain(Ciphertext ct, Plaintext pt) {
        return multiplyPlainInto(ct, pt, null);
    }

    /**
     * ct &middot; pt into caller-supplied polynomials ({@code out}: ct.size() distinct polynomials of ct.level() + 1
     * limbs that share no limb array with ct; null: fresh ones), as SEAL's {@code multiply_plain(ct, pt, destination)}.
     *
     * @return the product, whose parts are {@code out}
     */
    public Ciphertext multiplyPlainInto(Ciphertext ct, Plaintext pt, RnsPoly[] out) {
        checkPlain(ct, pt);
        double scale = productScale(ct.scale(), pt.scale(), ct.level());
        RnsPoly[] parts = outputs(out, ct.size(), ct.level() + 1, "multiplyPlain", ct);
        for (int i = 0; i < ct.size(); i++) {
            rq.mulPointwise(ct.partForReading(i), pt.poly(), parts[i]);
        }
        return new Ciphertext(parts, scale);
    }

    /** ct = ct &middot; pt. */
    public void multiplyPlainInPlace(Ciphertext ct, Plaintext pt) {
        checkPlain(ct, pt);
        double scale = productScale(ct.scale(), pt.scale(), ct.level());
        for (int i = 0; i < ct.size(); i++) {
            rq.mulPointwise(ct.part(i), pt.poly(), ct.part(i));
        }
        ct.replace(partsOf(ct), scale);
    }

    /**
     * @return ct &middot; c for a real constant c encoded at the scale of the ciphertext's last prime q<sub>l</sub>
     * ({@link #rescaleDivisor}: the product of the last d primes under composite scaling), so that {@link #rescale}
     * afterwards returns the ciphertext to its scale. Cost: one Shoup product per residue.
     */
    public Ciphertext multiplyScalar(Ciphertext ct, double c) {
        return multiplyScalar(ct, c, rescaleDivisor(ct.level()));
    }

    /**
     * @return ct &middot; c with c encoded as round(c &middot; scale); the result's scale is ct.scale &middot; scale. A
     * constant or scale product that cannot fit below Q<sub>l</sub>/2 is refused; |c| &middot; |value| &middot;
     * ct.scale &middot; scale must fit too, which only the caller can know (see {@link #multiplyInteger})
     */
    public Ciphertext multiplyScalar(Ciphertext ct, double c, double scale) {
        return multiplyScalarInto(ct, c, scale, null);
    }

    /** ct &middot; c (c encoded at {@code scale}) into caller-supplied polynomials, as {@link #multiplyPlainInto}. */
    public Ciphertext multiplyScalarInto(Ciphertext ct, double c, double scale, RnsPoly[] out) {
        double newScale = productScale(ct.scale(), scale, ct.level());
        long[] r = scalarResidues(c, scale, ct.level());
        RnsPoly[] parts = outputs(out, ct.size(), ct.level() + 1, "multiplyScalar", ct);
        for (int i = 0; i < ct.size(); i++) {
            rq.mulScalar(ct.partForReading(i), r, parts[i]);
        }
        return new Ciphertext(parts, newScale);
    }

    /** ct = ct &middot; c, c encoded at {@code scale}. */
    public void multiplyScalarInPlace(Ciphertext ct, double c, double scale) {
        double newScale = productScale(ct.scale(), scale, ct.level());
        long[] r = scalarResidues(c, scale, ct.level());
        for (int i = 0; i < ct.size(); i++) {
            rq.mulScalar(ct.part(i), r, ct.part(i));
        }
        ct.replace(partsOf(ct), newScale);
    }

    /**
     * acc = acc + ct &middot; c with c encoded at {@code scale}: the fused step of a lazily rescaled dot product
     * (acc must have scale ct.scale &middot; scale and ct's size or more, and be at ct's level). A zero weight is
     * checked like the others and then skipped. Cost: one Shoup product and addition per residue.
     */
    public void multiplyScalarAddInPlace(Ciphertext ct, double c, double scale, Ciphertext acc) {
        checkCompatible(ct, acc);
        if (acc.level() != ct.level() || acc.size() < ct.size()) {
            throw new IllegalArgumentException("accumulator " + acc + " cannot take a product of " + ct);
        }
        checkScales("accumulate", acc.scale(), ct.scale() * scale);
        if (c == 0) {
            return; // checked like any other term, then skipped
        }
        long[] r = scalarResidues(c, scale, ct.level());
        for (int i = 0; i < ct.size(); i++) {
            rq.mulScalarAdd(ct.partForReading(i), r, acc.part(i));
        }
        acc.clearSeed();
    }

    /**
     * The dot product &Sigma;<sub>i</sub> cts[i] &middot; pts[i], left unrescaled (<b>lazy rescaling</b>: rescale once
     * after the sum with {@link #rescaleInPlace}). The ciphertexts share a level, a size and a scale; the
     * plaintexts (encoded at that level or above: depth-aware encoding) share a scale; the result has the product
     * scale. The products accumulate in the NTT domain limb by limb ({@link io.github.jckks.math.RnsRing#dotPointwise}:
     * each limb of the sum stays in cache while all terms are added): with a prime below 2<sup>31</sup> as unreduced
     * 64-bit integers, reduced once per 2<sup>63</sup>/q<sup>2</sup> terms (8 for 30-bit primes, 2<sup>23</sup> for
     * 20-bit ones) instead of after each; with larger primes each product is reduced. The result equals, residue for
     * residue, the sum of {@link #multiplyPlain} products.
     * Cost: n &middot; size &middot; (l + 1) &middot; N multiply-adds, and one reduction pass per lazy run of terms.
     *
     * @throws IllegalArgumentException if the arrays are empty or of different lengths, or the operands disagree in
     *                                  level, size or scale
     */
    public Ciphertext dotPlain(Ciphertext[] cts, Plaintext[] pts) {
        if (cts.length == 0 || cts.length != pts.length) {
            throw new IllegalArgumentException("dotPlain needs as many plaintexts as ciphertexts, at least one: got "
                    + cts.length + " and " + pts.length);
        }
        Ciphertext first = cts[0];
        for (int i = 0; i < cts.length; i++) {
            Ciphertext c = cts[i];
            checkCompatible(first, c);
            checkPlain(c, pts[i]);
            if (c.level() != first.level() || c.size() != first.size()) {
                throw new IllegalArgumentException("dotPlain: ciphertext " + i + " (" + c + ") differs in level or size from "
                        + first);
            }
            checkScales("dotPlain ciphertext " + i, first.scale(), c.scale());
            checkScales("dotPlain plaintext " + i, pts[0].scale(), pts[i].scale());
        }
        double scale = productScale(first.scale(), pts[0].scale(), first.level());
        int k = first.level() + 1;
        RnsPoly[] acc = new RnsPoly[first.size()];
        for (int p = 0; p < acc.length; p++) {
            acc[p] = rq.newPoly(k, true);
        }
        RnsPoly[] ms = new RnsPoly[pts.length];
        for (int i = 0; i < pts.length; i++) {
            ms[i] = pts[i].poly();
        }
        RnsPoly[] parts = new RnsPoly[cts.length];
        for (int p = 0; p < acc.length; p++) {
            for (int i = 0; i < cts.length; i++) {
                parts[i] = cts[i].partForReading(p);
            }
            rq.dotPointwise(parts, ms, acc[p]);
        }
        return new Ciphertext(acc, scale);
    }

    /**
     * The dot product &Sigma;<sub>i</sub> w<sub>i</sub> &middot; cts[i] with real weights encoded at {@code scale} (scalar
     * encoding: one residue per prime), left unrescaled at scale ct.scale &middot; scale (lazy rescaling; with
     * {@code scale} = {@link #rescaleDivisor} one rescale afterwards restores the ciphertexts' scale). The sums are
     * accumulated limb by limb as unreduced 64-bit integers ({@link io.github.jckks.math.RnsRing#dotScalar}) and reduced
     * once per 2<sup>63</sup>/q<sup>2</sup> terms instead of after each: the lazily reduced form of a loop of
     * {@link #multiplyScalarAddInPlace}, with the same residues. Zero weights are skipped. The ciphertexts share a
     * level, a size and a scale.
     * Cost: n &middot; size &middot; (l + 1) &middot; N multiply-adds, and one reduction pass per lazy run of terms.
     *
     * @throws IllegalArgumentException if the arrays are empty or of different lengths, the ciphertexts disagree in
     *                                  level, size or scale, or a weight overflows (as {@link #multiplyScalar})
     */
    public Ciphertext dotScalar(Ciphertext[] cts, double[] weights, double scale) {
        if (cts.length == 0 || cts.length != weights.length) {
            throw new IllegalArgumentException("dotScalar needs as many weights as ciphertexts, at least one: got "
                    + weights.length + " and " + cts.length);
        }
        Ciphertext first = cts[0];
        long[][] residues = new long[cts.length][];
        for (int i = 0; i < cts.length; i++) {
            Ciphertext c = cts[i];
            checkCompatible(first, c);
            if (c.level() != first.level() || c.size() != first.size()) {
                throw new IllegalArgumentException("dotScalar: ciphertext " + i + " (" + c + ") differs in level or size from "
                        + first);
            }
            checkScales("dotScalar ciphertext " + i, first.scale(), c.scale());
            residues[i] = weights[i] == 0 ? null : scalarResidues(weights[i], scale, c.level());
        }
        double newScale = productScale(first.scale(), scale, first.level());
        int k = first.level() + 1;
        RnsPoly[] acc = new RnsPoly[first.size()];
        RnsPoly[] parts = new RnsPoly[cts.length];
        for (int p = 0; p < acc.length; p++) {
            acc[p] = rq.newPoly(k, true);
            for (int i = 0; i < cts.length; i++) {
                parts[i] = cts[i].partForReading(p);
            }
            rq.dotScalar(parts, residues, acc[p]);
        }
        return new Ciphertext(acc, newScale);
    }

    /**
     * The dot product &Sigma;<sub>i</sub> a[i] &middot; b[i] of two-part ciphertexts, as one three-part ciphertext, neither
     * relinearized nor rescaled (relinearize and rescale the sum once: {@link #relinearizeAndRescaleInPlace}). Each
     * part of the tensor product (a<sub>0</sub>b<sub>0</sub>, a<sub>0</sub>b<sub>1</sub> + a<sub>1</sub>b<sub>0</sub>,
     * a<sub>1</sub>b<sub>1</sub>) is summed over all terms limb by limb with lazy reduction
     * ({@link io.github.jckks.math.RnsRing#dotPointwise}); the residues are those of the sum of {@link #multiply}
     * products. The a's share a level and a scale, and so do the b's; their levels must be equal (drop one first).
     * Cost: 4 n (l + 1) N multiply-adds, one reduction pass per lazy run of terms.
     *
     * @throws IllegalArgumentException if the arrays are empty or of different lengths, an operand is not two-part,
     *                                  the operands disagree in level or scale, or the product scale overflows
     */
    public Ciphertext dot(Ciphertext[] a, Ciphertext[] b) {
        if (a.length == 0 || a.length != b.length) {
            throw new IllegalArgumentException("dot needs two arrays of the same length, at least one term: got "
                    + a.length + " and " + b.length);
        }
        int n = a.length;
        for (int i = 0; i < n; i++) {
            checkCompatible(a[0], a[i]);
            checkCompatible(a[0], b[i]);
            if (a[i].size() != 2 || b[i].size() != 2) {
                throw new IllegalArgumentException("dot: term " + i + " is not a product of two-part ciphertexts ("
                        + a[i] + ", " + b[i] + "); relinearize first");
            }
            if (a[i].level() != a[0].level() || b[i].level() != a[0].level()) {
                throw new IllegalArgumentException("dot: term " + i + " (" + a[i] + ", " + b[i] + ") is not at level "
                        + a[0].level() + " (drop the operands to one level first)");
            }
            checkScales("dot a[" + i + "]", a[0].scale(), a[i].scale());
            checkScales("dot b[" + i + "]", b[0].scale(), b[i].scale());
        }
        double scale = productScale(a[0].scale(), b[0].scale(), a[0].level());
        int k = a[0].level() + 1;
        RnsPoly[] x = new RnsPoly[n];
        RnsPoly[] y = new RnsPoly[n];
        RnsPoly c0 = rq.newPoly(k, true);
        RnsPoly c1 = rq.newPoly(k, true);
        RnsPoly c2 = rq.newPoly(k, true);
        for (int i = 0; i < n; i++) {
            x[i] = a[i].partForReading(0);
            y[i] = b[i].partForReading(0);
        }
        rq.dotPointwise(x, y, c0);
        for (int i = 0; i < n; i++) {
            x[i] = a[i].partForReading(1);
            y[i] = b[i].partForReading(1);
        }
        rq.dotPointwise(x, y, c2);
        RnsPoly[] cross = new RnsPoly[2 * n];
        RnsPoly[] crossOther = new RnsPoly[2 * n];
        for (int i = 0; i < n; i++) {
            cross[2 * i] = a[i].partForReading(0);
            crossOther[2 * i] = b[i].partForReading(1);
            cross[2 * i + 1] = a[i].partForReading(1);
            crossOther[2 * i + 1] = b[i].partForReading(0);
        }
        rq.dotPointwise(cross, crossOther, c1);
        return new Ciphertext(new RnsPoly[] {c0, c1, c2}, scale);
    }

    /**
     * @return ct &middot; c for an integer c, exactly, with unchanged scale: a copy for 1, a negation for -1, the
     * trivial (not randomized) encryption (0, 0) of zero at the same level and scale for 0, one Shoup product per
     * residue otherwise. The caller keeps |c| &middot; |value| &middot; scale below Q<sub>l</sub>/2: the evaluator
     * knows the scale but not the values (a factor of 4096 is exact on values of 10<sup>-3</sup> at level 0 and
     * overflows on values of 1), as in SEAL and Lattigo; scales whose product overflows are refused
     */
    public Ciphertext multiplyInteger(Ciphertext ct, long c) {
        Ciphertext r = ct.copy();
        if (c == 1) {
            return r;
        }
        if (c == -1) {
            negateInPlace(r);
            return r;
        }
        if (c == 0) {
            for (int i = 0; i < r.size(); i++) {
                r.part(i).clear();
            }
            r.clearSeed();
            return r;
        }
        for (int i = 0; i < r.size(); i++) {
            rq.mulInteger(r.part(i), c, r.part(i));
        }
        r.clearSeed();
        return r;
    }

    /** @return ct &middot; i (every slot multiplied by the imaginary unit): a product by X<sup>N/2</sup>, exact */
    public Ciphertext multiplyByI(Ciphertext ct) {
        Ciphertext r = ct.copy();
        multiplyByIInPlace(r);
        return r;
    }

    /** ct = ct &middot; i. */
    public void multiplyByIInPlace(Ciphertext ct) {
        for (int i = 0; i < ct.size(); i++) {
            rq.mulPointwise(ct.part(i), imaginaryUnit, ct.part(i));
        }
        ct.clearSeed();
    }

    // ============================================================== levels

    /**
     * @return ct rescaled: divided by its last prime q<sub>l</sub> with rounding, scale / q<sub>l</sub>, level l - 1;
     *         with composite scaling (degree d &gt; 1) divided by the product of its last d primes, level l - d
     */
    public Ciphertext rescale(Ciphertext ct) {
        Ciphertext r = ct.copy();
        rescaleInPlace(r);
        return r;
    }

    /**
     * Rescales in place. Cost per part: one inverse NTT and l forward NTTs (composite degree d: d inverse and
     * l + 1 - d forward NTTs and an exact conversion from d primes).
     */
    public void rescaleInPlace(Ciphertext ct) {
        int l = ct.level();
        int d = context.parameters().compositeDegree();
        if (l < d) {
            throw new IllegalArgumentException("cannot rescale " + ct + ": " + (l == 0 ? "no prime left to divide by"
                    : "a rescale divides by " + d + " primes (composite degree) and must leave one"));
        }
        double ql = rescaleDivisor(l); // refuses a level that splits a group of d primes
        RnsPoly[] parts = new RnsPoly[ct.size()];
        if (d > 1) {
            RnsPoly conv = workspace.get().conv.all;
            for (int i = 0; i < parts.length; i++) {
                RnsPoly p = ct.part(i);
                RnsPoly out = p.view(l + 1 - d);
                context.rescaleComposite(p, out, conv);
                parts[i] = out;
            }
            ct.replace(parts, ct.scale() / ql);
            return;
        }
        for (int i = 0; i < parts.length; i++) {
            RnsPoly p = ct.part(i);
            RnsPoly out = p.view(l);
            rq.rescale(p, out);
            parts[i] = out;
        }
        ct.replace(parts, ct.scale() / ql);
    }

    /** @return ct at a lower level (primes dropped; message and scale unchanged) */
    public Ciphertext dropLevel(Ciphertext ct, int level) {
        Ciphertext r = ct.copy();
        dropLevelInPlace(r, level);
        return r;
    }

    /** Drops primes of ct down to {@code level}. Free: the limbs are released. */
    public void dropLevelInPlace(Ciphertext ct, int level) {
        if (level < 0 || level > ct.level()) {
            throw new IllegalArgumentException("cannot move " + ct + " to level " + level + ": levels only go down");
        }
        if (level == ct.level()) {
            return;
        }
        RnsPoly[] parts = new RnsPoly[ct.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = ct.part(i).view(level + 1);
        }
        ct.replace(parts, ct.scale());
    }

    // ============================================================== key switching

    /** @return a two-part ciphertext decrypting like the three-part {@code ct} (relinearization key needed) */
    public Ciphertext relinearize(Ciphertext ct) {
        Ciphertext r = ct.copy();
        relinearizeInPlace(r);
        return r;
    }

    /**
     * Relinearizes in place: (c<sub>0</sub>, c<sub>1</sub>, c<sub>2</sub>) -&gt; (c<sub>0</sub> + u<sub>0</sub>, c<sub>1</sub> +
     * u<sub>1</sub>) with u<sub>0</sub> + u<sub>1</sub>s &asymp; c<sub>2</sub>s<sup>2</sup>. No-op on two-part ciphertexts.
     * Cost: one hybrid key switch.
     */
    public void relinearizeInPlace(Ciphertext ct) {
        if (ct.size() == 2) {
            return;
        }
        KeySwitchKey key = keys == null ? null : keys.relinearization();
        requireKeySwitching("relinearization");
        if (key == null) {
            throw new IllegalStateException("relinearization needs a relinearization key: none was given to this evaluator");
        }
        RnsPoly c0 = ct.part(0);
        RnsPoly c1 = ct.part(1);
        keySwitch(ct.part(2), key, c0, c0, c1, c1); // (c0 + u0, c1 + u1), added in ModDown's last pass
        ct.replace(new RnsPoly[] {c0, c1}, ct.scale());
    }

    /**
     * {@link #relinearizeInPlace} then {@link #rescaleInPlace} in one step, with a single division: the key switch's
     * products (acc<sub>0</sub>, acc<sub>1</sub>) modulo Q<sub>l</sub>P are added to P c<sub>0</sub> and P c<sub>1</sub> and
     * divided by P q<sub>l-d+1</sub>&middot;&middot;&middot;q<sub>l</sub> at once (the ModDown merged into the rescale, as in
     * Kim, Jung, Lee, Song: "Over 100x Faster Bootstrapping...", 2021): round((P c + acc) / (P q)) = c / q + acc / (P q),
     * rounded once. Saves, per part, the l + 1 forward NTTs and the conversion that ModDown's intermediate result would
     * take: 0.81x the two steps' time at N = 8192, 0.89x at 16384 (composite chains). The result decrypts as the two steps' does, within
     * their rounding (one coefficient unit). A two-part ciphertext is only rescaled.
     *
     * @throws IllegalStateException    without a relinearization key, or with parameters that cannot switch keys
     * @throws IllegalArgumentException if the level is too low to rescale (or splits a composite level)
     */
    public void relinearizeAndRescaleInPlace(Ciphertext ct) {
        if (ct.size() == 2) {
            rescaleInPlace(ct);
            return;
        }
        KeySwitchKey key = keys == null ? null : keys.relinearization();
        requireKeySwitching("relinearization");
        if (key == null) {
            throw new IllegalStateException("relinearization needs a relinearization key: none was given to this evaluator");
        }
        int l = ct.level();
        int d = Math.max(1, context.parameters().compositeDegree());
        if (l < d) {
            throw new IllegalArgumentException("cannot rescale " + ct + ": " + (l == 0 ? "no prime left to divide by"
                    : "a rescale divides by " + d + " primes (composite degree) and must leave one"));
        }
        double divisor = rescaleDivisor(l); // refuses a level that splits a group of d primes
        int k = l + 1;
        Workspace w = workspace.get();
        keySwitchProducts(ct.part(2), key, w);
        long[] pModQ = context.pModQ();
        RnsPoly[] parts = new RnsPoly[2];
        for (int p = 0; p < 2; p++) {
            RnsPoly accQ = (p == 0 ? w.acc0Q : w.acc1Q).view(k);
            RnsPoly c = ct.part(p);
            rq.mulScalarAdd(c, pModQ, accQ); // P c + acc modulo Q_l (P c vanishes modulo P)
            RnsPoly out = c.view(k - d);
            context.modDownAndRescale(accQ, p == 0 ? w.acc0P : w.acc1P, out, w.conv.view(k - d));
            parts[p] = out;
        }
        ct.replace(parts, ct.scale() / divisor);
    }

    /** @return ct with its slots rotated left by {@code steps} (a Galois key for the step is needed) */
    public Ciphertext rotate(Ciphertext ct, int steps) {
        if (Math.floorMod(steps, context.n() / 2) == 0) {
            return ct.copy();
        }
        return applyGalois(ct, GaloisElements.forRotation(context.n(), steps), "rotation by " + steps, null);
    }

    /**
     * {@link #rotate} into caller-supplied polynomials ({@code out}: ct.size() distinct polynomials of ct.level() + 1
     * limbs that share no limb array with ct), as SEAL's {@code rotate_vector(ct, steps, keys, destination)}.
     *
     * @return the rotated ciphertext, whose parts are {@code out}
     */
    public Ciphertext rotateInto(Ciphertext ct, int steps, RnsPoly[] out) {
        if (Math.floorMod(steps, context.n() / 2) == 0) {
            RnsPoly[] parts = outputs(out, ct.size(), ct.level() + 1, "rotate", ct);
            copyParts(ct, parts, 0);
            return new Ciphertext(parts, ct.scale());
        }
        return applyGalois(ct, GaloisElements.forRotation(context.n(), steps), "rotation by " + steps, out);
    }

    /**
     * Rotations of one ciphertext by several steps that share one decomposition (<b>hoisting</b>, Halevi and Shoup
     * 2018; what Lattigo's {@code RotateHoisted} and OpenFHE's {@code EvalFastRotation} offer): c<sub>1</sub> is
     * brought to coefficient form and every digit extended to Q<sub>l</sub>&middot;P (ModUp) once; each rotation then
     * permutes the extended digits in the NTT domain (the automorphism commutes with the digit decomposition and the
     * exact basis extension), multiplies them by its key and divides by P (ModDown). Since &Sigma;<sub>j</sub>
     * &sigma;(D<sub>j</sub>) K<sub>j</sub> = &sigma;(&Sigma;<sub>j</sub> D<sub>j</sub> &sigma;<sup>-1</sup>(K<sub>j</sub>)),
     * a step multiplies the unpermuted digits by its key permuted by &sigma;<sup>-1</sup> and permutes only the two
     * sums (as Lattigo, whose Galois keys are made that way; the keys here are SEAL's, so the evaluator makes and
     * keeps a permuted copy of each key on its first hoisted use). The results are, residue for residue,
     * those of {@link #rotate} for each step (steps that are multiples of N/2 give copies). Cost: l + 1 inverse NTTs
     * and the ModUps' NTTs once, then per step the key products, 2 (l + 1 + k) permuted limbs and one ModDown
     * (2 (k inverse + l + 1 forward) NTTs), against all of that per step for separate rotations; memory: the extended
     * digits, digits &middot; (l + 1 + k) &middot; N residues, and the permuted copy of each key used (kept by this
     * evaluator).
     *
     * @return one ciphertext per step, in the order of {@code steps}
     * @throws IllegalArgumentException if ct is not a two-part ciphertext
     * @throws IllegalStateException    if a step has no Galois key
     */
    public Ciphertext[] rotateHoisted(Ciphertext ct, int... steps) {
        if (ct.size() != 2) {
            throw new IllegalArgumentException("rotateHoisted needs a two-part ciphertext (relinearize first)");
        }
        boolean any = false;
        for (int step : steps) {
            if (Math.floorMod(step, context.n() / 2) != 0) {
                galoisKey(GaloisElements.forRotation(context.n(), step), "rotation by " + step); // refuses before work
                any = true;
            }
        }
        Ciphertext[] out = new Ciphertext[steps.length];
        HoistedCiphertext h = any ? hoist(ct) : null;
        for (int i = 0; i < steps.length; i++) {
            out[i] = Math.floorMod(steps[i], context.n() / 2) == 0 ? ct.copy() : rotate(h, steps[i]);
        }
        return out;
    }

    /**
     * Decomposes c<sub>1</sub> of {@code ct} and extends every digit to Q<sub>l</sub>&middot;P once, for several
     * {@link #rotate(HoistedCiphertext, int)} and {@link #conjugate(HoistedCiphertext)} (hoisting; see
     * {@link #rotateHoisted}). Cost: l + 1 inverse NTTs and the ModUps (their conversions and forward NTTs), as one key
     * switch's first half; memory: see {@link HoistedCiphertext}.
     *
     * @throws IllegalArgumentException if ct is not a two-part ciphertext
     * @throws IllegalStateException    if the parameters have no special prime
     */
    public HoistedCiphertext hoist(Ciphertext ct) {
        if (ct.size() != 2) {
            throw new IllegalArgumentException("hoist needs a two-part ciphertext (relinearize first)");
        }
        requireKeySwitching("hoisting");
        checkCompatible(ct, ct);
        int n = context.n();
        int level = ct.level();
        int k = level + 1;
        int kp = rp.basis().size();
        int digits = context.digitCount(level);
        Workspace w = workspace.get();
        RnsPoly c1 = ct.partForReading(1);
        RnsPoly dCoeff = w.dCoeff.view(k);
        dCoeff.copyFrom(c1);
        rq.intt(dCoeff);
        RnsPoly[] extQ = new RnsPoly[digits];
        RnsPoly[] extP = new RnsPoly[digits];
        for (int j = 0; j < digits; j++) {
            CkksContext.ModUpPlan plan = context.modUp(level, j);
            // the extension writes straight into fresh limbs, NTT'd in place; the digit's own primes copy c1's
            RnsPoly q = rq.newPoly(k, true);
            long[][] targets = new long[plan.targetQ.length + kp][];
            for (int t = 0; t < plan.targetQ.length; t++) {
                targets[t] = q.limb(plan.targetQ[t]);
            }
            for (int i = plan.start; i < plan.end; i++) {
                System.arraycopy(c1.limb(i), 0, q.limb(i), 0, n);
            }
            RnsPoly p = rp.newPoly(kp, false);
            for (int m = 0; m < kp; m++) {
                targets[plan.targetQ.length + m] = p.limb(m);
            }
            RnsPoly source = w.modUp(level, j, plan, kp)[0]; // the workspace's view of dCoeff's digit limbs
            plan.extension.convertExactForNtt(source, new RnsPoly(targets, false));
            for (int t : plan.targetQ) {
                rq.kernel(t).forward(q.limb(t), rq.tables(t));
            }
            rp.ntt(p);
            extQ[j] = q;
            extP[j] = p;
        }
        return new HoistedCiphertext(context.parameters(), ct.partForReading(0).copy(), extQ, extP, ct.scale());
    }

    /**
     * The rotation by {@code steps} of a hoisted ciphertext: residue for residue {@link #rotate(Ciphertext, int)} of
     * the ciphertext it was made from. Cost: the key products over the extended digits, 2 (l + 1 + k) permuted limbs
     * and one ModDown; the first hoisted use of a Galois key also makes its permuted copy (4 &middot; digits
     * automorphisms of the key's polynomials, less than a rotation's time; kept by this evaluator). The identity step
     * gives the ciphertext back in full form (a seed it had is not kept).
     *
     * @throws IllegalArgumentException if h was made with other parameters
     * @throws IllegalStateException    if the step has no Galois key
     */
    public Ciphertext rotate(HoistedCiphertext h, int steps) {
        checkHoisted(h);
        if (Math.floorMod(steps, context.n() / 2) == 0) {
            // the identity: c1's residues are the digits' own primes
            RnsPoly c1 = rq.newPoly(h.level() + 1, true);
            for (int j = 0; j < h.digits(); j++) {
                CkksContext.ModUpPlan plan = context.modUp(h.level(), j);
                for (int i = plan.start; i < plan.end; i++) {
                    System.arraycopy(h.digitQ(j).limb(i), 0, c1.limb(i), 0, context.n());
                }
            }
            return new Ciphertext(new RnsPoly[] {h.c0().copy(), c1}, h.scale());
        }
        int g = GaloisElements.forRotation(context.n(), steps);
        return applyHoisted(h, g, galoisKey(g, "rotation by " + steps));
    }

    /** The conjugation of a hoisted ciphertext: residue for residue {@link #conjugate(Ciphertext)}. */
    public Ciphertext conjugate(HoistedCiphertext h) {
        checkHoisted(h);
        int g = GaloisElements.conjugation(context.n());
        return applyHoisted(h, g, galoisKey(g, "conjugation"));
    }

    /** Refuses a hoisted ciphertext of other parameters (its digits would not match this evaluator's keys). */
    private void checkHoisted(HoistedCiphertext h) {
        if (!h.parameters().sameFingerprint(context.parameters())) {
            throw new IllegalArgumentException(h + " and this evaluator come from different parameter sets ("
                    + h.parameters() + " vs " + context.parameters() + ")");
        }
    }

    /** @return the Galois key of element g, refusing a missing one naming {@code what} */
    private KeySwitchKey galoisKey(int g, String what) {
        requireKeySwitching(what);
        KeySwitchKey key = keys == null ? null : keys.galois(g);
        if (key == null) {
            throw new IllegalStateException("no Galois key for " + what + " (Galois element " + g
                    + "): generate it with KeyGenerator.evaluationKeys");
        }
        return key;
    }

    /**
     * sigma_g of a hoisted ciphertext: sum_j sigma_g(D_j) K_j = sigma_g(sum_j D_j sigma_g^-1(K_j)), the extended
     * digits times the key permuted by sigma_g^-1 (made once per element), the two sums permuted, ModDown added to
     * sigma_g(c0).
     */
    private Ciphertext applyHoisted(HoistedCiphertext h, int g, KeySwitchKey key) {
        int k = h.level() + 1;
        int digits = h.digits();
        boolean lazy = context.lazyKeySwitching(digits);
        Workspace w = workspace.get();
        KeySwitchKey permuted = hoistingKey(g, key);
        startAccumulation(k, lazy, w);
        for (int j = 0; j < digits; j++) {
            accumulateDigit(h.digitQ(j), h.digitP(j), permuted, j, digits, lazy, w);
        }
        finishAccumulation(k, lazy, w);
        RnsPoly sum0Q = w.conj0.view(k);
        RnsPoly sum1Q = w.conj1.view(k);
        RnsPoly sum0P = w.hoistedP(0, rp);
        RnsPoly sum1P = w.hoistedP(1, rp);
        rq.automorphism(w.acc0Q.view(k), g, sum0Q);
        rq.automorphism(w.acc1Q.view(k), g, sum1Q);
        rp.automorphism(w.acc0P, g, sum0P);
        rp.automorphism(w.acc1P, g, sum1P);
        RnsPoly c0 = rq.newPoly(k, true);
        RnsPoly c1 = rq.newPoly(k, true);
        rq.automorphism(h.c0(), g, c0);
        context.modDown(sum0Q, sum0P, c0, c0, w.conv.view(k));
        context.modDown(sum1Q, sum1P, null, c1, w.conv.view(k));
        return new Ciphertext(new RnsPoly[] {c0, c1}, h.scale());
    }

    /**
     * @return the Galois key of element g with every digit polynomial permuted by &sigma;<sub>g</sub><sup>-1</sup>
     *         (NTT form), made once per element and kept (see {@link #hoistingKeys})
     */
    private KeySwitchKey hoistingKey(int galois, KeySwitchKey key) {
        return hoistingKeys.computeIfAbsent(galois, g -> {
            int twoN = 2 * context.n();
            int inverse = java.math.BigInteger.valueOf(g).modInverse(java.math.BigInteger.valueOf(twoN)).intValue();
            int digits = key.digits();
            RnsPoly[][] parts = new RnsPoly[4][digits];
            for (int part = KeySwitchKey.BQ; part <= KeySwitchKey.AP; part++) {
                RnsRing ring = part == KeySwitchKey.BQ || part == KeySwitchKey.AQ ? rq : rp;
                for (int j = 0; j < digits; j++) {
                    RnsPoly src = part == KeySwitchKey.BQ ? key.bQ(j) : part == KeySwitchKey.BP ? key.bP(j)
                            : part == KeySwitchKey.AQ ? key.aQ(j) : key.aP(j);
                    RnsPoly dst = ring.newPoly(src.limbCount(), true);
                    ring.automorphism(src, inverse, dst);
                    parts[part][j] = dst;
                }
            }
            return KeySwitchKey.of(context, KeySwitchKey.UNKNOWN_SOURCE, parts[KeySwitchKey.BQ], parts[KeySwitchKey.BP],
                    parts[KeySwitchKey.AQ], parts[KeySwitchKey.AP]);
        });
    }

    /** @return ct with every slot complex-conjugated (the conjugation key is needed) */
    public Ciphertext conjugate(Ciphertext ct) {
        return applyGalois(ct, GaloisElements.conjugation(context.n()), "conjugation", null);
    }

    /** {@link #conjugate} into caller-supplied polynomials, as {@link #rotateInto}. */
    public Ciphertext conjugateInto(Ciphertext ct, RnsPoly[] out) {
        return applyGalois(ct, GaloisElements.conjugation(context.n()), "conjugation", out);
    }

    /**
     * @return a ciphertext whose every slot holds the sum of all N/2 slots of ct: log2(N/2) rotations by
     * powers of two (keys for steps 1, 2, 4, ... are needed)
     */
    public Ciphertext sumSlots(Ciphertext ct) {
        Ciphertext acc = ct.copy();
        for (int step = 1; step < context.n() / 2; step <<= 1) {
            Ciphertext r = rotate(acc, step);
            addInPlace(acc, r);
        }
        return acc;
    }

    /**
     * The element-wise product of two complex-packed ciphertexts: for a = x + i y and b = u + i v (two real
     * batches each), returns x u + i y v (not the complex product). With P = ab and R = a b&#772;:
     * x u + i y v = ((1-i)/2) Re P + ((1+i)/2) Re R = T + conj(U) / 4 with T = (P + R) - i(P - R) and
     * U = (P + R) + i(P - R), all computed without rescaling; the factor 1/4 goes into the scale. Needs the
     * relinearization and conjugation keys. Cost: four key switches (conj b, relinearize T and U, conj U).
     */
    public Ciphertext multiplyComplexPacked(Ciphertext a, Ciphertext b) {
        Ciphertext bConj = conjugate(b);
        Ciphertext p = multiply(a, b);
        Ciphertext r = multiply(a, bConj);
        Ciphertext s = add(p, r);
        Ciphertext d = sub(p, r);
        multiplyByIInPlace(d);
        Ciphertext t = sub(s, d);
        Ciphertext u = add(s, d);
        relinearizeInPlace(t);
        relinearizeInPlace(u);
        addInPlace(t, conjugate(u));
        t.replace(partsOf(t), t.scale() * 4);
        return t;
    }

    private Ciphertext applyGalois(Ciphertext ct, int galois, String what, RnsPoly[] out) {
        if (ct.size() != 2) {
            throw new IllegalArgumentException(what + " needs a two-part ciphertext (relinearize first)");
        }
        KeySwitchKey key = galoisKey(galois, what);
        int k = ct.level() + 1;
        RnsPoly[] c = outputs(out, 2, k, what, ct);
        Workspace w = workspace.get();
        RnsPoly rotated1 = w.rotated.view(k);
        rq.automorphism(ct.partForReading(0), galois, c[0]);
        rq.automorphism(ct.partForReading(1), galois, rotated1);
        keySwitch(rotated1, key, c[0], c[0], null, c[1]); // c0 = sigma(c0) + u0, added in ModDown's last pass
        return new Ciphertext(c, ct.scale());
    }

    /**
     * Hybrid key switching: writes (u<sub>0</sub>, u<sub>1</sub>) modulo Q<sub>l</sub> with u<sub>0</sub> + u<sub>1</sub>s &asymp;
     * d s' for the key from s' to s. d is split into digits of &alpha; primes; each digit is extended to
     * Q<sub>l</sub>&middot;P (ModUp), multiplied by the key's digit and accumulated; the sums are divided by P
     * (ModDown), each added to its addend in ModDown's last pass: out0 = add0 + u<sub>0</sub>, out1 = add1 +
     * u<sub>1</sub> (an addend may be its output, or null for none). d must not alias the outputs.
     */
    private void keySwitch(RnsPoly d, KeySwitchKey key, RnsPoly add0, RnsPoly out0, RnsPoly add1, RnsPoly out1) {
        Workspace w = workspace.get();
        keySwitchProducts(d, key, w);
        int k = d.limbCount();
        context.modDown(w.acc0Q.view(k), w.acc0P, add0, out0, w.conv.view(k));
        context.modDown(w.acc1Q.view(k), w.acc1P, add1, out1, w.conv.view(k));
    }

    /**
     * The products of key switching before its ModDown: the digits of d (ModUp) times the key, summed into w's
     * accumulators acc0 and acc1 modulo Q<sub>l</sub> (first l + 1 limbs) and P, reduced, NTT form.
     */
    private void keySwitchProducts(RnsPoly d, KeySwitchKey key, Workspace w) {
        int level = d.limbCount() - 1;
        int k = level + 1;
        int kp = rp.basis().size();
        RnsPoly dCoeff = w.dCoeff.view(k);
        dCoeff.copyFrom(d);
        rq.intt(dCoeff);
        RnsPoly digitQ = w.digitQ.view(k);
        RnsPoly digitP = w.digitP;
        int digits = context.digitCount(level);
        // lazy accumulation: with primes below 2^31, the digits' products add up unreduced in 64 bits and are
        // reduced once (Lattigo and SEAL do the same), instead of a reduction per digit; the first digit's products
        // are written, not added, so the accumulators need no clearing
        boolean lazy = context.lazyKeySwitching(digits);
        startAccumulation(k, lazy, w);
        long[][] full = w.digitLimbs(level); // digit j modulo Q_l: its limbs are repointed per digit below
        RnsPoly digit = w.digit(level);
        for (int j = 0; j < digits; j++) {
            CkksContext.ModUpPlan plan = context.modUp(level, j);
            RnsPoly[] srcDst = w.modUp(level, j, plan, kp); // views of dCoeff's digit limbs and of the targets
            // centred digit: an uncentred one (mean Q_j/2) adds (Q_j/2P)(1 + X + ... + X^(N-1)) e_j, a spike at slot 0
            plan.extension.convertExactForNtt(srcDst[0], srcDst[1]); // all NTT'd next
            for (int t : plan.targetQ) {
                rq.kernel(t).forward(digitQ.limb(t), rq.tables(t));
            }
            // the digit's own primes hold d itself (NTT form): read them in place instead of copying
            for (int i = 0; i < k; i++) {
                full[i] = i >= plan.start && i < plan.end ? d.limb(i) : digitQ.limb(i);
            }
            digit.setNtt(true);
            digitP.setNtt(false);
            rp.ntt(digitP);
            accumulateDigit(digit, digitP, key, j, digits, lazy, w);
        }
        for (int i = 0; i < k; i++) {
            full[i] = digitQ.limb(i); // hold no reference to the caller's d between calls
        }
        finishAccumulation(k, lazy, w);
    }

    /**
     * acc += digit j (NTT form, modulo Q_l and P) times the key's digit j, into w's accumulators: lazily (unreduced
     * 64-bit sums, the first digit written rather than added) or reduced term by term (then the accumulators must
     * have been cleared).
     */
    private void accumulateDigit(RnsPoly digitQ, RnsPoly digitP, KeySwitchKey key, int j, int digits, boolean lazy,
                                 Workspace w) {
        int k = digitQ.limbCount();
        RnsPoly acc0Q = w.acc0Q.view(k);
        RnsPoly acc1Q = w.acc1Q.view(k);
        if (lazy && key.isCompact()) { // 32-bit key: half the bytes streamed from memory
            rq.mulAddPointwiseLazy2(digitQ, key.compact(KeySwitchKey.BQ, j), key.compact(KeySwitchKey.AQ, j), acc0Q,
                    acc1Q, j == 0);
            rp.mulAddPointwiseLazy2(digitP, key.compact(KeySwitchKey.BP, j), key.compact(KeySwitchKey.AP, j), w.acc0P,
                    w.acc1P, j == 0);
        } else if (lazy) {
            rq.mulAddPointwiseLazy2(digitQ, key.bQ(j), key.aQ(j), acc0Q, acc1Q, j == 0);
            rp.mulAddPointwiseLazy2(digitP, key.bP(j), key.aP(j), w.acc0P, w.acc1P, j == 0);
        } else {
            if (key.isCompact()) { // compact keys are made only where CkksContext.lazyKeySwitching holds
                throw new IllegalStateException("a compact key-switching key met a non-lazy key switch (" + digits
                        + " digits): the key does not belong to this evaluator's parameters");
            }
            rq.mulAddPointwise(digitQ, key.bQ(j), acc0Q);
            rq.mulAddPointwise(digitQ, key.aQ(j), acc1Q);
            rp.mulAddPointwise(digitP, key.bP(j), w.acc0P);
            rp.mulAddPointwise(digitP, key.aP(j), w.acc1P);
        }
    }

    /** Clears w's accumulators for a key switch of k limbs that reduces term by term (the lazy one needs no clearing). */
    private static void startAccumulation(int k, boolean lazy, Workspace w) {
        if (!lazy) {
            for (RnsPoly acc : new RnsPoly[] {w.acc0Q.view(k), w.acc1Q.view(k), w.acc0P, w.acc1P}) {
                acc.clear();
                acc.setNtt(true);
            }
        }
    }

    /** Reduces w's lazy accumulators of k limbs (nothing to do after a reduced accumulation). */
    private void finishAccumulation(int k, boolean lazy, Workspace w) {
        if (lazy) {
            rq.reduceLazy(w.acc0Q.view(k));
            rq.reduceLazy(w.acc1Q.view(k));
            rp.reduceLazy(w.acc0P);
            rp.reduceLazy(w.acc1P);
        }
    }

    /** Refuses an operation that needs key switching when the parameters have no special prime. */
    private void requireKeySwitching(String what) {
        if (rp == null) {
            throw new IllegalStateException(what + " is impossible with " + context.parameters()
                    + ": it has no special prime, so key switching is disabled and no relinearization, rotation or "
                    + "conjugation key can exist (a three-part product decrypts directly, with s^2); build the "
                    + "parameters with a special prime to use it");
        }
    }

    /**
     * Per-thread scratch for key switching, sized for the top level (its P parts null when there is no special prime).
     * Static: holds no evaluator.
     */
    private static final class Workspace {
        final Viewed dCoeff;
        final Viewed digitQ;
        final RnsPoly digitP;
        final Viewed acc0Q;
        final Viewed acc1Q;
        final RnsPoly acc0P;
        final RnsPoly acc1P;
        final Viewed conv;
        final Viewed rotated;
        final Viewed conj0;
        final Viewed conj1;
        /** Per level: the limbs of the digit being multiplied (repointed per digit) and the polynomial over them. */
        private final long[][][] digitLimbs;
        private final RnsPoly[] digit;
        /** Per level and digit: the ModUp's source (dCoeff's digit limbs) and targets (digitQ's others, digitP). */
        private final RnsPoly[][][] modUp;
        /** The two permuted P parts of a hoisted automorphism's sums, made on first use. */
        private final RnsPoly[] hoistedP = new RnsPoly[2];

        RnsPoly hoistedP(int i, RnsRing rp) {
            if (hoistedP[i] == null) {
                hoistedP[i] = rp.newPoly(rp.basis().size(), true);
            }
            return hoistedP[i];
        }

        Workspace(RnsRing rq, RnsRing rp) {
            int lq = rq.basis().size();
            dCoeff = new Viewed(rq.newPoly(lq, false));
            digitQ = new Viewed(rq.newPoly(lq, true));
            digitP = rp == null ? null : rp.newPoly(rp.basis().size(), true);
            acc0Q = new Viewed(rq.newPoly(lq, true));
            acc1Q = new Viewed(rq.newPoly(lq, true));
            acc0P = rp == null ? null : rp.newPoly(rp.basis().size(), true);
            acc1P = rp == null ? null : rp.newPoly(rp.basis().size(), true);
            conv = new Viewed(rq.newPoly(lq, false));
            rotated = new Viewed(rq.newPoly(lq, true));
            conj0 = new Viewed(rq.newPoly(lq, true));
            conj1 = new Viewed(rq.newPoly(lq, true));
            digitLimbs = new long[lq][][];
            digit = new RnsPoly[lq];
            modUp = new RnsPoly[lq][][];
        }

        long[][] digitLimbs(int level) {
            if (digitLimbs[level] == null) {
                long[][] full = new long[level + 1][];
                for (int i = 0; i <= level; i++) {
                    full[i] = digitQ.all.limb(i);
                }
                digitLimbs[level] = full;
                digit[level] = new RnsPoly(full, true);
            }
            return digitLimbs[level];
        }

        RnsPoly digit(int level) {
            digitLimbs(level);
            return digit[level];
        }

        /** {source, targets} of digit j's ModUp at a level, in coefficient form, made once per thread. */
        RnsPoly[] modUp(int level, int j, CkksContext.ModUpPlan plan, int kp) {
            if (modUp[level] == null) {
                modUp[level] = new RnsPoly[level + 1][];
            }
            RnsPoly[] srcDst = modUp[level][j];
            if (srcDst == null) {
                long[][] src = new long[plan.end - plan.start][];
                for (int i = 0; i < src.length; i++) {
                    src[i] = dCoeff.all.limb(plan.start + i);
                }
                long[][] dst = new long[plan.targetQ.length + kp][];
                for (int t = 0; t < plan.targetQ.length; t++) {
                    dst[t] = digitQ.all.limb(plan.targetQ[t]);
                }
                for (int m = 0; m < kp; m++) {
                    dst[plan.targetQ.length + m] = digitP.limb(m);
                }
                srcDst = new RnsPoly[] {new RnsPoly(src, false), new RnsPoly(dst, false)};
                modUp[level][j] = srcDst;
            }
            srcDst[0].setNtt(false);
            srcDst[1].setNtt(false);
            return srcDst;
        }
    }

    /**
     * A workspace polynomial and its views of the first k limbs, each made once: {@link #view} hands out the same
     * object for the same k, in the form the polynomial was made in (as a fresh {@link RnsPoly#view} would be).
     */
    private static final class Viewed {
        final RnsPoly all;
        private final RnsPoly[] byCount;

        Viewed(RnsPoly all) {
            this.all = all;
            this.byCount = new RnsPoly[all.limbCount() + 1];
        }

        RnsPoly view(int k) {
            RnsPoly v = byCount[k];
            if (v == null) {
                v = all.view(k);
                byCount[k] = v;
            }
            v.setNtt(all.isNtt());
            return v;
        }
    }

    // ============================================================== helpers

    /**
     * Under composite scaling (degree d &gt; 1) a rescale must divide by the d primes of one level: the prime count
     * l + 1 must be a multiple of d (dropLevel to another level splits a level).
     */
    private void checkWholeLevels(int level, String what) {
        int d = context.parameters().compositeDegree();
        if (d > 1 && (level + 1) % d != 0) {
            throw new IllegalArgumentException("cannot " + what + ": with composite degree " + d + " the " + (level + 1)
                    + " primes at level " + level + " split a level (a rescale would divide by primes of two levels);"
                    + " drop to a level l with l + 1 a multiple of " + d);
        }
    }

    /** @return the value of q<sub>l</sub>, the last prime at {@code level} */
    public double lastPrime(int level) {
        return rq.modulus(level).value();
    }

    /**
     * @return what a rescale at {@code level} divides by: q<sub>l</sub>, or with composite degree d the product
     *         q<sub>l-d+1</sub> &middot;&middot;&middot; q<sub>l</sub> (the scale at which a constant is encoded so that a
     *         rescale restores the ciphertext's scale)
     * @throws IllegalArgumentException under composite scaling, for a level that holds no whole level to divide by
     */
    public double rescaleDivisor(int level) {
        int d = context.parameters().compositeDegree();
        if (level < 0 || level > context.maxLevel()) {
            throw new IllegalArgumentException("level " + level + " outside [0, " + context.maxLevel() + "]");
        }
        if (d > 1 && level < d) {
            throw new IllegalArgumentException("no rescale at level " + level + ": a rescale divides by " + d
                    + " primes (composite degree) and must leave one");
        }
        checkWholeLevels(level, "rescale at level " + level);
        double divisor = 1;
        for (int i = Math.max(0, level + 1 - d); i <= level; i++) {
            divisor *= rq.modulus(i).value();
        }
        return divisor;
    }

    /** @return round(c &middot; scale) modulo q<sub>0</sub>..q<sub>level</sub> */
    long[] scalarResidues(double c, double scale, int level) {
        double v = Math.rint(c * scale);
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("constant " + c + " times scale " + scale + " is not finite");
        }
        double log2Q = context.log2Q(level);
        if (v != 0 && Math.log(Math.abs(v)) / Math.log(2) >= log2Q - 1) {
            throw new IllegalArgumentException(String.format(
                    "constant %g at scale 2^%.1f overflows the modulus 2^%.1f at level %d", c,
                    Math.log(scale) / Math.log(2), log2Q, level));
        }
        long[] r = new long[level + 1];
        for (int i = 0; i <= level; i++) {
            r[i] = CkksEncoder.reduceLargeDouble(v, rq.modulus(i));
        }
        return r;
    }

    private double productScale(double s1, double s2, int level) {
        double scale = s1 * s2;
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("invalid scale product " + s1 + " x " + s2);
        }
        double log2Q = context.log2Q(level);
        if (Math.log(scale) / Math.log(2) >= log2Q - 1) {
            throw new IllegalArgumentException(String.format(
                    "product scale 2^%.1f (2^%.1f x 2^%.1f) would overflow the modulus 2^%.1f at level %d: rescale first",
                    Math.log(scale) / Math.log(2), Math.log(s1) / Math.log(2), Math.log(s2) / Math.log(2), log2Q, level));
        }
        return scale;
    }

    private static void checkScales(String op, double s1, double s2) {
        if (!(Math.abs(s1 - s2) <= SCALE_TOLERANCE * Math.max(s1, s2))) {
            throw new IllegalArgumentException(String.format(
                    "%s: scales differ (2^%.6f vs 2^%.6f); bring them to the same scale first", op,
                    Math.log(s1) / Math.log(2), Math.log(s2) / Math.log(2)));
        }
    }

    private void checkCompatible(Ciphertext a, Ciphertext b) {
        if (a.n() != context.n() || b.n() != context.n()) {
            throw new IllegalArgumentException("ciphertext degree " + a.n() + "/" + b.n() + " does not match N = " + context.n());
        }
    }

    private void checkPlain(Ciphertext ct, Plaintext pt) {
        if (pt.poly().n() != context.n() || ct.n() != context.n()) {
            throw new IllegalArgumentException("plaintext or ciphertext degree does not match N = " + context.n());
        }
        if (pt.level() < ct.level()) {
            throw new IllegalArgumentException("plaintext at level " + pt.level() + " cannot meet a ciphertext at level "
                    + ct.level() + ": encode it at the ciphertext's level (depth-aware encoding)");
        }
    }

    private static RnsPoly[] partsOf(Ciphertext ct) {
        RnsPoly[] p = new RnsPoly[ct.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = ct.part(i);
        }
        return p;
    }
}
