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
        if (ct.n() != context.n()) {
            throw new IllegalArgumentException("ciphertext degree " + ct.n() + " does not match N = " + context.n());
        }
        RnsRing rq = context.ringQ();
        int k = ct.level() + 1;
        RnsPoly m = rq.newPoly(k, true);
        // m = c0 + c1 s in one pass (read only: a seeded ciphertext keeps its seed)
        rq.mulAddPointwise(ct.partForReading(1), secretKey.sQ(), ct.partForReading(0), m);
        if (ct.size() == 3) {
            rq.mulAddPointwise(ct.partForReading(2), s2, m);
        }
        return new Plaintext(m, ct.scale());
    }
}
