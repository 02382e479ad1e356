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
final class Harness {
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
        int slots = params.slots();
        Ciphertext[] in = new Ciphertext[images[0].length];
        double[] col = new double[batch];
        for (int p = 0; p < in.length; p++) {
            for (int i = 0; i < batch; i++) {
                col[i] = images[i][p];
            }
            in[p] = encryptor.encrypt(packing == Packing.COMPLEX
                    ? enc.encodeComplexPacked(Arrays.copyOfRange(col, 0, slots), Arrays.copyOfRange(col, slots, batch),
                            params.maxLevel(), params.defaultScale())
                    : enc.encode(col, params.maxLevel(), params.defaultScale()));
        }
        return in;
    }

    /** @return [element][image] */
    double[][] decrypt(Ciphertext[] out) {
        int slots = params.slots();
        double[][] d = new double[out.length][];
        for (int o = 0; o < out.length; o++) {
            if (packing == Packing.COMPLEX) {
                double[][] reIm = enc.decodeComplex(dec.decrypt(out[o]));
                d[o] = new double[batch];
                System.arraycopy(reIm[0], 0, d[o], 0, slots);
                System.arraycopy(reIm[1], 0, d[o], slots, slots);
            } else {
                d[o] = Arrays.copyOf(enc.decode(dec.decrypt(out[o])), batch);
            }
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

    static double[][] matrix(Random r, int out, int in, double s) {
        double[][] w = new double[out][in];
        for (double[] row : w) {
            for (int i = 0; i < in; i++) {
                row[i] = (r.nextDouble() * 2 - 1) * s;
            }
        }
        return w;
    }

    static double[] vector(Random r, int n, double s) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextDouble() * 2 - 1) * s;
        }
        return v;
    }

    static double[][][][] kernel(Random r, int maps, int ch, int k, double s) {
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
