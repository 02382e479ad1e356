package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.CompactCiphertext;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Networks on inputs held in 32 bits ({@link CompactCiphertext}): a first linear layer sums them in place, any
 * other first layer expands them; either way the outputs equal, residue for residue, those of the same network on
 * the same inputs in 64-bit form, and decrypt to the plaintext reference.
 */
class CompactInputTest {

    private static CompactCiphertext[] compact(CkksContext ctx, Ciphertext[] in) {
        CompactCiphertext[] c = new CompactCiphertext[in.length];
        for (int i = 0; i < in.length; i++) {
            c[i] = CompactCiphertext.of(ctx, in[i]);
        }
        return c;
    }

    private static void assertSameResidues(Ciphertext[] expected, Ciphertext[] actual) {
        assertEquals(expected.length, actual.length);
        for (int o = 0; o < expected.length; o++) {
            assertEquals(expected[o].size(), actual[o].size(), "parts of output " + o);
            assertEquals(expected[o].level(), actual[o].level(), "level of output " + o);
            assertEquals(expected[o].scale(), actual[o].scale(), "scale of output " + o);
            for (int p = 0; p < expected[o].size(); p++) {
                for (int i = 0; i <= expected[o].level(); i++) {
                    assertArrayEquals(expected[o].part(p).limb(i), actual[o].part(p).limb(i),
                            "output " + o + " part " + p + " limb " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Packing.class, names = {"REAL", "COMPLEX"}) // the slot packings: COEFFICIENT holds linear steps only
    void convSquareDenseOnCompactInputs(Packing packing) {
        Harness h = new Harness(packing, Harness.POOL, 3);
        Random r = new Random(11);
        Sequential net = Harness.smallConvNet(r);
        double[][] images = h.images(r, 64, -1, 1);
        Ciphertext[] wideIn = h.encrypt(images);
        CkksContext ctx = h.rt.context();
        CompactCiphertext[] compactIn = compact(ctx, wideIn);
        Ciphertext[] fromCompact = net.forward(compactIn, h.rt);
        Ciphertext[] fromWide = net.forward(wideIn, h.rt);
        assertSameResidues(fromWide, fromCompact);
        double err = h.maxError(net::forward, images, fromCompact);
        assertTrue(err < 2e-3, packing + ": max error " + err);
    }

    @Test
    void aFirstLayerThatIsNotLinearExpandsTheInputs() {
        Harness h = new Harness(Packing.REAL, Harness.POOL, 3);
        Random r = new Random(12);
        Sequential net = Sequential.builder(16)
                .add(new PolynomialActivation(16, 0.1, 0.5, 0.25))
                .add(LinearLayer.dense(Harness.matrix(r, 3, 16, 0.3), Harness.vector(r, 3, 0.1)))
                .build();
        double[][] images = h.images(r, 16, -1, 1);
        Ciphertext[] wideIn = h.encrypt(images);
        CompactCiphertext[] compactIn = compact(h.rt.context(), wideIn);
        Ciphertext[] fromCompact = net.forward(compactIn, h.rt);
        Ciphertext[] fromWide = net.forward(wideIn, h.rt);
        assertSameResidues(fromWide, fromCompact);
        double err = h.maxError(net::forward, images, fromCompact);
        assertTrue(err < 1e-3, "max error " + err);
    }

    @Test
    void mismatchedCompactInputsAreRejected() {
        Harness h = new Harness(Packing.REAL, Harness.POOL, 3);
        Random r = new Random(13);
        LinearLayer dense = LinearLayer.dense(Harness.matrix(r, 2, 3, 0.3), Harness.vector(r, 2, 0.1));
        Ciphertext[] in = h.encrypt(h.images(r, 3, -1, 1));
        Evaluator ev = h.rt.evaluator();
        in[2] = ev.dropLevel(in[2], in[2].level() - 1);
        CompactCiphertext[] c = compact(h.rt.context(), in);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dense.forward(c, h.rt));
        assertTrue(e.getMessage().contains("differ in level"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> dense.forward(new CompactCiphertext[] {c[0], c[1]}, h.rt));
        // ciphertexts of another parameter set of the same N: the kernel reads limbs directly, the layer checks them
        CkksParameters other = CkksParameters.builder().logN(11).dataPrimeBits(29, 25, 25, 25).specialPrimeBits(29)
                .scale(0x1p24).insecureForTestsOnly().build();
        CkksContext octx = new CkksContext(other);
        Ciphertext[] foreign = new Ciphertext[3];
        Encryptor oenc = new Encryptor(octx, new KeyGenerator(octx).secretKey());
        for (int i = 0; i < 3; i++) {
            foreign[i] = oenc.encrypt(new CkksEncoder(octx).encode(new double[] {0.5}));
        }
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> dense.forward(foreign, h.rt));
        assertTrue(e2.getMessage().contains("different parameter sets"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> dense.forward(compact(octx, foreign), h.rt));
    }

    /**
     * The CryptoNets convolution (28 x 28, 5 x 5 taps, stride 2, 5 maps) at a real size: N = 8192 with the
     * 128-bit CryptoNets parameters, 32-bit inputs against 64-bit ones, residue for residue.
     */
    @Test
    void cryptoNetsConvolutionAtRealSize() {
        CkksParameters params = CkksParameters.cryptoNets();
        CkksContext ctx = new CkksContext(params);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        Encryptor encryptor = new Encryptor(ctx, kg.secretKey());
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx), MacKernels.get(), Harness.POOL, Packing.REAL);
        Random r = new Random(14);
        LinearLayer conv = LinearLayer.conv2d(1, 28, 28, Harness.kernel(r, 5, 1, 5, 0.3), Harness.vector(r, 5, 0.1),
                2, 1, 1, 0, 0, 1);
        Ciphertext[] wideIn = new Ciphertext[784];
        double[] x = new double[params.slots()];
        for (int i = 0; i < wideIn.length; i++) {
            for (int k = 0; k < x.length; k++) {
                x[k] = r.nextDouble();
            }
            wideIn[i] = encryptor.encrypt(enc.encode(x, 1, params.defaultScale())); // level 1: conv's one rescale
        }
        Ciphertext[] fromCompact = conv.forward(compact(ctx, wideIn), rt);
        Ciphertext[] fromWide = conv.forward(wideIn, rt);
        assertEquals(845, fromCompact.length);
        assertSameResidues(fromWide, fromCompact);
    }
}
