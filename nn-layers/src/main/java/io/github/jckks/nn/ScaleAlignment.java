package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.math.RnsPoly;

/**
 * Brings a ciphertext to a lower level and an exact scale so that it can be added to (or stand beside) another
 * one: the step behind {@link ResidualBlock} and {@link Concat}. Equal scales cost nothing (primes dropped);
 * different scales s (at level l) and t (target level m &lt; l) cost one scalar product and r rescales: the
 * operand is dropped to level m + r, multiplied by 1 encoded at e = t &middot; q<sub>m+1</sub> &middot;&middot;&middot;
 * q<sub>m+r</sub> / s and rescaled r times, so its scale is t. r is the smallest count with e &ge;
 * {@value #MIN_ENCODING_BITS} bits (the rounding of e then changes the value by a relative 2<sup>-17</sup> at
 * most; with primes close to the scale it is about 2<sup>-25</sup>). A three-part operand is relinearized before
 * its last rescale (one key switch): rescaling it down to the working scale would add the rounding of
 * c<sub>2</sub> times s<sup>2</sup>. Package-private.
 */
final class ScaleAlignment {
    /** Least encoding scale, in bits, of the constant 1 that aligns two scales. */
    static final int MIN_ENCODING_BITS = 16;

    private ScaleAlignment() {
    }

    static boolean sameScale(double a, double b) {
        return Math.abs(a - b) <= Evaluator.SCALE_TOLERANCE * Math.max(a, b);
    }

    /**
     * How many rescales bring a ciphertext at (level, scale) to (targetLevel, targetScale): 0 when the scales
     * already agree (dropping primes suffices).
     *
     * @throws IllegalArgumentException naming both scales and levels when it is impossible (the operand is below
     *                                  the target, at its level with another scale, or the constant would be too small
     *                                  or overflow the modulus)
     */
    static int rescalesNeeded(Evaluator ev, int level, double scale, int targetLevel, double targetScale) {
        if (level < targetLevel) {
            throw impossible(level, scale, targetLevel, targetScale, "the operand is below the target level");
        }
        if (sameScale(scale, targetScale)) {
            return 0;
        }
        double primes = 1;
        for (int r = 1; targetLevel + r <= level; r++) {
            int top = targetLevel + r;
            primes *= ev.lastPrime(top);
            double encoding = targetScale * primes / scale;
            if (encoding >= 0x1p16) {
                double product = targetScale * primes;
                if (Math.log(product) / Math.log(2) >= ev.context().log2Q(top) - 1) {
                    throw impossible(level, scale, targetLevel, targetScale, String.format(
                            "the aligning product (scale 2^%.1f) would overflow the modulus at level %d",
                            Math.log(product) / Math.log(2), top));
                }
                return r;
            }
        }
        throw impossible(level, scale, targetLevel, targetScale, level == targetLevel
                ? "both are at the same level, so no rescale is left to change the scale"
                : "the " + (level - targetLevel) + " spare level(s) cannot absorb the scale ratio");
    }

    private static IllegalArgumentException impossible(int level, double scale, int targetLevel, double targetScale,
                                                       String why) {
        return new IllegalArgumentException(String.format(
                "cannot align an operand at level %d, scale 2^%.6f with one at level %d, scale 2^%.6f: %s", level,
                log2(scale), targetLevel, log2(targetScale), why));
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /**
     * A new ciphertext (limbs from the runtime's pool, sharing nothing with {@code src}) holding src's value at
     * {@code level} with scale exactly {@code scale} and {@code parts} parts (missing parts are zero). Cost: a copy
     * of the needed limbs, plus for {@code rescales} &gt; 0 one scalar product, that many rescales and, for three parts,
     * one relinearization.
     *
     * @param rescales {@link #rescalesNeeded} for src and the target
     */
    static Ciphertext alignedCopy(Ciphertext src, int level, double scale, int parts, int rescales, EncryptedRuntime rt) {
        int k = level + rescales + 1;
        RnsPoly[] ps = new RnsPoly[src.size()];
        for (int p = 0; p < ps.length; p++) {
            ps[p] = rt.limbs().take(k, true);
            ps[p].copyFrom(src.part(p));
        }
        Ciphertext c = new Ciphertext(ps, src.scale());
        if (rescales > 0) {
            Evaluator ev = rt.evaluator();
            double primes = 1;
            for (int l = level + 1; l <= level + rescales; l++) {
                primes *= ev.lastPrime(l);
            }
            ev.multiplyScalarInPlace(c, 1.0, scale * primes / src.scale());
            for (int r = 0; r < rescales; r++) {
                if (r == rescales - 1) {
                    ev.relinearizeAndRescaleInPlace(c); // three parts: relinearized with the last rescale (see above)
                } else {
                    ev.rescaleInPlace(c);
                }
            }
            for (int p = 0; p < ps.length; p++) {
                for (int l = p < c.size() ? level + 1 : 0; l < k; l++) {
                    rt.limbs().release(ps[p].limb(l)); // the primes the rescales removed, a relinearized c2
                }
            }
        }
        if (c.size() < parts) {
            RnsPoly[] padded = new RnsPoly[parts];
            for (int p = 0; p < parts; p++) {
                if (p < c.size()) {
                    padded[p] = c.part(p);
                } else {
                    padded[p] = rt.limbs().take(level + 1, true);
                    padded[p].clear();
                }
            }
            c = new Ciphertext(padded, scale);
        }
        c.setScale(scale); // exact tag (the rescales leave it within floating-point rounding)
        return c;
    }

    /** Returns the limb arrays of a temporary ciphertext to the pool. */
    static void release(Ciphertext c, EncryptedRuntime rt) {
        for (int p = 0; p < c.size(); p++) {
            rt.limbs().release(c.part(p));
        }
    }
}
