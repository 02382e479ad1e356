package io.github.jckks.nn;

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
import java.util.function.UnaryOperator;

/**
 * A small insecure ring (N = 2048, a 30-bit first prime, 24-bit others, scale 2^24) with keys, a runtime for one
 * packing, and batch encryption/decryption of images (one ciphertext per element), for encrypted-vs-plaintext tests.
 */
public final class Harness {
    /** The pool the encrypted tests of this package share (its worker threads are daemons). */
    static final ForkJoinPool POOL = new ForkJoinPool(2);

    final CkksParameters params;
    final CkksEncoder enc;
    final Encryptor encryptor;
    final Decryptor dec;
    final EncryptedRuntime rt;
    final Packing packing;
    final int batch;

    /** @param levels the top level (levels + 1 data primes) */
    Harness(Packing packing, ForkJoinPool pool, int levels) {
        int[] bits = new int[levels + 1];
        Arrays.fill(bits, 24);
        bits[0] = 30;
        params = CkksParameters.builder().logN(11).dataPrimeBits(bits).specialPrimeBits(30).scale(0x1p24)
                .insecureForTestsOnly().build();
        CkksContext ctx = new CkksContext(params);
        KeyGenerator kg = new KeyGenerator(ctx);
        enc = new CkksEncoder(ctx);
        encryptor = new Encryptor(ctx, kg.secretKey());
        dec = new Decryptor(ctx, kg.secretKey());
        this.packing = packing;
        boolean complex = packing == Packing.COMPLEX;
        rt = new EncryptedRuntime(new Evaluator(ctx, kg.evaluationKeys(true, complex)), MacKernels.get(), pool, packing);
        batch = packing.imagesPerCiphertext(params.slots());
    }

    /** @return batch random images of {@code size} elements in [lo, hi) */
    double[][] images(Random r, int size, double lo, double hi) {
        double[][] images = new double[batch][size];
        for (double[] img : images) {
            for (int i = 0; i < size; i++) {
                img[i] = lo + (hi - lo) * r.nextDouble();
            }
        }
        return images;
    }

    /** @return one ciphertext per element at the top level and the default scale, slot i holding image i */
    Ciphertext[] encrypt(double[][] images) {
        return EncryptedTensor.encrypt(Tensor.ofImages(images, images[0].length), enc, encryptor, packing,
                params.maxLevel(), params.defaultScale()).ciphertexts();
    }

    /** @return [element][image] */
    double[][] decrypt(Ciphertext[] out) {
        Tensor t = EncryptedTensor.of(out, batch, packing, out.length).decrypt(dec, enc);
        double[][] d = new double[out.length][];
        for (int o = 0; o < out.length; o++) {
            d[o] = t.element(o);
        }
        return d;
    }

    /** @return the largest |reference(image) - decrypted| over all images and output elements */
    double maxError(UnaryOperator<double[]> reference, double[][] images, Ciphertext[] out) {
        double[][] d = decrypt(out);
        double max = 0;
        for (int i = 0; i < batch; i++) {
            double[] ref = reference.apply(images[i]);
            if (ref.length != out.length) {
                throw new AssertionError("reference has " + ref.length + " outputs, encrypted " + out.length);
            }
            for (int o = 0; o < ref.length; o++) {
                max = Math.max(max, Math.abs(ref[o] - d[o][i]));
            }
        }
        return max;
    }

    /** @return a batch of {@code batch} images of the given shape, values uniform in [-1, 1) */
    static Tensor randomBatch(Random r, int batch, int... imageShape) {
        int size = 1;
        for (int d : imageShape) {
            size *= d;
        }
        double[][] images = new double[batch][size];
        for (double[] im : images) {
            for (int i = 0; i < size; i++) {
                im[i] = 2 * r.nextDouble() - 1;
            }
        }
        return Tensor.ofImages(images, imageShape);
    }

    /** @return conv 1x8x8 -> 2x4x4 (3x3, stride 2, padding top/left 1) -> square -> dense 32 -> 3: depth 3 */
    static Sequential smallConvNet(Random r) {
        return Sequential.builder()
                .add(LinearLayer.conv2d(1, 8, 8, kernel(r, 2, 1, 3, 0.5), vector(r, 2, 0.1), 2, 1, 1, 0, 0, 1))
                .square()
                .add(LinearLayer.dense(matrix(r, 3, 32, 0.2), vector(r, 3, 0.1)))
                .build();
    }

    /** @return an out x in matrix of values uniform in [-s, s) (shared with the client-aided tests' fixtures) */
    public static double[][] matrix(Random r, int out, int in, double s) {
        double[][] w = new double[out][in];
        for (double[] row : w) {
            for (int i = 0; i < in; i++) {
                row[i] = (r.nextDouble() * 2 - 1) * s;
            }
        }
        return w;
    }

    /** @return n values uniform in [-s, s) */
    public static double[] vector(Random r, int n, double s) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextDouble() * 2 - 1) * s;
        }
        return v;
    }

    /** @return a convolution kernel [maps][ch][k][k] of values uniform in [-s, s) */
    public static double[][][][] kernel(Random r, int maps, int ch, int k, double s) {
        double[][][][] w = new double[maps][ch][k][k];
        for (double[][][] a : w) {
            for (double[][] b : a) {
                for (double[] c : b) {
                    for (int i = 0; i < c.length; i++) {
                        c[i] = (r.nextDouble() * 2 - 1) * s;
                    }
                }
            }
        }
        return w;
    }
}
