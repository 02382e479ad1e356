package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
