package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Batch-packed tensors: encryption and decryption round trips for both packings and partial batches, the compact
 * form (half the bytes, the same values), a network on a tensor against the plaintext network on the same batch,
 * refusals; and the MNIST shape at a real size.
 */
class EncryptedTensorTest {

    @ParameterizedTest
    @EnumSource(value = Packing.class, names = {"REAL", "COMPLEX"}) // the slot packings: COEFFICIENT holds linear steps only
    void roundTripFullAndPartialBatches(Packing packing) {
        Harness h = new Harness(packing, Harness.POOL, 2);
        Random r = new Random(21);
        for (int batch : new int[] {h.batch, h.batch / 2 + 3, 1}) {
            Tensor t = Harness.randomBatch(r, batch, 2, 3, 3);
            EncryptedTensor x = EncryptedTensor.encrypt(t, h.enc, h.encryptor, packing, h.params.maxLevel(),
                    h.params.defaultScale());
            assertEquals(18, x.elementCount());
            assertEquals(batch, x.batch());
            assertArrayEquals(new int[] {2, 3, 3}, x.imageShape());
            Tensor back = x.decrypt(h.dec, h.enc);
            assertArrayEquals(t.shape(), back.shape());
            double err = t.maxAbsDifference(back);
            assertTrue(err < 1e-4, packing + ", batch " + batch + ": round-trip error " + err);
            EncryptedTensor c = x.compact(h.rt.context());
            assertTrue(c.isCompact());
            assertSame(c, c.compact(h.rt.context()));
            assertEquals(x.residueBytes(), 2 * c.residueBytes(), "32-bit limbs: half the bytes");
            assertEquals(0, back.maxAbsDifference(c.decrypt(h.dec, h.enc)), "the compact form holds the same residues");
            assertEquals(0, back.maxAbsDifference(c.wide(h.rt.context()).decrypt(h.dec, h.enc)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Packing.class, names = {"REAL", "COMPLEX"}) // the slot packings: COEFFICIENT holds linear steps only
    void networkOnATensorMatchesThePlaintextNetworkOnTheBatch(Packing packing) {
        Harness h = new Harness(packing, Harness.POOL, 3);
        Random r = new Random(22);
        Sequential net = Harness.smallConvNet(r);
        Tensor batch = Harness.randomBatch(r, h.batch, 1, 8, 8);
        Tensor expected = net.forward(batch);
        assertArrayEquals(new int[] {h.batch, 3}, expected.shape());
        for (boolean compact : new boolean[] {false, true}) {
            EncryptedTensor x = EncryptedTensor.encrypt(batch, h.enc, h.encryptor, packing, h.params.maxLevel(),
                    h.params.defaultScale());
            EncryptedTensor y = net.forward(compact ? x.compact(h.rt.context()) : x, h.rt);
            // a wide input's memory went to the network: the tensor says so instead of decrypting to garbage
            assertEquals(!compact, x.isConsumed());
            if (!compact) {
                IllegalStateException used = assertThrows(IllegalStateException.class, () -> x.decrypt(h.dec, h.enc));
                assertTrue(used.getMessage().contains("consumed"), used.getMessage());
                assertThrows(IllegalStateException.class, () -> net.forward(x, h.rt));
            }
            assertArrayEquals(new int[] {3}, y.imageShape());
            Tensor got = y.decrypt(h.dec, h.enc);
            double err = expected.maxAbsDifference(got);
            // measured 0.6-1.0e-4 real, 1.9-2.6e-4 complex (3 runs each)
            double bound = packing == Packing.COMPLEX ? 2e-3 : 1e-3;
            assertTrue(err < bound, packing + (compact ? ", compact" : ", wide") + ": max error " + err);
            // the client's argmax after decryption: the same class wherever the top two are further apart than the
            // errors can move them
            int[] want = expected.argmax();
            int[] have = got.argmax();
            int decided = 0;
            for (int b = 0; b < want.length; b++) {
                double[] o = expected.image(b);
                double gap = Double.POSITIVE_INFINITY;
                for (int c = 0; c < o.length; c++) {
                    if (c != want[b]) {
                        gap = Math.min(gap, o[want[b]] - o[c]);
                    }
                }
                if (gap > 2 * bound) {
                    assertEquals(want[b], have[b], "image " + b + " (top-2 gap " + gap + ")");
                    decided++;
                }
            }
            assertTrue(decided > want.length / 2, decided + " of " + want.length + " images with a clear winner");
        }
    }

    @Test
    void badTensorsAreRejected() {
        Harness h = new Harness(Packing.REAL, Harness.POOL, 2);
        Random r = new Random(23);
        Tensor tooMany = Harness.randomBatch(r, h.batch + 1, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EncryptedTensor.encrypt(tooMany,
                h.enc, h.encryptor, Packing.REAL, 1, h.params.defaultScale()));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
        EncryptedTensor x = EncryptedTensor.encrypt(Harness.randomBatch(r, 4, 2, 2), h.enc, h.encryptor, Packing.REAL, 1,
                h.params.defaultScale());
        assertThrows(IllegalArgumentException.class, () -> x.reshape(3));
        assertArrayEquals(new int[] {4}, x.reshape(4).imageShape());
        assertThrows(IllegalStateException.class, x::compactCiphertexts);
        assertThrows(IllegalStateException.class, () -> x.compact(h.rt.context()).ciphertexts());
        Ciphertext[] cts = x.ciphertexts();
        assertThrows(IllegalArgumentException.class, () -> EncryptedTensor.of(cts, 4, Packing.REAL, 5));
        IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
                () -> EncryptedTensor.of(cts, h.batch + 1, Packing.REAL, 4));
        assertTrue(over.getMessage().contains("outside [1, " + h.batch + "]"), over.getMessage());
        assertEquals(2 * h.batch, EncryptedTensor.of(cts, 2 * h.batch, Packing.COMPLEX, 4).batch());
        Evaluator ev = h.rt.evaluator();
        Ciphertext[] mixed = cts.clone();
        mixed[3] = ev.dropLevel(mixed[3], 0);
        assertThrows(IllegalArgumentException.class, () -> EncryptedTensor.of(mixed, 4, Packing.REAL, 4));
        Sequential net = Sequential.builder().add(LinearLayer.dense(new double[][] {{1, 1, 1, 1}}, new double[] {0})).build();
        EncryptedRuntime complexRt = new Harness(Packing.COMPLEX, Harness.POOL, 2).rt;
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> net.forward(x, complexRt));
        assertTrue(p.getMessage().contains("packed"), p.getMessage());
    }

    /** MNIST-shaped batches (1 x 28 x 28, 4,096 images) at N = 8192 with the 128-bit CryptoNets parameters. */
    @Test
    void mnistShapedBatchAtRealSize() {
        CkksParameters params = CkksParameters.cryptoNets();
        CkksContext ctx = new CkksContext(params);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        Encryptor encryptor = new Encryptor(ctx, kg.secretKey());
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        Tensor batch = Harness.randomBatch(new Random(24), params.slots(), 1, 28, 28);
        EncryptedTensor x = EncryptedTensor.encrypt(batch, enc, encryptor, Packing.REAL, 1, params.defaultScale());
        assertEquals(784, x.elementCount());
        EncryptedTensor c = x.compact(ctx);
        assertEquals(784L * 2 * 2 * 8192 * 4, c.residueBytes(), "two parts of two 32-bit limbs per element");
        double err = batch.maxAbsDifference(c.decrypt(dec, enc));
        // each slot's error is Gaussian with sigma about 3.2 sqrt(N/2) / 2^24 = 1.2e-5; the largest of 3.2 million
        // is about 5.2 sigma: measured 6.2-6.5e-5
        assertTrue(err < 2e-4, "round trip at N = 8192, scale 2^24: " + err);
    }
}
