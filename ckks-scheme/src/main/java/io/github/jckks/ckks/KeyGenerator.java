package io.github.jckks.ckks;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.Prng;
import io.github.jckks.math.RlweSampler;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;
import java.util.HashMap;
import java.util.Map;

/**
 * Generates the secret key (uniform ternary, as SEAL) and from it the public key, the relinearization key
 * and Galois keys for rotations and conjugation. Randomness: a {@link Prng} seeded from SecureRandom unless
 * the caller supplies one (tests). Not thread-safe (owns its Prng). Cost: one key-switching key is
 * 2 &middot; digits &middot; (L+1+k) NTT-domain polynomial products plus sampling.
 *
 * <p>With parameters that have no special prime ({@link CkksParameters#supportsKeySwitching()} false) the secret
 * key lives modulo Q only ({@link SecretKey#sP()} is null), the public key modulo Q<sub>L</sub> only, and every
 * key-switching key (relinearization, Galois, conjugation) is refused with an {@link IllegalStateException}.
 */
public final class KeyGenerator {
    private final CkksContext context;
    private final Prng prng;
    private final SecretKey secretKey;

    /** A generator with a fresh secret key and a SecureRandom-seeded Prng. */
    public KeyGenerator(CkksContext context) {
        this(context, Prng.fromSecureRandom());
    }

    /** A generator with a fresh secret key drawn from {@code prng}. */
    public KeyGenerator(CkksContext context, Prng prng) {
        this.context = context;
        this.prng = prng;
        long[] s = RlweSampler.ternary(prng, context.n());
        this.secretKey = fromCoefficients(s);
        java.util.Arrays.fill(s, 0);
    }

    private SecretKey fromCoefficients(long[] s) {
        RnsRing rq = context.ringQ();
        RnsPoly sQ = rq.newPoly(rq.basis().size(), false);
        rq.setSigned(s, sQ);
        rq.ntt(sQ);
        if (!context.parameters().supportsKeySwitching()) {
            return new SecretKey(sQ, null);
        }
        RnsRing rp = context.ringP();
        RnsPoly sP = rp.newPoly(rp.basis().size(), false);
        rp.setSigned(s, sP);
        rp.ntt(sP);
        return new SecretKey(sQ, sP);
    }

    /** @return the secret key */
    public SecretKey secretKey() {
        return secretKey;
    }

    /**
     * @return a fresh public key (b, a) = (-a s + e, a) modulo Q<sub>L</sub>&middot;P, or modulo Q<sub>L</sub> alone
     *         (its P parts null) when the parameters have no special prime. Cost: 2 (L+1+k) NTTs and (L+1+k)
     *         pointwise products plus sampling.
     */
    public PublicKey publicKey() {
        RnsRing rq = context.ringQ();
        int k = rq.basis().size();
        RnsPoly a = rq.newPoly(k, true);
        RlweSampler.uniform(prng, rq, a);
        boolean special = context.parameters().supportsKeySwitching();
        RnsRing rp = special ? context.ringP() : null;
        int kp = special ? rp.basis().size() : 0;
        RnsPoly aP = special ? rp.newPoly(kp, true) : null;
        if (special) {
            RlweSampler.uniform(prng, rp, aP);
        }
        long[] e = RlweSampler.gaussian(prng, context.n());
        RnsPoly b = rq.newPoly(k, false);
        rq.setSigned(e, b);
        rq.ntt(b);
        RnsPoly as = rq.newPoly(k, true);
        rq.mulPointwise(a, secretKey.sQ(), as);
        rq.sub(b, as, b);
        if (!special) {
            return new PublicKey(b, a, null, null);
        }
        RnsPoly bP = rp.newPoly(kp, false);
        rp.setSigned(e, bP);
        rp.ntt(bP);
        RnsPoly asP = rp.newPoly(kp, true);
        rp.mulPointwise(aP, secretKey.sP(), asP);
        rp.sub(bP, asP, bP);
        return new PublicKey(b, a, bP, aP);
    }

    /**
     * @return the relinearization key: switches s<sup>2</sup> to s
     * @throws IllegalStateException if the parameters have no special prime (key switching disabled)
     */
    public KeySwitchKey relinearizationKey() {
        requireKeySwitching("relinearization key");
        RnsRing rq = context.ringQ();
        RnsRing rp = context.ringP();
        RnsPoly s2Q = rq.newPoly(rq.basis().size(), true);
        RnsPoly s2P = rp.newPoly(rp.basis().size(), true);
        rq.mulPointwise(secretKey.sQ(), secretKey.sQ(), s2Q);
        rp.mulPointwise(secretKey.sP(), secretKey.sP(), s2P);
        return keySwitchKey(KeySwitchKey.RELINEARIZATION, s2Q, s2P);
    }

    /**
     * @return the Galois key for X -&gt; X<sup>g</sup>: switches &sigma;<sub>g</sub>(s) to s
     * @throws IllegalStateException if the parameters have no special prime (key switching disabled)
     */
    public KeySwitchKey galoisKey(int galoisElement) {
        requireKeySwitching("Galois key for element " + galoisElement);
        RnsRing rq = context.ringQ();
        RnsRing rp = context.ringP();
        RnsPoly gQ = rq.newPoly(rq.basis().size(), true);
        RnsPoly gP = rp.newPoly(rp.basis().size(), true);
        rq.automorphism(secretKey.sQ(), galoisElement, gQ);
        rp.automorphism(secretKey.sP(), galoisElement, gP);
        return keySwitchKey(Math.floorMod(galoisElement, 2 * context.n()), gQ, gP); // the element the automorphism used
    }

