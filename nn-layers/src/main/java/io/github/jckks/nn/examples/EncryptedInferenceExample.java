package io.github.jckks.nn.examples;

import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.EncryptedTensor;
import io.github.jckks.nn.LinearLayer;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.Sequential;
import io.github.jckks.nn.Tensor;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;

/**
 * A network on encrypted images, end to end, in the order a user meets the API: build the model (a convolution,
 * a square activation, a dense layer with batch normalization folded in, a dense classifier), let the level plan
 * pick 128-bit parameters, encrypt a batch of images as a batch-packed tensor (one ciphertext per pixel, image i in
 * slot i) held in 32 bits, run the network on it, decrypt and take the argmax, and compare with the same network
 * in plaintext. The weights and images are random (seeded): the point is the API and the agreement, not accuracy.
 */
public final class EncryptedInferenceExample {
    private EncryptedInferenceExample() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the example, printing to {@code out}. */
    public static void run(PrintStream out) {
        out.println("== Encrypted inference on a batch of images ==");
        Random r = new Random(2026);
        // 1. The model: 1x12x12 -> conv 3x3 stride 2, 4 maps (4x6x6) -> x^2 -> dense 144 -> 16 (+ BatchNorm) -> x^2 -> dense 10
        Sequential net = Sequential.builder()
                .add(LinearLayer.conv2d(1, 12, 12, weights(r, 4, 1, 3, 0.4), vector(r, 4, 0.1), 2, 1, 1, 0, 0, 1))
                .square()
                .flatten()
                .add(LinearLayer.dense(matrix(r, 16, 144, 0.1), vector(r, 16, 0.1)))
                .batchNorm(vector(r, 16, 1), vector(r, 16, 0.1), vector(r, 16, 0.1), positive(r, 16), 1e-5)
                .square()
                .add(LinearLayer.dense(matrix(r, 10, 16, 0.3), vector(r, 10, 0.1)))
                .build();
        out.println(net.describe());

        // 2. The level plan picks the ring: depth, batch and packing in, 128-bit parameters out
        int batch = 1024;
        CkksParameters params = net.parameters(Packing.REAL, batch, 24, 30);
        out.println("parameters: " + params);
        out.println("key switching needed: " + net.needsKeySwitching(Packing.REAL));

        // 3. Client: keys; the server gets only the evaluation keys
        CkksContext context = new CkksContext(params);
        KeyGenerator keys = new KeyGenerator(context);
        CkksEncoder encoder = new CkksEncoder(context);
        Encryptor encryptor = new Encryptor(context, keys.secretKey()); // seeded, half-size ciphertexts
        Decryptor decryptor = new Decryptor(context, keys.secretKey());
        Evaluator serverEvaluator = new Evaluator(context, keys.evaluationKeys(true, false));

        // 4. A batch of images, NCHW, encrypted along the batch axis and held in 32 bits
        double[][] images = new double[batch][144];
        for (double[] im : images) {
            for (int i = 0; i < im.length; i++) {
                im[i] = r.nextDouble();
            }
        }
        Tensor plain = Tensor.ofImages(images, 1, 12, 12);
        EncryptedTensor wide = EncryptedTensor.encrypt(plain, encoder, encryptor, Packing.REAL, params.maxLevel(),
                params.defaultScale());
        EncryptedTensor x = wide.compact(context);
        out.println(String.format(Locale.ROOT, "encrypted %d images as %d ciphertexts: %.1f MB in 32 bits (%.1f MB in 64)",
                batch, x.elementCount(), x.residueBytes() / 1e6, wide.residueBytes() / 1e6));

        // 5. Server: the network on the encrypted tensor (the first layer reads the 32-bit limbs in place)
        ForkJoinPool pool = new ForkJoinPool(Math.min(2, Runtime.getRuntime().availableProcessors()));
        try {
            EncryptedRuntime runtime = new EncryptedRuntime(serverEvaluator, MacKernels.get(), pool, Packing.REAL);
            long t0 = System.nanoTime();
            EncryptedTensor y = net.forward(x, runtime);
            double seconds = (System.nanoTime() - t0) / 1e9;

            // 6. Client: decrypt, argmax; the same network in plaintext for comparison
            Tensor logits = y.decrypt(decryptor, encoder);
            Tensor expected = net.forward(plain);
            int[] got = logits.argmax();
            int[] want = expected.argmax();
            int agree = 0;
            for (int i = 0; i < batch; i++) {
                agree += got[i] == want[i] ? 1 : 0;
            }
            out.println(String.format(Locale.ROOT, "server: %.2f s for the batch in a cold JVM (the JIT compiles the "
                    + "kernels meanwhile; see JitWarmUp); output %s per image, level %d", seconds,
                    Arrays.toString(y.imageShape()), y.level()));
            out.println(String.format(Locale.ROOT, "max |encrypted - plaintext| logit error %.1e", expected.maxAbsDifference(logits)));
            out.println("predictions agreeing with the plaintext network: " + agree + " of " + batch);
            out.println("first image, class probabilities: " + fmt(logits.softmax().image(0)));
        } finally {
            pool.shutdown();
        }
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v[i]));
        }
        return sb.append(']').toString();
    }

    private static double[][][][] weights(Random r, int maps, int channels, int k, double s) {
        double[][][][] w = new double[maps][channels][k][k];
        for (double[][][] m : w) {
            for (double[][] c : m) {
                for (double[] row : c) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] = s * r.nextGaussian();
                    }
                }
            }
        }
        return w;
    }

    private static double[][] matrix(Random r, int rows, int cols, double s) {
        double[][] m = new double[rows][];
        for (int i = 0; i < rows; i++) {
            m[i] = vector(r, cols, s);
        }
        return m;
    }

    private static double[] vector(Random r, int n, double s) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = s * r.nextGaussian();
        }
        return v;
    }

    private static double[] positive(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.5 + r.nextDouble();
        }
        return v;
    }
}
