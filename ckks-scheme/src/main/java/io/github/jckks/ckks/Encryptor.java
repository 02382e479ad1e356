package io.github.jckks.ckks;

import io.github.jckks.math.LimbPool;
import io.github.jckks.math.Prng;
import io.github.jckks.math.RlweSampler;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;

/**
 * Encrypts plaintexts. With a {@link PublicKey}: (c<sub>0</sub>, c<sub>1</sub>) = (b u + e<sub>0</sub> + m, a u +
 * e<sub>1</sub>) with u ternary and e<sub>0</sub>, e<sub>1</sub> Gaussian. With a {@link SecretKey} (the client's
 * cheaper path): (c<sub>0</sub>, c<sub>1</sub>) = (-a s + e + m, a) with a expanded from a fresh 32-byte seed, so
 * the ciphertext can travel at half size ({@link Ciphertext#seed()}). The ciphertext is made at the
 * plaintext's level. Randomness from a SecureRandom-seeded {@link Prng}. Not thread-safe (owns a Prng and
 * scratch buffers): use one per thread. Cost: public key 2 (l+1+k) products, 3 (l+1+k) NTTs and a ModDown by the
 * k special primes (2 k inverse NTTs, 2 (l+1) NTTs); secret key (l+1) products and 1 NTT per prime plus sampling.
 *
 * <p><b>No special prime</b> ({@link CkksParameters#supportsKeySwitching()} false): there is no P to divide by, so
 * public-key encryption (and {@link #encryptZero}) works modulo Q<sub>l</sub> only, as {@link #encryptZeroModQ}:
 * (b u + e<sub>0</sub> + m, a u + e<sub>1</sub>), noise u e + e<sub>0</sub> + e<sub>1</sub> s of standard deviation
 * about 3.2 &radic;(4N/3 + 1) per coefficient (167 at N = 2048, against 3.2 for a secret-key encryption), for 3 (l+1)
 * NTTs and 2 (l+1) products. Secret-key encryption is unchanged.
 *
 * <p>Encryptions of zero for re-randomizing a ciphertext: {@link #encryptZero} (made modulo Q<sub>l</sub>P and divided
 * by P, rounding-size noise) and the cheaper {@link #encryptZeroModQ} / {@link #addEncryptionOfZeroModQ} (modulo
 * Q<sub>l</sub> only, noise of a few hundred, for a ciphertext that is rescaled afterwards).
 */
public final class Encryptor {
    private final CkksContext context;
    private final PublicKey publicKey;
    private final SecretKey secretKey;
    private final Prng prng;
    /** -s in NTT form modulo Q (secret-key encryptors): c0 = m + e - a s is one multiply-add pass. */
    private final RnsPoly negS;
    /** Scratch, allocated on first use: N signed coefficients and two polynomials with L + 1 limbs. */
    private long[] coeffs;
    private RnsPoly scratchU;
    private RnsPoly scratchE;
    /** The fused encode-and-encrypt's scratch: the scaled coefficients (N) and the slots' halves (N/2 each). */
    private double[] scaled;
    private double[] slotsRe;
    private double[] slotsIm;
    /** Where secret-key encryptions take their limbs (null: fresh arrays); see {@link #Encryptor(CkksContext, SecretKey, LimbPool)}. */
    private final LimbPool limbs;

    /** A public-key encryptor. */
    public Encryptor(CkksContext context, PublicKey publicKey) {
        this(context, publicKey, null, Prng.fromSecureRandom());
    }

    /** A secret-key (symmetric) encryptor; its ciphertexts carry the seed of their uniform part. */
    public Encryptor(CkksContext context, SecretKey secretKey) {
        this(context, null, secretKey, Prng.fromSecureRandom());
    }

    /**
     * A secret-key encryptor whose ciphertexts take their limb arrays from {@code limbs} instead of allocating them: for
     * a sender that hands the arrays of what it has sent (serialized) back to the pool, so that a stream of
     * encryptions reuses a few messages' worth of memory. The ciphertexts are those of {@link #Encryptor(CkksContext,
     * SecretKey)}.
     *
     * @throws IllegalArgumentException if the pool's N is not the context's
     */
    public Encryptor(CkksContext context, SecretKey secretKey, LimbPool limbs) {
        this(context, null, secretKey, Prng.fromSecureRandom(), limbs);
    }

    /** Full control, for tests: either key may be null but not both. */
    public Encryptor(CkksContext context, PublicKey publicKey, SecretKey secretKey, Prng prng) {
        this(context, publicKey, secretKey, prng, null);
    }

