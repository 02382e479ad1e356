package io.github.jckks.ckks;

import io.github.jckks.math.CompactRnsPoly;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;

/**
 * A hybrid key-switching key from s' to s (Han-Ki 2020, as in SEAL and Lattigo): for each digit j of &alpha;
 * data primes, a pair (b<sub>j</sub>, a<sub>j</sub>) modulo Q<sub>L</sub>&middot;P with b<sub>j</sub> = -a<sub>j</sub>s +
 * e<sub>j</sub> + P&middot;[Q&#770;<sub>j</sub>&middot;(Q&#770;<sub>j</sub><sup>-1</sup> mod Q<sub>j</sub>)]&middot;s'. Stored as
 * four arrays of polynomials in NTT form: the Q and P parts of b and a. Relinearization keys (s' = s<sup>2</sup>)
 * and Galois keys (s' = &sigma;<sub>g</sub>(s)) are key-switching keys. Size: 2 &middot; digits &middot; (L+1+k)
 * &middot; N residues.
 *
 * <p><b>Compact storage.</b> The keys that {@link KeyGenerator} makes and {@link Serialization} reads keep their
 * residues in 32 bits ({@link #isCompact()}) whenever key switching multiplies them lazily ({@link
 * CkksContext#lazyKeySwitching}: every prime below 2<sup>31</sup>, as with all the SIMD kernels' chains): half the
 * memory of 64-bit limbs (a Galois key of {@code general16384Composite()}: 14.7 MB instead of 29.4 MB) and half the
 * bytes that each key switch streams from memory for the key.
 *
 * <p>Thread safety: a compact key is immutable and thread-safe. A key built with the public constructor wraps the
 * caller's polynomials and hands them out live: immutable by convention (nothing in the library writes to them).
 */
public final class KeySwitchKey {
    static final int BQ = 0;
    static final int BP = 1;
    static final int AQ = 2;
    static final int AP = 3;

    /** {@link #source()} of a relinearization key (s' = s<sup>2</sup>). */
    public static final int RELINEARIZATION = 0;
    /** {@link #source()} of a key whose s' is not known (wrapped by the public constructor, or read on its own). */
    public static final int UNKNOWN_SOURCE = -1;

    /** [part][digit] with 64-bit limbs, parts in the order bQ, bP, aQ, aP; null when compact. */
    private final RnsPoly[][] wide;
    /** [part][digit] with 32-bit residues; null when wide. */
    private final CompactRnsPoly[][] compact;
    private final RnsRing ringQ;
    private final RnsRing ringP;
    /** {@link CkksParameters#fingerprint()} of the parameters the key was made for; null when unknown. */
    private final byte[] fingerprint;
    private final int source;

    /**
     * Wraps the digit polynomials (not copied), with 64-bit limbs. Such a key's parameters and source are unknown:
     * an {@link Evaluator} checks only its primes and digit count, and {@link EvaluationKeys} files it anywhere.
     */
    public KeySwitchKey(RnsPoly[] bQ, RnsPoly[] bP, RnsPoly[] aQ, RnsPoly[] aP) {
        this(new RnsPoly[][] {bQ, bP, aQ, aP}, null, null, null, null, UNKNOWN_SOURCE);
    }

    private KeySwitchKey(RnsPoly[][] wide, CompactRnsPoly[][] compact, RnsRing rq, RnsRing rp, byte[] fingerprint,
                         int source) {
        if (wide != null) {
            checkLengths(wide[BQ].length, wide[BP].length, wide[AQ].length, wide[AP].length);
        } else {
            checkLengths(compact[BQ].length, compact[BP].length, compact[AQ].length, compact[AP].length);
        }
        if (source < UNKNOWN_SOURCE) {
            throw new IllegalArgumentException("key source " + source + ": a Galois element, RELINEARIZATION or UNKNOWN_SOURCE");
        }
        this.wide = wide;
        this.compact = compact;
        this.ringQ = rq;
        this.ringP = rp;
        this.fingerprint = fingerprint;
        this.source = source;
    }

    /**
     * A key of {@code context} switching from the s' that {@code source} names ({@link #RELINEARIZATION}, a Galois
     * element g for &sigma;<sub>g</sub>(s), or {@link #UNKNOWN_SOURCE}) with the given digit polynomials, stored
     * compactly when key switching multiplies it lazily (see the class comment), else wrapped as given. Cost: one
     * pass over the residues when compacted.
     */
    static KeySwitchKey of(CkksContext context, int source, RnsPoly[] bQ, RnsPoly[] bP, RnsPoly[] aQ, RnsPoly[] aP) {
        byte[] fp = context.parameters().fingerprint();
        if (context.lazyKeySwitching(bQ.length)) {
            RnsRing rq = context.ringQ();
            RnsRing rp = context.ringP();
            checkLengths(bQ.length, bP.length, aQ.length, aP.length);
            CompactRnsPoly[][] c = {compact(rq, bQ), compact(rp, bP), compact(rq, aQ), compact(rp, aP)};
            return new KeySwitchKey(null, c, rq, rp, fp, source);
        }
        return new KeySwitchKey(new RnsPoly[][] {bQ, bP, aQ, aP}, null, null, null, fp, source);
    }

