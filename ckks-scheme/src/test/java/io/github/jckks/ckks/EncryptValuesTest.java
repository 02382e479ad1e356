package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused encode-and-encrypt path decrypts like encode-then-encrypt, for both key kinds. */
class EncryptValuesTest {
    @Test
    void fusedEncryptionDecryptsToTheValues() {
        CkksParameters p = CkksParameters.builder().logN(11).dataPrimeBits(30, 24, 24).specialPrimeBits(30)
                .scale(0x1p24).insecureForTestsOnly().build();
        CkksContext ctx = new CkksContext(p);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        Random r = new Random(3);
        double[] v = new double[p.slots()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        for (Encryptor e : new Encryptor[] {new Encryptor(ctx, kg.secretKey()), new Encryptor(ctx, kg.publicKey())}) {
            for (int level = 0; level <= p.maxLevel(); level++) {
                Ciphertext ct = e.encrypt(enc, v, level, p.defaultScale());
                assertEquals(level, ct.level());
                double[] d = enc.decode(dec.decrypt(ct));
                for (int i = 0; i < v.length; i++) {
                    assertEquals(v[i], d[i], 2e-3, "slot " + i + " at level " + level);
                }
            }
        }
        assertNotNull(new Encryptor(ctx, kg.secretKey()).encrypt(enc, v, 1, p.defaultScale()).seed(),
                "secret-key encryptions keep their seed");
        assertThrows(IllegalArgumentException.class, () -> new Encryptor(ctx, kg.secretKey())
                .encrypt(enc, new double[] {1e9}, 0, p.defaultScale()), "overflow is refused");
    }

    /**
     * A secret-key encryptor with a limb pool writes its ciphertexts into the pool's arrays, whatever they held: a
     * ciphertext released and then encrypted over (its arrays reused, garbage in them) decrypts like a fresh one, at
     * every level; a pool of another degree is refused.
     */
    @Test
    void pooledEncryptionsOverwriteWhatTheArraysHeld() {
        CkksParameters p = CkksParameters.builder().logN(11).dataPrimeBits(30, 24, 24).specialPrimeBits(30)
                .scale(0x1p24).insecureForTestsOnly().build();
        CkksContext ctx = new CkksContext(p);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        CoefficientEncoder coefficients = new CoefficientEncoder(ctx);
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        io.github.jckks.math.LimbPool pool = new io.github.jckks.math.LimbPool(p.n(), 64);
        Encryptor e = new Encryptor(ctx, kg.secretKey(), pool);
        Random r = new Random(4);
        double[] v = new double[p.slots()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        for (int level = p.maxLevel(); level >= 0; level--) {
            Ciphertext old = e.encrypt(enc, new double[] {123.0}, level, p.defaultScale());
            long[] reused = old.part(0).limb(0);
            pool.release(old.part(0));
            pool.release(old.part(1));
            Ciphertext ct = e.encrypt(enc, v, level, p.defaultScale());
            assertTrue(ct.part(0).limb(0) == reused || ct.part(1).limb(0) == reused, "the pool's arrays are reused");
            double[] d = enc.decode(dec.decrypt(ct));
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], d[i], 2e-3, "slot " + i + " at level " + level);
            }
            pool.release(ct.part(0));
            pool.release(ct.part(1));
            double[] c = coefficients.decode(dec.decrypt(e.encrypt(coefficients, v, level, p.defaultScale())));
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], c[i], 1e-5, "coefficient " + i + " at level " + level);
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> new Encryptor(ctx, kg.secretKey(), new io.github.jckks.math.LimbPool(p.n() / 2, 4)));
    }
}