    private Encryptor(CkksContext context, PublicKey publicKey, SecretKey secretKey, Prng prng, LimbPool limbs) {
        if (publicKey == null && secretKey == null) {
            throw new IllegalArgumentException("an encryptor needs a public or a secret key");
        }
        this.limbs = limbs == null ? null : limbs.requireDegree(context.n());
        this.context = context;
        this.publicKey = publicKey;
        this.secretKey = secretKey;
        this.prng = prng;
        if (secretKey != null) {
            RnsRing rq = context.ringQ();
            this.negS = rq.newPoly(rq.basis().size(), true);
            rq.negate(secretKey.sQ(), negS);
        } else {
            this.negS = null;
        }
    }

    /** @return an encryption of {@code m} at its level and scale */
    public Ciphertext encrypt(Plaintext m) {
        int k = m.level() + 1;
        if (m.poly().n() != context.n()) {
            throw new IllegalArgumentException("plaintext degree " + m.poly().n() + " does not match N = " + context.n());
        }
        if (secretKey == null) {
            return encryptPublic(m.poly(), k, m.scale());
        }
        RnsRing rq = context.ringQ();
        RnsPoly c0 = newPoly(k, false);
        long[] e = coefficients();
        RlweSampler.gaussian(prng, e);
        rq.setSigned(e, c0);
        rq.ntt(c0);
        rq.add(c0, m.poly(), c0);
        return finishSymmetric(c0, k, m.scale());
    }

    /**
     * Encodes and encrypts real values in one pass: the encryption error e is added to the integer
     * coefficients of the message before the NTT, so m + e costs one NTT per prime instead of two (the same
     * ciphertext distribution as {@code encrypt(encoder.encode(values, level, scale))}).
     */
    public Ciphertext encrypt(CkksEncoder encoder, double[] values, int level, double scale) {
        return encrypt(encoder, values, null, level, scale);
    }

    /**
     * Encodes and encrypts the complex vector re + i&middot;im (im may be null; with two real batches this is
     * complex packing, as {@link CkksEncoder#encodeComplexPacked}) in one pass, like
     * {@link #encrypt(CkksEncoder, double[], int, double)}.
     *
     * @throws IllegalArgumentException if the encoder belongs to other parameters (another ring or prime chain)
     */
    public Ciphertext encrypt(CkksEncoder encoder, double[] re, double[] im, int level, double scale) {
        requireOwnParameters(encoder.context());
        if (secretKey == null) {
            return encrypt(encoder.encode(re, im, level, scale)); // the error lives modulo QP there
        }
        if (scaled == null) {
            allocateEncodingScratch();
        }
        return encryptScaled(encoder.scaledCoefficients(re, im, level, scale, slotsRe, slotsIm, scaled), level, scale);
    }

    /**
     * Encodes {@code values} as coefficients ({@link CoefficientEncoder}) and encrypts them in one pass, as
     * {@link #encrypt(CkksEncoder, double[], int, double)} does for slots: the same ciphertext distribution as
     * {@code encrypt(encoder.encode(values, level, scale))} with one NTT per prime fewer (secret key).
     *
     * @throws IllegalArgumentException if the encoder belongs to other parameters, or as {@link CoefficientEncoder#encode}
     */
    public Ciphertext encrypt(CoefficientEncoder encoder, double[] values, int level, double scale) {
        requireOwnParameters(encoder.context());
        if (secretKey == null) {
            return encrypt(encoder.encode(values, level, scale));
        }
        if (scaled == null) {
            allocateEncodingScratch();
        }
        return encryptScaled(encoder.scaledCoefficients(values, level, scale, scaled), level, scale);
    }

    private void allocateEncodingScratch() {
        int n = context.n();
        scaled = new double[n];
        slotsRe = new double[n / 2];
        slotsIm = new double[n / 2];
    }

    /** Refuses an encoder made for other parameters (another ring or prime chain). */
    private void requireOwnParameters(CkksContext encoderContext) {
        if (!encoderContext.parameters().sameFingerprint(context.parameters())) {
            throw new IllegalArgumentException("the encoder belongs to " + encoderContext.parameters()
                    + ", this encryptor to " + context.parameters() + ": encode with an encoder of the encryptor's parameters");
        }
    }

