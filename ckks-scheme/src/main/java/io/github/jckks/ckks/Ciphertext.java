package io.github.jckks.ckks;

import io.github.jckks.math.LimbPool;
import io.github.jckks.math.RnsPoly;

/**
 * A CKKS ciphertext (c<sub>0</sub>, c<sub>1</sub>[, c<sub>2</sub>]) at level l with scale &Delta;: it decrypts to
 * m = c<sub>0</sub> + c<sub>1</sub>s [+ c<sub>2</sub>s<sup>2</sup>] mod Q<sub>l</sub>. Parts are in NTT form with l + 1
 * limbs each. A product of two ciphertexts has three parts until it is relinearized (lazy relinearization
 * keeps it so while only linear operations follow). Mutable: evaluator methods named {@code ...InPlace}
 * change it. Not thread-safe for writes. Memory: 8 &middot; N &middot; (l + 1) bytes per part.
 *
 * <p><b>Seed invariant.</b> A non-null {@link #seed()} always expands to c<sub>1</sub>. It is set only by this
 * package's {@link Encryptor} (secret key) and {@link Serialization} (reading the seeded form), on a c<sub>1</sub>
 * they have just expanded from it and that nothing else references. Afterwards c<sub>1</sub> is reachable only through
 * {@link #part(int) part(1)}, which forgets the seed because its caller may write to the live polynomial, through
 * {@link #copy()} (a deep copy, seed included), and through a package-private read-only accessor used by
 * {@link Serialization}, {@link Decryptor}, {@link CompactCiphertext} and {@link Evaluator} (for the operands it
 * only reads), which do not write. Every operation that replaces the parts clears the
 * seed too. So the serializer writes the seed without re-expanding it to compare.
 */
public final class Ciphertext {
    private RnsPoly[] parts;
    private double scale;
    private byte[] seed;

    /**
     * @param parts two or three polynomials in NTT form with equal limb counts
     * @param scale the scale &Delta;
     */
    public Ciphertext(RnsPoly[] parts, double scale) {
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("a ciphertext has 2 or 3 parts, got " + parts.length);
        }
        int k = parts[0].limbCount();
        for (RnsPoly p : parts) {
            if (!p.isNtt()) {
                throw new IllegalArgumentException("ciphertext parts must be in NTT form");
            }
            if (p.limbCount() != k || p.n() != parts[0].n()) {
                throw new IllegalArgumentException("ciphertext parts differ in limbs or degree");
            }
        }
        this.parts = parts;
        this.scale = checkScale(scale);
    }

    static double checkScale(double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale " + scale + " must be finite and positive");
        }
        return scale;
    }

    /** @return the number of parts (2, or 3 before relinearization) */
    public int size() {
        return parts.length;
    }

    /**
     * @return part i (live: writes change the ciphertext). Asking for c<sub>1</sub> forgets the seed (see the class
     * comment), so the ciphertext then serializes in full; reading c<sub>0</sub> keeps it.
     */
    public RnsPoly part(int i) {
        if (i == 1) {
            seed = null;
        }
        return parts[i];
    }

    /**
     * Part i for a reader that does not write to it (Serialization, Decryptor, the Evaluator's read-only operands):
     * keeps the seed, and writes nothing, so concurrent readers of a shared ciphertext do not race.
     */
    RnsPoly partForReading(int i) {
        return parts[i];
    }

    /** @return the scale */
    public double scale() {
        return scale;
    }

    /** Sets the scale tag (for callers that know what they do, e.g. after exact integer products). */
    public void setScale(double scale) {
        this.scale = checkScale(scale);
    }

    /** @return the level l (number of primes - 1) */
    public int level() {
        return parts[0].limbCount() - 1;
    }

    /** @return the ring degree N */
    public int n() {
        return parts[0].n();
    }

    /** @return a deep copy */
    public Ciphertext copy() {
        RnsPoly[] c = new RnsPoly[parts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = parts[i].copy();
        }
        Ciphertext r = new Ciphertext(c, scale);
        r.seed = seed == null ? null : seed.clone(); // an exact copy: c1 still expands from the seed
        return r;
    }

    void replace(RnsPoly[] newParts, double newScale) {
        this.parts = newParts;
        this.scale = newScale;
        this.seed = null;
    }

    /**
     * @return the 32-byte seed that expands to c<sub>1</sub> for a fresh secret-key encryption (so the ciphertext
     * serializes at half size), or null. Any access to c<sub>1</sub> through {@link #part(int)} and every evaluator
     * operation that changes the ciphertext clear it (see the class comment).
     */
    public byte[] seed() {
        return seed == null ? null : seed.clone();
    }

    /**
     * Hands the limb arrays of every part to {@code pool}, for a ciphertext that has been consumed: neither it nor any
     * ciphertext or polynomial sharing its arrays (a view, a rescaled result) may be used afterwards, and it must not
     * be released twice. The pool gives the arrays out again with their residues as they are.
     */
    public void releaseTo(LimbPool pool) {
        for (RnsPoly p : parts) {
            pool.release(p);
        }
    }

    /** Forgets the seed (c<sub>1</sub> no longer equals its expansion). */
    public void clearSeed() {
        this.seed = null;
    }

    /** Only for a c<sub>1</sub> just expanded from {@code seed} that nothing else references (the invariant). */
    void setSeed(byte[] seed) {
        this.seed = seed.clone();
    }

    /** @return the seed itself (not a copy) or null, for the serializer */
    byte[] seedForWriting() {
        return seed;
    }

    @Override
    public String toString() {
        return "Ciphertext(" + parts.length + " parts, level " + level() + ", scale 2^"
                + String.format("%.2f", Math.log(scale) / Math.log(2)) + ")";
    }
}
