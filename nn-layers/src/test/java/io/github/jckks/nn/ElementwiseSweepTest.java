package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.Evaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * he-transformer's cipher/plain space for the element-wise operations, swept: Add, Subtract and Multiply with the
 * operands cipher-cipher, cipher-plain, plain-cipher, and cipher-plain and plain-cipher broadcast (a plain batch of one
 * image, scalar encoding), real and complex packing, two image shapes, full and partial batches: 120 cases, each
 * decrypted and
 * compared image by image with {@link Elementwise#apply(Elementwise.Op, Tensor, Tensor)} on inputs in [-1, 1]: max
 * |error| &lt; {@value #BOUND} for sums and differences, {@value #PRODUCT_BOUND} for products (N = 2048, scale 2^24;
 * two runs of the sweep measured at most 4.2e-5 and 4.3e-4: a fresh encryption's noise, and for products the
 * rescale's rounding, about 3e-5 per slot at this scale and ring, twice under complex packing). Also the level
 * handling (an operand one level lower; products at level 0 refused) and the mismatches refused.
 */
class ElementwiseSweepTest {
    static final double BOUND = 3e-4;
    static final double PRODUCT_BOUND = 2e-3;
    static final double REAL_SIZE_PRODUCT_BOUND = 6e-3;
    private static final Map<Packing, Harness> HARNESSES = new ConcurrentHashMap<>();

    private static Harness harness(Packing packing) {
        return HARNESSES.computeIfAbsent(packing, p -> new Harness(p, Harness.POOL, 2));
    }

    enum Operands { CIPHER_CIPHER, CIPHER_PLAIN, PLAIN_CIPHER, CIPHER_PLAIN_BROADCAST, PLAIN_BROADCAST_CIPHER }

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (Elementwise.Op op : Elementwise.Op.values()) {
            for (Operands operands : Operands.values()) {
                for (Packing packing : new Packing[] {Packing.REAL, Packing.COMPLEX}) {
                    for (int[] shape : new int[][] {{5}, {2, 3, 2}}) {
                        for (boolean partial : new boolean[] {false, true}) {
                            list.add(Arguments.of(op, operands, packing, shape, partial));
                        }
                    }
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} shape {3} partial {4}")
    @MethodSource("cases")
    void matchesThePlaintextReference(Elementwise.Op op, Operands operands, Packing packing, int[] shape,
                                      boolean partial) {
        Harness h = harness(packing);
        Random r = new Random(op.ordinal() * 1000 + operands.ordinal() * 100 + packing.ordinal() * 10 + shape.length
                + (partial ? 5 : 0));
        int batch = partial ? h.batch / 2 + 37 : h.batch;
        Tensor a = Harness.randomBatch(r, batch, shape);
        boolean broadcast = operands == Operands.CIPHER_PLAIN_BROADCAST || operands == Operands.PLAIN_BROADCAST_CIPHER;
        Tensor b = Harness.randomBatch(r, broadcast ? 1 : batch, shape);
        int top = h.params.maxLevel();
        double scale = h.params.defaultScale();
        EncryptedTensor ea = EncryptedTensor.encrypt(a, h.enc, h.encryptor, packing, top, scale);
        EncryptedTensor out = switch (operands) {
            case CIPHER_CIPHER -> Elementwise.apply(op, ea,
                    EncryptedTensor.encrypt(b, h.enc, h.encryptor, packing, top, scale), h.rt);
            case CIPHER_PLAIN, CIPHER_PLAIN_BROADCAST -> Elementwise.apply(op, ea, b, h.enc, h.rt);
            case PLAIN_CIPHER, PLAIN_BROADCAST_CIPHER -> Elementwise.apply(op, b, ea, h.enc, h.rt);
        };
        boolean plainFirst = operands == Operands.PLAIN_CIPHER || operands == Operands.PLAIN_BROADCAST_CIPHER;
        Tensor expected = plainFirst ? Elementwise.apply(op, b, a) : Elementwise.apply(op, a, b);
        Tensor got = out.decrypt(h.dec, h.enc);
        assertArrayEquals(expected.shape(), got.shape());
        assertEquals(op == Elementwise.Op.MULTIPLY ? top - 1 : top, out.level());
        double err = expected.maxAbsDifference(got);
        assertTrue(err < (op == Elementwise.Op.MULTIPLY ? PRODUCT_BOUND : BOUND), "max error " + err);
    }

    @Test
    void operandsAtDifferentLevelsMeetAtTheLowerOne() {
        Harness h = harness(Packing.REAL);
        Random r = new Random(7);
        Tensor a = Harness.randomBatch(r, h.batch, 4);
        Tensor b = Harness.randomBatch(r, h.batch, 4);
        int top = h.params.maxLevel();
        EncryptedTensor ea = EncryptedTensor.encrypt(a, h.enc, h.encryptor, Packing.REAL, top, h.params.defaultScale());
        // b one level lower, at the scale a rescale would leave: the sum is made there, a's extra prime dropped
        Evaluator ev = h.rt.evaluator();
        EncryptedTensor eb = EncryptedTensor.encrypt(b, h.enc, h.encryptor, Packing.REAL, top, h.params.defaultScale());
        Ciphertext[] low = eb.ciphertexts();
        for (int i = 0; i < low.length; i++) {
            low[i] = ev.multiplyScalar(low[i], 1.0, ev.lastPrime(top));
            ev.rescaleInPlace(low[i]);
        }
        EncryptedTensor lower = EncryptedTensor.of(low, h.batch, Packing.REAL, 4);
        for (Elementwise.Op op : Elementwise.Op.values()) {
            EncryptedTensor out = Elementwise.apply(op, ea, lower, h.rt);
            assertEquals(op == Elementwise.Op.MULTIPLY ? top - 2 : top - 1, out.level());
            double err = Elementwise.apply(op, a, b).maxAbsDifference(out.decrypt(h.dec, h.enc));
            assertTrue(err < (op == Elementwise.Op.MULTIPLY ? PRODUCT_BOUND : BOUND), op + " max error " + err);
        }
        // b one level lower at another scale (2^-4 of a's): a is aligned to it with a scalar product and a rescale
        // from its spare level (ScaleAlignment), here in the second operand's place too
        Ciphertext[] other = eb.ciphertexts();
        for (int i = 0; i < other.length; i++) {
            other[i] = ev.multiplyScalar(other[i], 1.0, 0x1p20);
            ev.rescaleInPlace(other[i]);
        }
        EncryptedTensor scaled = EncryptedTensor.of(other, h.batch, Packing.REAL, 4);
        assertTrue(Math.abs(Math.log(scaled.ciphertexts()[0].scale() / h.params.defaultScale()) / Math.log(2) + 4) < 0.01);
        // at scale 2^20 b itself decrypts 16 times less precisely, and a's aligning rescale to that scale adds a rounding
        // noise of the same size: the sum may carry both (measured about 1.45 times b's own), not more
        double own = b.maxAbsDifference(scaled.decrypt(h.dec, h.enc));
        for (Elementwise.Op op : new Elementwise.Op[] {Elementwise.Op.ADD, Elementwise.Op.SUBTRACT}) {
            EncryptedTensor out = Elementwise.apply(op, ea, scaled, h.rt);
            assertEquals(top - 1, out.level());
            double err = Elementwise.apply(op, a, b).maxAbsDifference(out.decrypt(h.dec, h.enc));
            assertTrue(err < 2 * own + BOUND, op + " (scales aligned) max error " + err + ", b's own " + own);
            EncryptedTensor swapped = Elementwise.apply(op, scaled, ea, h.rt);
            err = Elementwise.apply(op, b, a).maxAbsDifference(swapped.decrypt(h.dec, h.enc));
            assertTrue(err < 2 * own + BOUND, op + " (scales aligned, swapped) max error " + err + ", b's own " + own);
        }
    }

    @Test
    void mismatchesAndMissingLevelsAreRefused() {
        Harness h = harness(Packing.REAL);
        Random r = new Random(8);
        Tensor a = Harness.randomBatch(r, 10, 2, 2);
        EncryptedTensor ea = EncryptedTensor.encrypt(a, h.enc, h.encryptor, Packing.REAL, 0, h.params.defaultScale());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Elementwise.apply(Elementwise.Op.ADD, ea, Harness.randomBatch(r, 10, 4), h.enc, h.rt));
        assertTrue(e.getMessage().contains("image shapes [2, 2] and [4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Elementwise.apply(Elementwise.Op.ADD, ea, Harness.randomBatch(r, 3, 2, 2), h.enc, h.rt));
        assertTrue(e.getMessage().contains("batch of 3: expected 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Elementwise.apply(Elementwise.Op.MULTIPLY, ea, a, h.enc, h.rt));
        assertTrue(e.getMessage().contains("level 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Elementwise.apply(Elementwise.Op.MULTIPLY, ea, ea, h.rt));
        assertTrue(e.getMessage().contains("level 0"), e.getMessage());
        // a complex-packed product by a plain factor conjugates: refused without the conjugation key
        Harness c = harness(Packing.COMPLEX);
        CkksContext ctx = c.rt.context();
        EncryptedRuntime noKeys = c.rt.withEvaluator(new Evaluator(ctx));
        Tensor t = Harness.randomBatch(r, 10, 3);
        EncryptedTensor et = EncryptedTensor.encrypt(t, c.enc, c.encryptor, Packing.COMPLEX, 2, c.params.defaultScale());
        assertThrows(IllegalStateException.class, () -> Elementwise.apply(Elementwise.Op.MULTIPLY, et, t, c.enc, noKeys));
        // broadcast needs no key: one scalar product
        Tensor one = Harness.randomBatch(r, 1, 3);
        double err = Elementwise.apply(Elementwise.Op.MULTIPLY, t, one).maxAbsDifference(
                Elementwise.apply(Elementwise.Op.MULTIPLY, et, one, c.enc, noKeys).decrypt(c.dec, c.enc));
        assertTrue(err < PRODUCT_BOUND, "max error " + err);
    }

    /**
     * At a real size: the 128-bit CryptoNets parameters (N = 8192, scale 2^24), complex packing (8,192 images), the
     * products cipher-cipher (four key switches each) and cipher-plain (one conjugation each), and a cipher-cipher sum.
     * Products: max error below {@value #REAL_SIZE_PRODUCT_BOUND} (the rescale's rounding grows with sqrt(N): measured
     * 1.1e-3 cipher-cipher and 1.4-1.5e-3 cipher-plain, two runs); the sum as the sweep's.
     */
    @Test
    void complexPackedProductsAtRealSize() {
        io.github.jckks.ckks.CkksParameters params = io.github.jckks.ckks.CkksParameters.cryptoNets();
        CkksContext ctx = new CkksContext(params);
        io.github.jckks.ckks.KeyGenerator kg = new io.github.jckks.ckks.KeyGenerator(ctx);
        io.github.jckks.ckks.CkksEncoder enc = new io.github.jckks.ckks.CkksEncoder(ctx);
        io.github.jckks.ckks.Encryptor encryptor = new io.github.jckks.ckks.Encryptor(ctx, kg.secretKey());
        io.github.jckks.ckks.Decryptor dec = new io.github.jckks.ckks.Decryptor(ctx, kg.secretKey());
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx, kg.evaluationKeys(true, true)), MacKernels.get(),
                Harness.POOL, Packing.COMPLEX);
        Random r = new Random(9);
        int batch = 2 * params.slots();
        Tensor a = Harness.randomBatch(r, batch, 3);
        Tensor b = Harness.randomBatch(r, batch, 3);
        int level = params.maxLevel();
        EncryptedTensor ea = EncryptedTensor.encrypt(a, enc, encryptor, Packing.COMPLEX, level, params.defaultScale());
        EncryptedTensor eb = EncryptedTensor.encrypt(b, enc, encryptor, Packing.COMPLEX, level, params.defaultScale());
        for (Elementwise.Op op : new Elementwise.Op[] {Elementwise.Op.MULTIPLY, Elementwise.Op.ADD}) {
            double err = Elementwise.apply(op, a, b).maxAbsDifference(Elementwise.apply(op, ea, eb, rt).decrypt(dec, enc));
            assertTrue(err < (op == Elementwise.Op.MULTIPLY ? REAL_SIZE_PRODUCT_BOUND : BOUND), op + " cipher-cipher: " + err);
        }
        double err = Elementwise.apply(Elementwise.Op.MULTIPLY, a, b).maxAbsDifference(
                Elementwise.apply(Elementwise.Op.MULTIPLY, ea, b, enc, rt).decrypt(dec, enc));
        assertTrue(err < REAL_SIZE_PRODUCT_BOUND, "cipher-plain: " + err);
    }
}