    /**
     * Secret-key encryption of the integer coefficients {@code coeffs} (checked below Q_l/2 by the encoder): the error
     * is added to them before the single NTT per prime.
     */
    private Ciphertext encryptScaled(double[] coeffs, int level, double scale) {
        long[] e = coefficients();
        RlweSampler.gaussian(prng, e);
        int k = level + 1;
        RnsRing rq = context.ringQ();
        RnsPoly c0 = newPoly(k, false);
        boolean small = true;
        for (int j = 0; j < e.length && small; j++) {
            small = Math.abs(coeffs[j]) < 0x1p61;
        }
        if (small) {
            for (int j = 0; j < e.length; j++) {
                e[j] += (long) coeffs[j];
            }
            rq.setSigned(e, c0);
        } else { // huge coefficients (a scale near Q): the message reduced from its doubles, the error added after
            CkksEncoder.setCoefficients(rq, coeffs, c0, level);
            RnsPoly err = rq.newPoly(k, false);
            rq.setSigned(e, err);
            rq.add(c0, err, c0);
        }
        rq.ntt(c0);
        return finishSymmetric(c0, k, scale);
    }

    /** @return a polynomial for a ciphertext part that the caller overwrites: from the pool if there is one */
    private RnsPoly newPoly(int k, boolean ntt) {
        return limbs == null ? context.ringQ().newPoly(k, ntt) : limbs.take(context.ringQ(), k, ntt);
    }

    /** (c0, c1) = (m + e - a s, a), a expanded from a fresh seed (NTT form). */
    private Ciphertext finishSymmetric(RnsPoly c0, int k, double scale) {
        RnsRing rq = context.ringQ();
        byte[] seed = Prng.freshSeed();
        RnsPoly a = newPoly(k, true);
        RlweSampler.uniformFromSeed(seed, rq, a);
        rq.mulAddPointwise(a, negS, c0); // c0 + a (-s): one pass, no temporary
        Ciphertext ct = new Ciphertext(new RnsPoly[] {c0, a}, scale);
        ct.setSeed(seed);
        return ct;
    }

    /**
     * A fresh public-key encryption of zero at {@code level} and {@code scale}, made as {@link #encrypt} makes one:
     * modulo Q<sub>l</sub>P and divided by P, so it decrypts to (u e + e<sub>0</sub> + e<sub>1</sub> s) / P plus
     * rounding (a few units per coefficient). Adding it to a ciphertext that is not rescaled afterwards (a result
     * leaving the server) re-randomizes c<sub>1</sub> at rounding-size cost in precision. No plaintext is allocated.
     * Cost: as a public-key encryption, 3 (l+1+k) NTTs, 2 k inverse NTTs and 2 (l+1) NTTs for k special primes. With
     * no special prime there is no P: it is {@link #encryptZeroModQ}, whose noise is not divided.
     *
     * @throws IllegalStateException    if this encryptor has no public key
     * @throws IllegalArgumentException for a level outside [0, L] or a scale that is not finite and positive
     */
    public Ciphertext encryptZero(int level, double scale) {
        requirePublicKey("encryptZero");
        checkLevel(level);
        return encryptPublic(null, level + 1, Ciphertext.checkScale(scale));
    }

    /**
     * A fresh public-key encryption of zero made modulo Q<sub>l</sub> only, with no special primes and no ModDown:
     * (c<sub>0</sub>, c<sub>1</sub>) = (b u + e<sub>0</sub>, a u + e<sub>1</sub>) at level l, u uniform ternary, e<sub>0</sub>,
     * e<sub>1</sub> Gaussian (&sigma; = 3.2), (b, a) the public key's first l + 1 limbs. c<sub>1</sub> is an RLWE sample, as
     * in {@link #encryptZero}; the difference is the noise: it decrypts to u e + e<sub>0</sub> + e<sub>1</sub> s (e the
     * public key's error), not divided by P, of standard deviation about &sigma; &radic;(4N/3 + 1) per coefficient (237 at
     * N = 4096) and at most 19 (2N + 1) in absolute value. Meant for a ciphertext that is rescaled right after it is
     * re-randomized: the rescale divides that noise by q<sub>l</sub> (far below the rescale's own rounding for
     * q<sub>l</sub> &ge; 2<sup>16</sup>). Cost: 3 (l+1) NTTs and 2 (l+1) pointwise multiply-adds, about half of
     * {@link #encryptZero}.
     *
     * @throws IllegalStateException    if this encryptor has no public key
     * @throws IllegalArgumentException for a level outside [0, L] or a scale that is not finite and positive
     */
    public Ciphertext encryptZeroModQ(int level, double scale) {
        requirePublicKey("encryptZeroModQ");
        checkLevel(level);
        RnsRing rq = context.ringQ();
        Ciphertext ct = new Ciphertext(new RnsPoly[] {rq.newPoly(level + 1, true), rq.newPoly(level + 1, true)},
                Ciphertext.checkScale(scale));
        addEncryptionOfZeroModQ(ct);
        return ct;
    }

