package io.github.jckks.ckks;

import io.github.jckks.math.Prng;
import io.github.jckks.math.RlweSampler;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;

/**
 * Encrypts plaintexts. With a {@link PublicKey}: (c<sub>0</sub>, c<sub>1</sub>) = (b u + e<sub>0</sub> + m, a u +
 * e<sub>1</sub>) with u ternary and e<sub>0</sub>, e<sub>1</sub> Gaussian. With a {@link SecretKey} (the client's
 * cheaper path): (c<sub>0</sub>, c<sub>1</sub>) = (-a s + e + m, a) with a expanded from a fresh 32-byte seed, so
 * the ciphertext can travel at half size ({@link Ciphertext#seed()}). The ciphertext is made at the
 * plaintext's level. Randomness from a SecureRandom-seeded {@link Prng}. Not thread-safe (owns a Prng): use
 * one per thread. Cost: public key 2 (l+1) products and 3 (l+1) NTTs; secret key (l+1) products and 1 NTT
 * per prime plus sampling.
 */
public final class Encryptor {
    private final CkksContext context;
    private final PublicKey publicKey;
    private final SecretKey secretKey;
    private final Prng prng;

    /** A public-key encryptor. */
    public Encryptor(CkksContext context, PublicKey publicKey) {
        this(context, publicKey, null, Prng.fromSecureRandom());
    }

    /** A secret-key (symmetric) encryptor; its ciphertexts carry the seed of their uniform part. */
    public Encryptor(CkksContext context, SecretKey secretKey) {
        this(context, null, secretKey, Prng.fromSecureRandom());
    }

    /** Full control, for tests: either key may be null but not both. */
    public Encryptor(CkksContext context, PublicKey publicKey, SecretKey secretKey, Prng prng) {
        if (publicKey == null && secretKey == null) {
            throw new IllegalArgumentException("an encryptor needs a public or a secret key");
        }
        this.context = context;
        this.publicKey = publicKey;
        this.secretKey = secretKey;
        this.prng = prng;
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
        RnsPoly c0 = rq.newPoly(k, false);
        rq.setSigned(RlweSampler.gaussian(prng, context.n()), c0);
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
     */
    public Ciphertext encrypt(CkksEncoder encoder, double[] re, double[] im, int level, double scale) {
        if (secretKey == null) {
            return encrypt(encoder.encode(re, im, level, scale)); // the error lives modulo QP there
        }
        double[] coeffs = encoder.scaledCoefficients(re, im, level, scale);
        long[] e = RlweSampler.gaussian(prng, context.n());
        for (int j = 0; j < e.length; j++) {
            if (!(Math.abs(coeffs[j]) < 0x1p61)) {
                return encrypt(encoder.encode(re, im, level, scale)); // huge coefficients: the general path
            }
            e[j] += (long) coeffs[j];
        }
        int k = level + 1;
        RnsRing rq = context.ringQ();
        RnsPoly c0 = rq.newPoly(k, false);
        rq.setSigned(e, c0);
        rq.ntt(c0);
        return finishSymmetric(c0, k, scale);
    }

    /** (c0, c1) = (m + e - a s, a), a expanded from a fresh seed (NTT form). */
    private Ciphertext finishSymmetric(RnsPoly c0, int k, double scale) {
        RnsRing rq = context.ringQ();
        byte[] seed = Prng.freshSeed();
        RnsPoly a = rq.newPoly(k, true);
        RlweSampler.uniform(new Prng(seed), rq, a);
        RnsPoly as = rq.newPoly(k, true);
        rq.mulPointwise(a, secretKey.sQ(), as);
        rq.sub(c0, as, c0);
        Ciphertext ct = new Ciphertext(new RnsPoly[] {c0, a}, scale);
        ct.setSeed(seed);
        return ct;
    }

    /**
     * (c0, c1) = (round((b u + e0) / P) + m, round((a u + e1) / P)) with u ternary: the encryption of zero is made
     * modulo Q<sub>l</sub>P and divided by P, so its noise (u e + e0 + e1 s) is divided by P too.
     */
    private Ciphertext encryptPublic(RnsPoly m, int k, double scale) {
        RnsRing rq = context.ringQ();
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
        rq.add(c0, m, c0);
        return new Ciphertext(new RnsPoly[] {c0, c1}, scale);
    }

    /** The small signed polynomial {@code coeffs} in NTT form with {@code limbs} limbs of {@code ring}. */
    private static RnsPoly small(RnsRing ring, int limbs, long[] coeffs) {
        RnsPoly p = ring.newPoly(limbs, false);
        ring.setSigned(coeffs, p);
        ring.ntt(p);
        return p;
    }
}
