package io.github.jckks.ckks;

import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;

/**
 * Decrypts: m = c<sub>0</sub> + c<sub>1</sub> s [+ c<sub>2</sub> s<sup>2</sup>] modulo Q<sub>l</sub>. A three-part
 * ciphertext (a product not yet relinearized) decrypts directly with s<sup>2</sup>, so a client can skip the
 * server's last relinearization. Thread-safe. Cost: (size - 1) (l + 1) pointwise products.
 */
public final class Decryptor {
    private final CkksContext context;
    private final SecretKey secretKey;
    private final RnsPoly s2;

    /** A decryptor for {@code secretKey}. */
    public Decryptor(CkksContext context, SecretKey secretKey) {
        this.context = context;
        this.secretKey = secretKey;
        RnsRing rq = context.ringQ();
        this.s2 = rq.newPoly(rq.basis().size(), true);
        rq.mulPointwise(secretKey.sQ(), secretKey.sQ(), s2);
    }

    /** @return the plaintext encrypted by {@code ct}, at its level and scale */
    public Plaintext decrypt(Ciphertext ct) {
        checkDegree(ct);
        return decryptInto(ct, context.ringQ().newPoly(ct.level() + 1, true));
    }

    /**
     * Decrypts into a caller-supplied polynomial ({@code out}: ct.level() + 1 limbs of N, sharing no limb array with
     * ct), as SEAL's {@code decrypt(ct, destination)} reuses its plaintext. One pass per limb: out = c0 + c1 s
     * (+ c2 s<sup>2</sup> in a second pass).
     *
     * @return the plaintext over {@code out}
     */
    public Plaintext decryptInto(Ciphertext ct, RnsPoly out) {
        checkDegree(ct);
        int k = ct.level() + 1;
        if (out.limbCount() != k || out.n() != context.n()) {
            throw new IllegalArgumentException("decryption output must have " + k + " limbs of N = " + context.n()
                    + ", got " + out.limbCount() + " of N = " + out.n());
        }
        for (int i = 0; i < ct.size(); i++) {
            RnsPoly part = ct.partForReading(i);
            for (int j = 0; j < k; j++) {
                if (part.limb(j) == out.limb(j)) {
                    throw new IllegalArgumentException("decryption output overlaps part " + i + " of the ciphertext");
                }
            }
        }
        RnsRing rq = context.ringQ();
        // m = c0 + c1 s in one pass (read only: a seeded ciphertext keeps its seed)
        rq.mulAddPointwise(ct.partForReading(1), secretKey.sQ(), ct.partForReading(0), out);
        if (ct.size() == 3) {
            rq.mulAddPointwise(ct.partForReading(2), s2, out);
        }
        return new Plaintext(out, ct.scale());
    }

    private void checkDegree(Ciphertext ct) {
        if (ct.n() != context.n()) {
            throw new IllegalArgumentException("ciphertext degree " + ct.n() + " does not match N = " + context.n());
        }
    }
}