    /**
     * ct = ct + {@link #encryptZeroModQ}(ct.level(), ct.scale()), in place: re-randomizes a two-part ciphertext (its
     * c<sub>1</sub> becomes a fresh RLWE sample) and adds u e + e<sub>0</sub> + e<sub>1</sub> s to what it decrypts to
     * (see {@link #encryptZeroModQ}: rescale afterwards). Allocates nothing but small views after the first call.
     * Cost: 3 (l+1) NTTs, 2 (l+1) pointwise multiply-adds and 2 (l+1) additions.
     *
     * @throws IllegalStateException    if this encryptor has no public key
     * @throws IllegalArgumentException if the ciphertext does not have two parts or its degree is not N
     */
    public void addEncryptionOfZeroModQ(Ciphertext ct) {
        checkZeroTarget(ct, "addEncryptionOfZeroModQ");
        RnsRing rq = context.ringQ();
        int k = ct.level() + 1;
        long[] c = coefficients();
        RnsPoly u = ternaryInNttForm(k);
        RnsPoly e = scratchE.view(k);
        RnsPoly c0 = ct.part(0);
        RnsPoly c1 = ct.part(1);
        RlweSampler.gaussian(prng, c);
        rq.setSigned(c, e);
        rq.ntt(e);
        rq.mulAddPointwise(publicKey.b(), u, e); // b u + e0
        rq.add(c0, e, c0);
        RlweSampler.gaussian(prng, c);
        rq.setSigned(c, e);
        rq.ntt(e);
        rq.mulAddPointwise(publicKey.a(), u, e); // a u + e1
        rq.add(c1, e, c1);
        ct.clearSeed();
    }

    /**
     * Re-randomizes and rescales {@code ct} in one pass: adds a fresh public-key encryption of zero (b u + e<sub>0</sub>,
     * a u + e<sub>1</sub>) made modulo Q<sub>l</sub> and divides by q<sub>l</sub>, the result being that of
     * {@link #addEncryptionOfZeroModQ} followed by {@link Evaluator#rescaleInPlace}: the noise u e + e<sub>0</sub> +
     * e<sub>1</sub> s is divided by q<sub>l</sub>. The errors e<sub>0</sub>, e<sub>1</sub> are never transformed: the
     * rescale adds them in coefficient form ({@link RnsRing#rescale(RnsPoly, long[], RnsPoly)}). Cost: (l + 1) NTTs for
     * u and the two rescales (2 inverse and 2 l forward NTTs), 2 (l + 1) NTTs fewer than the two steps apart. This is
     * what a client-aided server does to every value it sends.
     *
     * @throws IllegalStateException    if this encryptor has no public key, or for composite scaling (use the two steps)
     * @throws IllegalArgumentException if the ciphertext does not have two parts, is at level 0 or its degree is not N
     */
    public void addEncryptionOfZeroAndRescale(Ciphertext ct) {
        checkZeroTarget(ct, "addEncryptionOfZeroAndRescale");
        if (context.parameters().compositeDegree() != 1) {
            throw new IllegalStateException("addEncryptionOfZeroAndRescale divides by one prime; under composite scaling "
                    + "use addEncryptionOfZeroModQ and Evaluator.rescaleInPlace");
        }
        int l = ct.level();
        if (l < 1) {
            throw new IllegalArgumentException("cannot rescale " + ct + ": no prime left to divide by");
        }
        RnsRing rq = context.ringQ();
        long[] c = coefficients();
        RnsPoly u = ternaryInNttForm(l + 1);
        RnsPoly c0 = ct.part(0);
        RnsPoly c1 = ct.part(1);
        rq.mulAddPointwise(publicKey.b(), u, c0); // c0 + b u
        rq.mulAddPointwise(publicKey.a(), u, c1); // c1 + a u
        RnsPoly out0 = c0.view(l);
        RnsPoly out1 = c1.view(l);
        RlweSampler.gaussian(prng, c);
        rq.rescale(c0, c, out0); // round((c0 + b u + e0) / q_l)
        RlweSampler.gaussian(prng, c); // e0 is spent: its buffer takes e1
        rq.rescale(c1, c, out1); // round((c1 + a u + e1) / q_l)
        ct.replace(new RnsPoly[] {out0, out1}, ct.scale() / context.ringQ().modulus(l).value());
        ct.clearSeed();
    }