    /**
     * @return what the key switches from: {@link #RELINEARIZATION} (s<sup>2</sup>), the Galois element g of
     *         &sigma;<sub>g</sub>(s), or {@link #UNKNOWN_SOURCE}
     */
    public int source() {
        return source;
    }

    private static void checkLengths(int bq, int bp, int aq, int ap) {
        if (bq != bp || bq != aq || bq != ap || bq == 0) {
            throw new IllegalArgumentException("key-switching key digit arrays differ in length or are empty");
        }
    }

    private static CompactRnsPoly[] compact(RnsRing ring, RnsPoly[] polys) {
        CompactRnsPoly[] out = new CompactRnsPoly[polys.length];
        for (int j = 0; j < polys.length; j++) {
            out[j] = ring.compact(polys[j]);
        }
        return out;
    }

    /**
     * Refuses (an {@link IllegalArgumentException} naming what differs) a key made for other parameters: another
     * fingerprint (primes, ring degree or key-switching digit layout), another digit count, or polynomials made by
     * the rings of another parameter set; one wrapping arrays of unknown origin is checked for its digit count.
     */
    void requireOwn(CkksParameters params, RnsRing rq, RnsRing rp, String what) {
        if (fingerprint != null && !java.util.Arrays.equals(fingerprint, params.fingerprint())) {
            throw new IllegalArgumentException(what + " and " + params + " come from different parameter sets (the key's "
                    + "fingerprint differs: another ring, prime chain or key-switching digit layout)");
        }
        if (digits() != params.digitCount()) {
            throw new IllegalArgumentException(what + " has " + digits() + " key-switching digits, " + params
                    + " has " + params.digitCount() + " (digit prime counts " + java.util.Arrays.toString(params.digitPrimeCounts())
                    + "): keys of another digit layout");
        }
        try {
            for (int part = BQ; part <= AP; part++) {
                RnsRing ring = part == BQ || part == AQ ? rq : rp;
                for (int j = 0; j < digits(); j++) {
                    if (compact != null) {
                        ring.requireOwn(compact[part][j]);
                    } else {
                        ring.requireOwn(wide[part][j]);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    /** @return the number of digits */
    public int digits() {
        return wide != null ? wide[BQ].length : compact[BQ].length;
    }

    /** @return whether the residues are stored in 32 bits (see the class comment) */
    public boolean isCompact() {
        return compact != null;
    }

    /** @return the bytes the residues occupy: 4 (compact) or 8 per residue. Cost: O(digits). */
    public long residueBytes() {
        long bytes = 0;
        for (int part = BQ; part <= AP; part++) {
            for (int j = 0; j < digits(); j++) {
                bytes += isCompact() ? compact[part][j].residueBytes() : 8L * wide[part][j].n() * wide[part][j].limbCount();
            }
        }
        return bytes;
    }

    /**
     * @return b_j modulo Q: the stored polynomial (live) for a 64-bit key; for a compact one a new 64-bit copy
     *         ((L+1) N 8 bytes allocated, one pass)
     */
    public RnsPoly bQ(int j) {
        return part(BQ, j);
    }

    /** @return b_j modulo P: live for a 64-bit key, a new 64-bit copy (k N 8 bytes) for a compact one */
    public RnsPoly bP(int j) {
        return part(BP, j);
    }

    /** @return a_j modulo Q: live for a 64-bit key, a new 64-bit copy ((L+1) N 8 bytes) for a compact one */
    public RnsPoly aQ(int j) {
        return part(AQ, j);
    }

    /** @return a_j modulo P: live for a 64-bit key, a new 64-bit copy (k N 8 bytes) for a compact one */
    public RnsPoly aP(int j) {
        return part(AP, j);
    }

    private RnsPoly part(int part, int j) {
        return isCompact() ? ring(part).expand(compact[part][j]) : wide[part][j];
    }

    private RnsRing ring(int part) {
        return part == BQ || part == AQ ? ringQ : ringP;
    }

    /**
     * Part {@code part} (BQ, BP, AQ, AP) of digit j with 64-bit limbs without allocating: the live polynomial of a
     * 64-bit key, or a compact key's residues widened into {@code scratch} (which must have the part's limb count).
     */
    RnsPoly wide(int part, int j, RnsPoly scratch) {
        if (!isCompact()) {
            return wide[part][j];
        }
        ring(part).expand(compact[part][j], scratch);
        return scratch;
    }

    /** @return part {@code part} of digit j in 32 bits (compact keys only) */
    CompactRnsPoly compact(int part, int j) {
        return compact[part][j];
    }
}
