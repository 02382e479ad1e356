package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.Plaintext;
import io.github.jckks.ckks.PublicKey;
import io.github.jckks.math.Prng;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;

/**
 * What the server does to a ciphertext before it leaves: adds a fresh public-key encryption of zero
 * (re-randomization: c<sub>1</sub> becomes pseudo-random instead of a combination, with secret coefficients, of
 * ciphertexts the client made) and, if asked, a uniform noise polynomial with coefficients in
 * [-2<sup>b</sup>, 2<sup>b</sup>] (noise flooding, hiding the computation's own noise). Thread-safe (randomness
 * is drawn per call). Cost: one public-key encryption (3 (l+1) NTTs) and an addition per ciphertext.
 */
public final class Rerandomizer {
    private final CkksContext context;
    private final Evaluator evaluator;
    private final PublicKey publicKey;
    /** One public-key encryptor per thread (not thread-safe; each owns a PRNG). */
    private final ThreadLocal<Encryptor> encryptors;
    private final int floodingBits;

    /**
     * @param context      the context
     * @param publicKey    the client's public key (the server cannot decrypt with it)
     * @param floodingBits 0 for re-randomization only, else the flooding noise bound in bits
     */
    public Rerandomizer(CkksContext context, PublicKey publicKey, int floodingBits) {
        if (publicKey == null) {
            throw new IllegalArgumentException("re-randomization needs the client's public key");
        }
        if (floodingBits < 0 || floodingBits > 40) {
            throw new IllegalArgumentException("flooding bits " + floodingBits + " outside [0, 40]");
        }
        this.context = context;
        this.evaluator = new Evaluator(context);
        this.publicKey = publicKey;
        this.encryptors = ThreadLocal.withInitial(() -> new Encryptor(context, publicKey));
        this.floodingBits = floodingBits;
    }

    /** Re-randomizes and (if configured) floods {@code ct} in place: {@link #rerandomize} then {@link #flood}. */
    public void apply(Ciphertext ct) {
        rerandomize(ct);
        flood(ct);
    }

    /**
     * Adds a fresh public-key encryption of zero at the ciphertext's level and scale. Its noise (about
     * &sigma;&radic;(2N/3) per coefficient, the size of a public-key encryption's) counts at the ciphertext's
     * scale: applied before a rescale, it shrinks with it, which is why the masking round re-randomizes the
     * unrescaled product.
     */
    public void rerandomize(Ciphertext ct) {
        if (ct.size() != 2) {
            throw new IllegalArgumentException("only two-part ciphertexts can be re-randomized, got " + ct);
        }
        RnsPoly zero = context.ringQ().newPoly(ct.level() + 1, true);
        evaluator.addInPlace(ct, encryptors.get().encrypt(new Plaintext(zero, ct.scale())));
    }

    /** Adds the flooding noise to c<sub>0</sub> (nothing if flooding is off). */
    public void flood(Ciphertext ct) {
        if (floodingBits == 0) {
            return;
        }
        RnsRing rq = context.ringQ();
        Prng prng = Prng.fromSecureRandom();
        long bound = 1L << floodingBits;
        long[] noise = new long[context.n()];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = prng.nextLong(2 * bound + 1) - bound;
        }
        prng.wipe();
        RnsPoly m = rq.newPoly(ct.level() + 1, false);
        rq.setSigned(noise, m);
        rq.ntt(m);
        evaluator.addPlainInPlace(ct, new Plaintext(m, ct.scale()), false);
    }

    /** @return the flooding bound in bits (0 = off) */
    public int floodingBits() {
        return floodingBits;
    }
}
