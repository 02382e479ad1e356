package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.Prng;
import io.github.jckks.math.RnsPoly;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Key generation, and public-key and secret-key encryption. */
class KeysTest {
    private final SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_40);

    @Test
    void publicKeyAndSecretKeyEncryptionBothDecrypt() {
        KeyGenerator kg = new KeyGenerator(f.ctx);
        Decryptor dec = new Decryptor(f.ctx, kg.secretKey());
        double[] x = f.random(70);
        Plaintext p = f.encoder.encode(x);
        Ciphertext viaPublic = new Encryptor(f.ctx, kg.publicKey()).encrypt(p);
        Ciphertext viaSecret = new Encryptor(f.ctx, kg.secretKey()).encrypt(p);
        PrecisionStats sp = PrecisionStats.of(x, f.encoder.decode(dec.decrypt(viaPublic)));
        PrecisionStats ss = PrecisionStats.of(x, f.encoder.decode(dec.decrypt(viaSecret)));
        f.report("public-key encryption", sp, f.fresh);
        f.report("secret-key encryption", ss, f.fresh);
        assertTrue(viaSecret.seed() != null && viaPublic.seed() == null);
        // at a lower level and another scale, the ciphertext takes the plaintext's
        Plaintext low = f.encoder.encode(x, 1, 0x1p30);
        Ciphertext c = new Encryptor(f.ctx, kg.publicKey()).encrypt(low);
        assertEquals(1, c.level());
        assertEquals(0x1p30, c.scale());
        f.report("public-key encryption at level 1, scale 2^30", PrecisionStats.of(x, f.encoder.decode(dec.decrypt(c))),
                f.fresh * 0x1p10);
        // the secret-key ciphertext's c1 is the expansion of its seed
        Ciphertext fresh = new Encryptor(f.ctx, kg.secretKey()).encrypt(p);
        RnsPoly a = f.ctx.ringQ().newPoly(f.top() + 1, true);
        io.github.jckks.math.RlweSampler.uniform(new Prng(fresh.seed()), f.ctx.ringQ(), a);
        for (int i = 0; i <= f.top(); i++) {
            assertArrayEquals(a.limb(i), fresh.part(1).limb(i));
        }
    }

    @Test
    void twoKeyGeneratorsGiveDifferentKeys() {
        KeyGenerator k1 = new KeyGenerator(f.ctx);
        KeyGenerator k2 = new KeyGenerator(f.ctx);
        assertFalse(Arrays.equals(k1.secretKey().sQ().limb(0), k2.secretKey().sQ().limb(0)));
        assertFalse(Arrays.equals(k1.publicKey().a().limb(0), k2.publicKey().a().limb(0)));
        // two public keys of one generator differ too (fresh a and e), and both work
        PublicKey p1 = k1.publicKey();
        PublicKey p2 = k1.publicKey();
        assertFalse(Arrays.equals(p1.b().limb(0), p2.b().limb(0)));
        double[] x = f.random(71);
        Decryptor d1 = new Decryptor(f.ctx, k1.secretKey());
        Decryptor d2 = new Decryptor(f.ctx, k2.secretKey());
        Ciphertext c = new Encryptor(f.ctx, p2).encrypt(f.encoder.encode(x));
        f.report("second public key", PrecisionStats.of(x, f.encoder.decode(d1.decrypt(c))), f.fresh);
        // the other secret key decrypts to noise
        PrecisionStats wrong = PrecisionStats.of(x, f.encoder.decode(d2.decrypt(c)));
        assertTrue(wrong.maxError() > 1e3, "a wrong key must not decrypt: " + wrong);
    }

    @Test
    void seededGeneratorsAreDeterministic() {
        byte[] seed = new byte[Prng.SEED_BYTES];
        seed[5] = 42;
        KeyGenerator a = new KeyGenerator(f.ctx, new Prng(seed));
        KeyGenerator b = new KeyGenerator(f.ctx, new Prng(seed));
        for (int i = 0; i <= f.top(); i++) {
            assertArrayEquals(a.secretKey().sQ().limb(i), b.secretKey().sQ().limb(i));
        }
        assertArrayEquals(a.publicKey().b().limb(0), b.publicKey().b().limb(0));
    }

    @Test
    void secretKeyIsTernary() {
        RnsPoly s = f.keyGen.secretKey().sQ().copy();
        f.ctx.ringQ().intt(s);
        Modulus q0 = f.ctx.ringQ().modulus(0);
        int[] counts = new int[3];
        for (long v : s.limb(0)) {
            long c = q0.center(v);
            assertTrue(c >= -1 && c <= 1, "coefficient " + c);
            counts[(int) c + 1]++;
        }
        for (int c : counts) {
            assertTrue(c > f.params.n() / 5, "roughly uniform ternary: " + Arrays.toString(counts));
        }
    }

    @Test
    void evaluationKeysHoldWhatWasAskedFor() {
        KeyGenerator kg = new KeyGenerator(f.ctx);
        EvaluationKeys none = kg.evaluationKeys(false, false);
        assertEquals(null, none.relinearization());
        assertTrue(none.galois().isEmpty());
        EvaluationKeys some = kg.evaluationKeys(true, true, 1, -1, 1, f.slots + 1);
        assertEquals(3, some.galois().size(), "1 and N/2 + 1 share an element; -1 and conjugation are separate");
        assertEquals(f.params.digitCount(), some.relinearization().digits());
        assertTrue(some.galois(GaloisElements.conjugation(f.params.n())) != null);
        assertTrue(some.galois(GaloisElements.forRotation(f.params.n(), -1)) != null);
        assertEquals(GaloisElements.forRotation(f.params.n(), 1), 5);
        assertEquals(GaloisElements.forRotation(f.params.n(), f.slots - 1), GaloisElements.forRotation(f.params.n(), -1));
    }

    /**
     * Key-switching keys keep 32-bit residues where key switching multiplies them lazily (every prime below 2^31):
     * half the bytes, the same key; 50- and 60-bit chains keep 64-bit limbs.
     */
    @Test
    void keySwitchingKeysAreCompactWherePrimesAllow() {
        for (String name : new String[] {SchemeFixture.SMALL_24, SchemeFixture.SMALL_COMPOSITE, SchemeFixture.SMALL_40}) {
            SchemeFixture g = SchemeFixture.get(name);
            KeySwitchKey relin = g.keys.relinearization();
            boolean narrow = !name.equals(SchemeFixture.SMALL_40);
            assertEquals(narrow, relin.isCompact(), name);
            int limbs = g.params.maxLevel() + 1 + g.params.specialPrimes().length;
            assertEquals(2L * relin.digits() * limbs * g.params.n() * (narrow ? 4 : 8), relin.residueBytes(), name);
            // the 64-bit view of a compact key is a copy; reading it back through serialization gives the same key
            KeySwitchKey back = Serialization.readKeySwitchKey(g.ctx, Serialization.write(g.ctx, relin));
            assertEquals(relin.isCompact(), back.isCompact());
            for (int j = 0; j < relin.digits(); j++) {
                assertArrayEquals(relin.aQ(j).limb(0), back.aQ(j).limb(0), name + " digit " + j);
                assertArrayEquals(relin.bP(j).limb(0), back.bP(j).limb(0), name + " digit " + j);
            }
            if (narrow) {
                assertFalse(relin.bQ(0) == relin.bQ(0), "a compact key hands out copies");
            }
        }
    }
}
