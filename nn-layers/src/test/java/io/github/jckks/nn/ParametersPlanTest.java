package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.SecurityLevel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Sequential#parameters}: the smallest 128-bit ring deep and wide enough, and it runs the network. */
class ParametersPlanTest {

    private static int[] bits(long[] primes) {
        int[] b = new int[primes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = 64 - Long.numberOfLeadingZeros(primes[i]);
        }
        return b;
    }

    private static Sequential cryptoNetsShape(Random r) {
        return Sequential.builder()
                .add(LinearLayer.conv2d(1, 28, 28, Harness.kernel(r, 5, 1, 5, 0.2), Harness.vector(r, 5, 0.1), 2, 1, 1, 0, 0, 1))
                .square()
                .add(LinearLayer.dense(Harness.matrix(r, 100, 845, 0.05), Harness.vector(r, 100, 0.1)))
                .square()
                .add(LinearLayer.dense(Harness.matrix(r, 10, 100, 0.1), Harness.vector(r, 10, 0.1)))
                .build();
    }

    @Test
    void cryptoNetsGetsTheCryptoNetsRing() {
        Sequential net = cryptoNetsShape(new Random(31));
        assertEquals(4, net.depth());
        assertTrue(net.needsKeySwitching(Packing.REAL), "dense 845->100 relinearizes its outputs");
        for (Packing packing : new Packing[] {Packing.REAL, Packing.COMPLEX}) {
            CkksParameters p = net.parameters(packing, packing == Packing.COMPLEX ? 8192 : 4096, 24, 30);
            assertEquals(13, p.logN(), packing.toString());
            // 24-bit NTT primes alternate around 2^24, so some have 25 bits, as in CkksParameters.cryptoNets()
            int[] data = bits(p.dataPrimes());
            assertEquals(6, data.length);
            assertEquals(30, data[0]);
            for (int i = 1; i < data.length; i++) {
                assertTrue(data[i] == 24 || data[i] == 25, "prime " + i + " of " + data[i] + " bits");
            }
            assertArrayEquals(new int[] {30}, bits(p.specialPrimes()));
            assertEquals(SecurityLevel.BITS_128, p.achievedSecurity());
            assertEquals(0x1p24, p.defaultScale());
        }
        assertEquals(14, net.parameters(Packing.COMPLEX, 8193, 24, 30).logN(), "a larger batch needs a larger ring");
        assertEquals(14, net.parameters(Packing.REAL, 4097, 24, 30).logN());
    }

