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
 * is drawn per call, from one encryptor per thread).
 *
 * <p>Two encryptions of zero, both with c<sub>1</sub> = a u + e<sub>1</sub> (a fresh RLWE sample under the client's
 * public key): {@link #rerandomizeBeforeRescale} for a ciphertext the caller rescales next (the masking round) makes it
 * modulo Q<sub>l</sub> only ({@link Encryptor#addEncryptionOfZeroModQ}: 3 (l+1) NTTs, noise of a few hundred that the
 * rescale divides by q<sub>l</sub>); {@link #rerandomize} for one that leaves as it is (a result) makes it modulo
 * Q<sub>l</sub>P and divides by P ({@link Encryptor#encryptZero}: 3 (l+1+k) NTTs and a ModDown, rounding-size noise).
 */
public final class Rerandomizer {
    private final CkksContext context;
    private final Evaluator evaluator;
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
        this.encryptors = ThreadLocal.withInitial(() -> new Encryptor(context, publicKey));
        this.floodingBits = floodingBits;
    }

    /** Re-randomizes and (if configured) floods {@code ct} in place: {@link #rerandomize} then {@link #flood}. */
    public void apply(Ciphertext ct) {
        rerandomize(ct);
        flood(ct);
    }

    /**
     * Adds a fresh public-key encryption of zero at the ciphertext's level and scale, made modulo Q<sub>l</sub>P and
     * divided by P ({@link Encryptor#encryptZero}): its noise is of rounding size, so this suits a ciphertext that is
     * not rescaled afterwards (a result). Cost: 3 (l+1+k) NTTs, a ModDown and an addition.
     */
    public void rerandomize(Ciphertext ct) {
        checkTwoParts(ct);
        evaluator.addInPlace(ct, encryptors.get().encryptZero(ct.level(), ct.scale()));
    }

    /**
     * Adds, in place, a fresh public-key encryption of zero made modulo Q<sub>l</sub> only
     * ({@link Encryptor#addEncryptionOfZeroModQ}), for a ciphertext at level l &ge; 1 that the caller rescales right
     * afterwards. Its noise u e + e<sub>0</sub> + e<sub>1</sub> s (about &sigma;&radic;(4N/3), 237 at N = 4096) is not
     * divided by P, but the rescale divides it by q<sub>l</sub>, which leaves it far below the rescale's own rounding
     * (about &radic;(N/3)): the masking round re-randomizes the unrescaled product this way. c<sub>1</sub> is as random as
     * with {@link #rerandomize}. Cost: 3 (l+1) NTTs, 2 (l+1) multiply-adds and additions, no allocation but views.
     *
     * @throws IllegalArgumentException at level 0 (nothing to rescale) or for a ciphertext without two parts
     */
    public void rerandomizeBeforeRescale(Ciphertext ct) {
        checkTwoParts(ct);
        if (ct.level() < 1) {
            throw new IllegalArgumentException("rerandomizeBeforeRescale needs a ciphertext that is rescaled next (level >= 1), got "
                    + ct + "; use rerandomize");
        }
        encryptors.get().addEncryptionOfZeroModQ(ct);
    }

    /**
     * Adds, in place, a fresh public-key encryption of zero made modulo Q<sub>l</sub> only
     * ({@link Encryptor#addEncryptionOfZeroModQ}), at any level, for a ciphertext that is neither rescaled afterwards nor
     * divided by a special prime: its noise (about &sigma;&radic;(4N/3), 167 at N = 2048) stays. Meant for
     * coefficient-encoded values, where that noise decodes to 167/&Delta; per value (no &radic;N of a slot's decoding),
     * re-randomizing an unrescaled layer's outputs on a one-prime ring ({@code LinearLayer.forwardUnrescaled}). Cost: 3
     * (l+1) NTTs, 2 (l+1) multiply-adds and additions.
     *
     * @throws IllegalArgumentException for a ciphertext without two parts
     */
    public void rerandomizeModQ(Ciphertext ct) {
        checkTwoParts(ct);
        encryptors.get().addEncryptionOfZeroModQ(ct);
    }

    /**
     * Re-randomizes and rescales {@code ct} in one pass ({@link Encryptor#addEncryptionOfZeroAndRescale}): the same
     * result as {@link #rerandomizeBeforeRescale} followed by {@link Evaluator#rescaleInPlace}, with 2 (l+1) NTTs fewer
     * (the errors of the encryption of zero are added in coefficient form inside the rescale). What the server applies
     * to every value it sends in a masking round.
     *
     * @throws IllegalArgumentException at level 0 or for a ciphertext without two parts
     */
    public void rerandomizeAndRescale(Ciphertext ct) {
        checkTwoParts(ct);
        encryptors.get().addEncryptionOfZeroAndRescale(ct);
    }

    private static void checkTwoParts(Ciphertext ct) {
        if (ct.size() != 2) {
            throw new IllegalArgumentException("only two-part ciphertexts can be re-randomized, got " + ct);
        }
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