    /**
     * Evaluation keys with a relinearization key, Galois keys for the given rotation steps (left rotations by
     * k slots; negative k rotates right) and, if asked, for conjugation. Asking for none (no relinearization, no
     * conjugation, only steps that are multiples of N/2) gives empty keys, also without special primes.
     *
     * @throws IllegalStateException if a key is asked for and the parameters have no special prime
     */
    public EvaluationKeys evaluationKeys(boolean relinearization, boolean conjugation, int... rotationSteps) {
        if (relinearization) {
            requireKeySwitching("relinearization key");
        }
        if (conjugation) {
            requireKeySwitching("conjugation key");
        }
        for (int step : rotationSteps) {
            if (Math.floorMod(step, context.n() / 2) != 0) {
                requireKeySwitching("rotation key for step " + step);
            }
        }
        Map<Integer, KeySwitchKey> g = new HashMap<>();
        for (int step : rotationSteps) {
            if (Math.floorMod(step, context.n() / 2) == 0) {
                continue; // the identity: rotate() needs no key for it
            }
            int e = GaloisElements.forRotation(context.n(), step);
            g.computeIfAbsent(e, this::galoisKey);
        }
        if (conjugation) {
            int e = GaloisElements.conjugation(context.n());
            g.computeIfAbsent(e, this::galoisKey);
        }
        return new EvaluationKeys(relinearization ? relinearizationKey() : null, g);
    }

    private void requireKeySwitching(String what) {
        CkksParameters p = context.parameters();
        if (!p.supportsKeySwitching()) {
            throw new IllegalStateException("cannot make a " + what + ": " + p + " has no special prime, so key "
                    + "switching (relinearization, rotation, conjugation) is disabled; build the parameters with a "
                    + "special prime (CkksParameters.Builder.specialPrimeBits) to use it (a three-part product still "
                    + "decrypts with s^2)");
        }
    }

    /** Key switching from s' (given modulo Q and P, NTT form; {@code source} as in {@link KeySwitchKey#source()}) to s. */
    private KeySwitchKey keySwitchKey(int source, RnsPoly sPrimeQ, RnsPoly sPrimeP) {
        RnsRing rq = context.ringQ();
        RnsRing rp = context.ringP();
        int lq = rq.basis().size();
        int lp = rp.basis().size();
        CkksParameters params = context.parameters();
        int digits = context.digitCount(lq - 1);
        for (int j = 0; j < digits; j++) {
            int start = params.digitStart(j);
            double log2Digit = context.log2Q(params.digitEnd(j) - 1) - (start == 0 ? 0 : context.log2Q(start - 1));
            if (log2Digit > context.log2P() + 1) {
                throw new IllegalStateException(String.format("key switching would destroy precision: digit %d spans "
                        + "2^%.1f but the special modulus P is only 2^%.1f; use larger or more special primes or a "
                        + "smaller digit size", j, log2Digit, context.log2P()));
            }
        }
        RnsPoly[] bQ = new RnsPoly[digits];
        RnsPoly[] bP = new RnsPoly[digits];
        RnsPoly[] aQ = new RnsPoly[digits];
        RnsPoly[] aP = new RnsPoly[digits];
        long[] pModQ = context.pModQ();
        for (int j = 0; j < digits; j++) {
            aQ[j] = rq.newPoly(lq, true);
            aP[j] = rp.newPoly(lp, true);
            RlweSampler.uniform(prng, rq, aQ[j]);
            RlweSampler.uniform(prng, rp, aP[j]);
            long[] e = RlweSampler.gaussian(prng, context.n());
            bQ[j] = rq.newPoly(lq, false);
            bP[j] = rp.newPoly(lp, false);
            rq.setSigned(e, bQ[j]);
            rp.setSigned(e, bP[j]);
            rq.ntt(bQ[j]);
            rp.ntt(bP[j]);
            // b -= a * s
            RnsPoly tQ = rq.newPoly(lq, true);
            RnsPoly tP = rp.newPoly(lp, true);
            rq.mulPointwise(aQ[j], secretKey.sQ(), tQ);
            rp.mulPointwise(aP[j], secretKey.sP(), tP);
            rq.sub(bQ[j], tQ, bQ[j]);
            rp.sub(bP[j], tP, bP[j]);
            // + P * s' on the digit's primes (the gadget is P on q_i in digit j, 0 elsewhere and mod P)
            for (int i = params.digitStart(j); i < params.digitEnd(j); i++) {
                Modulus qi = rq.modulus(i);
                long w = pModQ[i];
                long ws = qi.shoup(w);
                long[] b = bQ[j].limb(i);
                long[] sp = sPrimeQ.limb(i);
                for (int c = 0; c < b.length; c++) {
                    b[c] = qi.add(b[c], qi.mulShoup(sp[c], w, ws));
                }
            }
        }
        if (sPrimeP.limbCount() != lp) {
            throw new IllegalStateException("s' modulo P has " + sPrimeP.limbCount() + " limbs");
        }
        return KeySwitchKey.of(context, source, bQ, bP, aQ, aP);
    }
}