    @Test
    void networksWithoutProductsGetNoSpecialPrime() {
        Random r = new Random(32);
        Sequential dense = Sequential.builder().add(LinearLayer.dense(Harness.matrix(r, 4, 16, 0.3), Harness.vector(r, 4, 0.1))).build();
        assertFalse(dense.needsKeySwitching(Packing.COMPLEX));
        CkksParameters p = dense.parameters(Packing.REAL, 1000, 24, 30);
        assertEquals(0, p.specialPrimes().length);
        assertEquals(3, p.dataPrimes().length, "depth 1 + one level of headroom");
        assertEquals(12, p.logN(), "78 bits exceed N = 2048's 54");
        // a square whose three-part result is decrypted with s^2 switches no key with real packing, one with complex
        Sequential squareThenDense = Sequential.builder(16).square()
                .add(LinearLayer.dense(Harness.matrix(r, 4, 16, 0.3), Harness.vector(r, 4, 0.1))).build();
        assertFalse(squareThenDense.needsKeySwitching(Packing.REAL));
        assertTrue(squareThenDense.needsKeySwitching(Packing.COMPLEX), "complex-packed squares conjugate");
        // and it runs on its planned ring with an evaluator that has no key at all
        CkksParameters q = squareThenDense.parameters(Packing.REAL, 64, 24, 30);
        assertEquals(0, q.specialPrimes().length);
        CkksContext ctx = new CkksContext(q);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx), MacKernels.get(), Harness.POOL, Packing.REAL);
        Tensor batch = Harness.randomBatch(r, 64, 16);
        Tensor got = squareThenDense.forward(EncryptedTensor.encrypt(batch, enc, new Encryptor(ctx, kg.secretKey()),
                Packing.REAL, q.maxLevel(), q.defaultScale()), rt).decrypt(new Decryptor(ctx, kg.secretKey()), enc);
        double err = squareThenDense.forward(batch).maxAbsDifference(got);
        assertTrue(err < 1e-3, "decrypted with s^2, no key switched: max error " + err);
    }

    /**
     * Half the NTT primes near 2^s have s + 1 bits: a plan whose nominal bits just fit a bound (depth 2 at 26 bits
     * and a 31-bit q0: 109 nominal bits for N = 4096's 109) is built there with primes just below 2^s instead
     * (log2 QP then at most the nominal bits), not moved to a ring twice the size or refused.
     */
    @Test
    void primesAboveTheirNominalSizeAreReplacedByPrimesBelowIt() {
        Random r = new Random(35);
        Sequential net = Sequential.builder(8).add(LinearLayer.dense(Harness.matrix(r, 8, 8, 0.3), Harness.vector(r, 8, 0.1)))
                .square().add(LinearLayer.dense(Harness.matrix(r, 2, 8, 0.3), Harness.vector(r, 2, 0.1))).build();
        CkksParameters p = net.parameters(Packing.REAL, 1024, 26, 31);
        assertTrue(p.achievedSecurity().bits() >= 128, p.toString());
        assertEquals(12, p.logN(), p.toString());
        assertTrue(p.totalModulusBits() <= SecurityLevel.BITS_128.maxModulusBits(p.logN()), p.toString());
        for (int i = 1; i < p.dataPrimes().length; i++) {
            assertTrue(p.dataPrimes()[i] < (1L << 26), p.toString());
        }
    }

    /** The plan's parameters at their real size (N = 4096) run a conv -> square -> dense network within 1e-3. */
    @Test
    void thePlannedParametersRunTheNetwork() {
        Random r = new Random(33);
        Sequential net = Sequential.builder()
                .add(LinearLayer.conv2d(1, 8, 8, Harness.kernel(r, 2, 1, 3, 0.5), Harness.vector(r, 2, 0.1), 2, 1, 1, 0, 0, 1))
                .square()
                .add(LinearLayer.dense(Harness.matrix(r, 3, 32, 0.2), Harness.vector(r, 3, 0.1)))
                .build();
        CkksParameters p = net.parameters(Packing.REAL, 1024, 24, 30);
        assertEquals(SecurityLevel.BITS_128, p.achievedSecurity());
        CkksContext ctx = new CkksContext(p);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        // the client's secret-key encryption: without a special prime, public-key encryption's noise u e + e0 + e1 s
        // is not divided by P (5e-3 at scale 2^22, against 5e-4 from the secret key)
        Encryptor encryptor = new Encryptor(ctx, kg.secretKey());
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        Evaluator ev = net.needsKeySwitching(Packing.REAL) ? new Evaluator(ctx, kg.evaluationKeys(true, false)) : new Evaluator(ctx);
        EncryptedRuntime rt = new EncryptedRuntime(ev, MacKernels.get(), Harness.POOL, Packing.REAL);
        double[][] images = new double[1024][64];
        for (double[] im : images) {
            for (int i = 0; i < im.length; i++) {
                im[i] = 2 * r.nextDouble() - 1;
            }
        }
        Tensor batch = Tensor.ofImages(images, 1, 8, 8);
        EncryptedTensor y = net.forward(EncryptedTensor.encrypt(batch, enc, encryptor, Packing.REAL, p.maxLevel(),
                p.defaultScale()), rt);
        double err = net.forward(batch).maxAbsDifference(y.decrypt(dec, enc));
        assertTrue(err < 1e-3, p + ": max error " + err); // measured 1.8-2.2e-4
    }

    @Test
    void impossibleOrBadRequestsAreRefused() {
        Random r = new Random(34);
        Sequential.Builder deep = Sequential.builder(4);
        for (int i = 0; i < 20; i++) {
            deep.add(LinearLayer.dense(Harness.matrix(r, 4, 4, 0.3), Harness.vector(r, 4, 0.1))).square();
        }
        Sequential tooDeep = deep.add(LinearLayer.dense(Harness.matrix(r, 4, 4, 0.3), Harness.vector(r, 4, 0.1))).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tooDeep.parameters(Packing.REAL, 16, 27, 31));
        assertTrue(e.getMessage().contains("no 128-bit ring"), e.getMessage());
        Sequential net = cryptoNetsShape(r);
        assertThrows(IllegalArgumentException.class, () -> net.parameters(Packing.COMPLEX, 32769, 24, 30), "batch over 2^15");
        assertThrows(IllegalArgumentException.class, () -> net.parameters(Packing.REAL, 16, 9, 30));
        assertThrows(IllegalArgumentException.class, () -> net.parameters(Packing.REAL, 16, 24, 23));
        IllegalArgumentException headroom = assertThrows(IllegalArgumentException.class,
                () -> net.parameters(Packing.REAL, 16, 24, 24), "no room above the product scale");
        assertTrue(headroom.getMessage().contains("[28, 31]"), headroom.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.parameters(Packing.REAL, 16, 24, 27));
        assertEquals(13, net.parameters(Packing.REAL, 16, 24, 28).logN());
        assertThrows(IllegalArgumentException.class, () -> net.parameters(Packing.REAL, 16, 24, 32));
        assertThrows(IllegalArgumentException.class, () -> net.parameters(Packing.REAL, 0, 24, 30));
    }
}
