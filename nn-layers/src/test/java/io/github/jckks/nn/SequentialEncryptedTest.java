package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A CryptoNets-shaped network (conv, square, dense, square, dense) encrypted vs its plaintext reference. */
class SequentialEncryptedTest {
    private static final ForkJoinPool pool = Harness.POOL;

    @ParameterizedTest
    @EnumSource(value = Packing.class, names = {"REAL", "COMPLEX"}) // the slot packings: COEFFICIENT holds linear steps only
    void cryptoNetsShapedNetworkMatchesPlaintext(Packing packing) {
        Random r = new Random(42);
        int side = 10;
        Sequential net = Sequential.builder()
                .add(LinearLayer.conv2d(1, side, side, Harness.kernel(r, 3, 1, 3, 0.5), Harness.vector(r, 3, 0.1), 2, 0, 0, 1, 1, 1))
                .square()
                .add(LinearLayer.dense(Harness.matrix(r, 12, 75, 0.2), Harness.vector(r, 12, 0.1)))
                .square()
                .add(LinearLayer.dense(Harness.matrix(r, 4, 12, 0.5), Harness.vector(r, 4, 0.1)))
                .build();
        assertEquals(4, net.depth(), "conv 1 + dense 2 + final dense 1 (no rescale before decryption)");
        assertEquals(1, net.layers().stream().filter(l -> l instanceof LinearLayer ll && ll.relinearizes()).count(),
                "lazy relinearization: only the hidden dense layer's outputs are relinearized");

        CkksParameters params = CkksParameters.builder().logN(11).dataPrimeBits(30, 24, 24, 24, 24, 24)
                .specialPrimeBits(30).scale(0x1p24).insecureForTestsOnly().build();
        CkksContext ctx = new CkksContext(params);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        Encryptor encryptor = new Encryptor(ctx, kg.secretKey());
        Decryptor dec = new Decryptor(ctx, kg.secretKey());
        boolean complex = packing == Packing.COMPLEX;
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx, kg.evaluationKeys(true, complex)), MacKernels.get(),
                pool, packing);

        int batch = packing.imagesPerCiphertext(params.slots());
        int slots = params.slots();
        double[][] images = new double[batch][side * side];
        for (double[] img : images) {
            for (int i = 0; i < img.length; i++) {
                img[i] = r.nextDouble();
            }
        }
        Ciphertext[] in = new Ciphertext[side * side];
        for (int p = 0; p < in.length; p++) {
            double[] col = new double[batch];
            for (int i = 0; i < batch; i++) {
                col[i] = images[i][p];
            }
            in[p] = encryptor.encrypt(complex
                    ? enc.encodeComplexPacked(Arrays.copyOfRange(col, 0, slots), Arrays.copyOfRange(col, slots, batch),
                            params.maxLevel(), params.defaultScale())
                    : enc.encode(col, params.maxLevel(), params.defaultScale()));
        }
        Ciphertext[] out = net.forward(in, rt);
        assertEquals(4, out.length);
        assertEquals(params.maxLevel() - 4, out[0].level());
        assertEquals(3, out[0].size(), "the last product is never relinearized: the client decrypts with s^2");
        double maxErr = 0;
        double[][] dec4 = new double[4][];
        for (int o = 0; o < 4; o++) {
            if (complex) {
                double[][] reIm = enc.decodeComplex(dec.decrypt(out[o]));
                dec4[o] = new double[batch];
                System.arraycopy(reIm[0], 0, dec4[o], 0, slots);
                System.arraycopy(reIm[1], 0, dec4[o], slots, slots);
            } else {
                dec4[o] = enc.decode(dec.decrypt(out[o]));
            }
        }
        for (int i = 0; i < batch; i++) {
            double[] ref = net.forward(images[i]);
            for (int o = 0; o < 4; o++) {
                maxErr = Math.max(maxErr, Math.abs(ref[o] - dec4[o][i]));
            }
        }
        assertTrue(maxErr < 1e-3, "encrypted vs plaintext max error " + maxErr);
    }

    @Test
    void parametersTooShallowAreRejected() {
        Random r = new Random(1);
        Sequential net = Sequential.builder()
                .add(LinearLayer.dense(Harness.matrix(r, 2, 3, 1), Harness.vector(r, 2, 1)))
                .square()
                .add(LinearLayer.dense(Harness.matrix(r, 2, 2, 1), Harness.vector(r, 2, 1)))
                .build();
        assertEquals(2, net.depth());
        CkksParameters params = CkksParameters.builder().logN(10).dataPrimeBits(30).specialPrimeBits(30)
                .scale(0x1p24).insecureForTestsOnly().build();
        CkksContext ctx = new CkksContext(params);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        Encryptor e = new Encryptor(ctx, kg.secretKey());
        Ciphertext[] in = new Ciphertext[3];
        for (int i = 0; i < 3; i++) {
            in[i] = e.encrypt(enc.encode(new double[] {1}, params.maxLevel(), params.defaultScale()));
        }
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx), MacKernels.get(), pool);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> net.forward(in, rt));
        assertTrue(ex.getMessage().contains("depth"), ex.getMessage());
    }

    @Test
    void convolutionGeometryMatchesNaive() {
        Random r = new Random(3);
        double[][][][] k = Harness.kernel(r, 4, 1, 3, 1);
        LinearLayer conv = LinearLayer.conv2d(2, 6, 5, k, new double[] {0.5, -1, 0, 2}, 2, 1, 1, 1, 0, 2);
        double[] x = Harness.vector(r, 2 * 6 * 5, 1);
        double[] y = conv.forward(x);
        int oh = (6 + 2 - 3) / 2 + 1;
        int ow = (5 + 1 - 3) / 2 + 1;
        assertEquals(4 * oh * ow, y.length);
        for (int m = 0; m < 4; m++) {
            int g = m / 2;
            for (int rr = 0; rr < oh; rr++) {
                for (int cc = 0; cc < ow; cc++) {
                    double s = new double[] {0.5, -1, 0, 2}[m];
                    for (int ci = 0; ci < 1; ci++) {
                        int ch = g + ci;
                        for (int dr = 0; dr < 3; dr++) {
                            for (int dc = 0; dc < 3; dc++) {
                                int yy = rr * 2 + dr - 1;
                                int xx = cc * 2 + dc - 1;
                                if (yy >= 0 && yy < 6 && xx >= 0 && xx < 5) {
                                    s += k[m][ci][dr][dc] * x[(ch * 6 + yy) * 5 + xx];
                                }
                            }
                        }
                    }
                    assertEquals(s, y[(m * oh + rr) * ow + cc], 1e-12);
                }
            }
        }
    }
}
