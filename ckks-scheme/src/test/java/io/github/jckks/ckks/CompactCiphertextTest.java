package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.Prng;
import org.junit.jupiter.api.Test;

/**
 * {@link CompactCiphertext}: the 32-bit form keeps every residue, the level, the scale and the parts, so the
 * expanded ciphertext is bit-identical and decrypts to the same values; at a real size (the CryptoNets
 * parameters, N = 8192) and for a three-part product; refused where a prime has more than 32 bits.
 */
class CompactCiphertextTest {
    private static void assertSameCiphertext(Ciphertext a, Ciphertext b) {
        assertEquals(a.size(), b.size());
        assertEquals(a.level(), b.level());
        assertEquals(a.scale(), b.scale());
        for (int p = 0; p < a.size(); p++) {
            for (int l = 0; l <= a.level(); l++) {
                assertArrayEquals(a.partForReading(p).limb(l), b.partForReading(p).limb(l), "part " + p + " limb " + l);
            }
        }
    }

    @Test
    void cryptoNetsCiphertextRoundTripsExactlyAtHalfTheMemory() {
        CkksContext ctx = new CkksContext(CkksParameters.cryptoNets());
        KeyGenerator kg = new KeyGenerator(ctx, new Prng(new byte[Prng.SEED_BYTES]));
        Encryptor enc = new Encryptor(ctx, kg.secretKey());
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        CkksEncoder encoder = new CkksEncoder(ctx);
        double[] values = SchemeFixture.random(3, ctx.parameters().slots());
        int top = ctx.maxLevel();
        Ciphertext ct = enc.encrypt(encoder, values, top, ctx.parameters().defaultScale());
        assertNotNull(ct.seed());
        assertTrue(CompactCiphertext.fits(ctx, top));

        CompactCiphertext c = CompactCiphertext.of(ctx, ct);
        assertNotNull(ct.seed(), "compacting reads c1 without forgetting the original's seed");
        assertEquals(2L * 4 * ctx.n() * (top + 1), c.residueBytes());
        assertEquals(top, c.level());
        Ciphertext back = c.expand(ctx);
        assertNull(back.seed(), "the compact form keeps no seed");
        assertSameCiphertext(ct, back);
        double[] got = encoder.decode(dec.decrypt(back));
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], got[i], 1e-3, "slot " + i);
        }
    }

    @Test
    void threePartProductsAndLowerLevelsRoundTrip() {
        SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_24);
        double[] x = SchemeFixture.random(5, f.slots);
        Ciphertext a = f.symmetric.encrypt(f.encoder, x, 2, f.params.defaultScale()); // below the top level
        Ciphertext prod = f.ev.multiply(a, a); // three parts at scale 2^48, decrypted with s^2 (no rescale noise)
        assertEquals(3, prod.size());
        assertEquals(2, prod.level());
        Ciphertext back = CompactCiphertext.of(f.ctx, prod).expand(f.ctx, limbs -> f.ctx.ringQ().newPoly(limbs, true));
        assertSameCiphertext(prod, back);
        double[] got = f.encoder.decode(f.decryptor.decrypt(back));
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] * x[i], got[i], 1e-4, "slot " + i);
        }
    }

    @Test
    void primesAbove32BitsAreRefusedWithTheReason() {
        SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_40); // {50, 40, 40, 40}: no level fits
        assertFalse(CompactCiphertext.fits(f.ctx, 0));
        Ciphertext a = f.symmetric.encrypt(f.encoder, SchemeFixture.random(1, f.slots), 0, f.params.defaultScale());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompactCiphertext.of(f.ctx, a));
        assertTrue(e.getMessage().contains("2^32"), e.getMessage());
    }
}