    /** Refuses, naming {@code what}, an encryptor without public key or a ciphertext that cannot take a zero. */
    private void checkZeroTarget(Ciphertext ct, String what) {
        requirePublicKey(what);
        if (ct.size() != 2) {
            throw new IllegalArgumentException("only two-part ciphertexts can take an encryption of zero, got " + ct);
        }
        if (ct.n() != context.n()) {
            throw new IllegalArgumentException("ciphertext degree " + ct.n() + " does not match N = " + context.n());
        }
    }

    /** @return a fresh uniform ternary u in NTT form on k limbs, in this encryptor's scratch (overwritten next call) */
    private RnsPoly ternaryInNttForm(int k) {
        RnsRing rq = context.ringQ();
        if (scratchU == null) {
            scratchU = rq.newPoly(rq.basis().size(), false);
            scratchE = rq.newPoly(rq.basis().size(), false);
        }
        RnsPoly u = scratchU.view(k);
        long[] c = coefficients();
        RlweSampler.ternary(prng, c);
        rq.setSigned(c, u);
        rq.ntt(u);
        return u;
    }

    /**
     * (c0, c1) = (round((b u + e0) / P) + m, round((a u + e1) / P)) with u ternary: the encryption of zero is made
     * modulo Q<sub>l</sub>P and divided by P, so its noise (u e + e0 + e1 s) is divided by P too. m may be null (zero).
     * Without special primes: (b u + e0 + m, a u + e1) modulo Q<sub>l</sub>.
     */
    private Ciphertext encryptPublic(RnsPoly m, int k, double scale) {
        RnsRing rq = context.ringQ();
        if (!context.parameters().supportsKeySwitching()) {
            Ciphertext ct = new Ciphertext(new RnsPoly[] {rq.newPoly(k, true), rq.newPoly(k, true)}, scale);
            addEncryptionOfZeroModQ(ct);
            if (m != null) {
                rq.add(ct.part(0), m, ct.part(0));
            }
            return ct;
        }
        RnsRing rp = context.ringP();
        int n = context.n();
        int kp = rp.basis().size();
        long[] uCoeffs = RlweSampler.ternary(prng, n);
        long[] e0 = RlweSampler.gaussian(prng, n);
        long[] e1 = RlweSampler.gaussian(prng, n);
        RnsPoly uQ = small(rq, k, uCoeffs);
        RnsPoly uP = small(rp, kp, uCoeffs);
        RnsPoly z0Q = small(rq, k, e0);
        RnsPoly z0P = small(rp, kp, e0);
        RnsPoly z1Q = small(rq, k, e1);
        RnsPoly z1P = small(rp, kp, e1);
        rq.mulAddPointwise(publicKey.b(), uQ, z0Q);
        rq.mulAddPointwise(publicKey.a(), uQ, z1Q);
        rp.mulAddPointwise(publicKey.bP(), uP, z0P);
        rp.mulAddPointwise(publicKey.aP(), uP, z1P);
        RnsPoly conv = rq.newPoly(k, false);
        RnsPoly c0 = rq.newPoly(k, true);
        RnsPoly c1 = rq.newPoly(k, true);
        context.modDown(z0Q, z0P, c0, conv);
        context.modDown(z1Q, z1P, c1, conv);
        if (m != null) {
            rq.add(c0, m, c0);
        }
        return new Ciphertext(new RnsPoly[] {c0, c1}, scale);
    }

    /** The encryptor's N-coefficient scratch buffer. */
    private long[] coefficients() {
        if (coeffs == null) {
            coeffs = new long[context.n()];
        }
        return coeffs;
    }

    private void requirePublicKey(String what) {
        if (publicKey == null) {
            throw new IllegalStateException(what + " needs a public-key encryptor (this one holds only a secret key)");
        }
    }

    private void checkLevel(int level) {
        if (level < 0 || level > context.maxLevel()) {
            throw new IllegalArgumentException("level " + level + " out of range [0, " + context.maxLevel() + "]");
        }
    }

    /** The small signed polynomial {@code coeffs} in NTT form with {@code limbs} limbs of {@code ring}. */
    private static RnsPoly small(RnsRing ring, int limbs, long[] coeffs) {
        RnsPoly p = ring.newPoly(limbs, false);
        ring.setSigned(coeffs, p);
        ring.ntt(p);
        return p;
    }
}
