package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** A ciphertext round trip at a real size: CryptoNets parameters, N = 8192, primes {30, 24 x 5}. */
class SerialRealSizeTest {
    @Test
    void cryptoNetsCiphertextRoundTrip() {
        CkksParameters params = CkksParameters.cryptoNets();
        CkksParameters loaded = Serialization.readParameters(Serialization.write(params));
        assertEquals(params, loaded);
        CkksContext ctx = new CkksContext(loaded);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        Random r = new Random(5);
        double[] x = new double[params.slots()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() * 2 - 1;
        }
        Ciphertext ct = new Encryptor(ctx, kg.secretKey()).encrypt(enc.encode(x));
        byte[] seeded = Serialization.write(ctx, ct);
        byte[] full = Serialization.writeFull(ctx, ct);
        // residues take their prime's width: the "24-bit" primes sit near 2^24 alternately above and below, so
        // some have 25 bits; a 24-bit prime's residues take 3 bytes, a 30-bit prime's 30 bits
        int bits = 0;
        StringBuilder widths = new StringBuilder();
        for (long q : params.dataPrimes()) {
            int b = 64 - Long.numberOfLeadingZeros(q);
            bits += b;
            widths.append(widths.isEmpty() ? "" : ",").append(b);
        }
        long perPart = bits * 8192L / 8;
        assertEquals(48 + 1 + 1 + 8 + 2 * perPart + 4, full.length);
        assertEquals(48 + 1 + 8 + 32 + perPart + 4, seeded.length);
        System.out.printf("cryptoNets N=8192 (data prime bits %s) ciphertext: full %d bytes, seeded %d bytes (%.3f);"
                + " in memory %d bytes%n", widths, full.length, seeded.length, (double) seeded.length / full.length,
                2L * 8 * 8192 * 6);
        assertTrue(seeded.length < full.length / 2 + 100);

        Ciphertext a = Serialization.readCiphertext(ctx, seeded);
        Ciphertext b = Serialization.readCiphertext(ctx, full);
        for (Ciphertext back : new Ciphertext[] {a, b}) {
            assertEquals(ct.level(), back.level());
            assertEquals(ct.scale(), back.scale());
            for (int p = 0; p < 2; p++) {
                for (int i = 0; i <= ct.level(); i++) {
                    assertArrayEquals(ct.part(p).limb(i), back.part(p).limb(i));
                }
            }
            double[] d = enc.decode(dec.decrypt(back));
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], d[i], 1e-3, "slot " + i);
            }
        }
        // the secret key travels in N/4 bytes and decrypts the loaded ciphertext
        SecretKey sk = Serialization.readSecretKey(ctx, Serialization.write(ctx, kg.secretKey()));
        assertEquals(48 + 2048 + 4, Serialization.write(ctx, sk).length);
        double[] d = enc.decode(new Decryptor(ctx, sk).decrypt(a));
        assertEquals(x[0], d[0], 1e-3);
    }
}
