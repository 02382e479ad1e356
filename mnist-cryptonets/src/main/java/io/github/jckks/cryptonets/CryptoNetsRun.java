package io.github.jckks.cryptonets;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.EvaluationKeys;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.SecretKey;
import io.github.jckks.cryptonets.data.MnistDataset;
import io.github.jckks.cryptonets.model.CryptoNetsShape;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.math.NttKernels;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.Sequential;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;

/**
 * One encrypted CryptoNets run, as the client and the server of nGraph-HE2 would do it in one process: the
 * client generates keys and encrypts batches of images with batch-axis packing (pixel p of image i in slot i
 * of ciphertext p), the server runs the network holding only the public evaluation keys, the client decrypts
 * the ten output ciphertexts and takes the argmax. Measures every phase. Not thread-safe; it uses its own pool.
 */
public final class CryptoNetsRun {
    /** What a run measured. */
    public record Report(int images, int batchSize, int batches, String packing, double plaintextAccuracy,
                         double encryptedAccuracy, double agreement, double keygenSeconds, double encryptSeconds,
                         double serverSeconds, double decryptSeconds, double batchLatencySeconds, long peakHeapBytes,
                         int ringDegree, int securityBits, String parameters, int threads, String nttKernel,
                         String macKernel, double maxLogitError) {
        /** @return images per second of server-side inference */
        public double serverImagesPerSecond() {
            return images / serverSeconds;
        }

        /** @return images per second end to end (encryption + inference + decryption) */
        public double endToEndImagesPerSecond() {
            return images / (encryptSeconds + serverSeconds + decryptSeconds);
        }
    }

    private final CryptoNetsWeights weights;
    private final MnistDataset data;
    private final int threads;
    private final IntConsumer progress;

    /**
     * @param weights  the trained model
     * @param data     the test images
     * @param threads  threads for encryption, inference and decryption
     * @param progress called with the number of images done after each batch (may be null)
     */
    public CryptoNetsRun(CryptoNetsWeights weights, MnistDataset data, int threads, IntConsumer progress) {
        this.weights = weights;
        this.data = data;
        this.threads = threads;
        this.progress = progress == null ? x -> { } : progress;
    }

    /** Runs the first {@code images} test images (real packing: N/2 images per batch). */
    public Report run(int images) {
        if (images < 1 || images > data.size()) {
            throw new IllegalArgumentException("images " + images + " out of range [1, " + data.size() + "]");
        }
        Sequential net = EncryptedCryptoNets.build(weights);
        CkksParameters params = CkksParameters.cryptoNets();
        if (params.maxLevel() < net.depth()) {
            throw new IllegalStateException("parameters give " + params.maxLevel() + " levels, the network needs " + net.depth());
        }
        resetPeaks();
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            long t0 = System.nanoTime();
            CkksContext ctx = new CkksContext(params);
            KeyGenerator keygen = new KeyGenerator(ctx);
            SecretKey sk = keygen.secretKey();
            EvaluationKeys evalKeys = keygen.evaluationKeys(true, false);
            double keygenSeconds = seconds(t0);

            CkksEncoder encoder = new CkksEncoder(ctx);
            Decryptor decryptor = new Decryptor(ctx, sk);
            ThreadLocal<Encryptor> encryptors = ThreadLocal.withInitial(() -> new Encryptor(ctx, sk));
            EncryptedRuntime server = new EncryptedRuntime(new Evaluator(ctx, evalKeys), MacKernels.get(), pool);

            int batchSize = params.slots();
            int batches = (images + batchSize - 1) / batchSize;
            int pixels = CryptoNetsShape.INPUT_PIXELS;
            int classes = CryptoNetsShape.CLASSES;
            double encryptSeconds = 0;
            double serverSeconds = 0;
            double decryptSeconds = 0;
            double fullBatchServer = 0;
            int fullBatches = 0;
            int plainCorrect = 0;
            int encCorrect = 0;
            int agree = 0;
            double maxLogitError = 0;
            double[] img = new double[pixels];
            for (int b = 0; b < batches; b++) {
                int start = b * batchSize;
                int count = Math.min(batchSize, images - start);
                // client: pixel-major batch, then encrypt each pixel vector
                double[][] columns = new double[pixels][count];
                for (int i = 0; i < count; i++) {
                    data.imageInto(start + i, img, 0);
                    for (int p = 0; p < pixels; p++) {
                        columns[p][i] = img[p];
                    }
                }
                long te = System.nanoTime();
                Ciphertext[] input = new Ciphertext[pixels];
                parallel(pool, pixels, p -> input[p] = encryptors.get().encrypt(
                        encoder.encode(columns[p], params.maxLevel(), params.defaultScale())));
                encryptSeconds += seconds(te);

                // server
                long ts = System.nanoTime();
                Ciphertext[] output = net.forward(input, server);
                double s = seconds(ts);
                serverSeconds += s;
                if (count == batchSize) {
                    fullBatchServer += s;
                    fullBatches++;
                }

                // client: decrypt and argmax
                long td = System.nanoTime();
                double[][] logits = new double[classes][];
                parallel(pool, classes, c -> logits[c] = encoder.decode(decryptor.decrypt(output[c])));
                decryptSeconds += seconds(td);

                for (int i = 0; i < count; i++) {
                    data.imageInto(start + i, img, 0);
                    double[] ref = net.forward(img);
                    int plain = argmax(ref);
                    int best = 0;
                    for (int c = 0; c < classes; c++) {
                        maxLogitError = Math.max(maxLogitError, Math.abs(ref[c] - logits[c][i]));
                        if (logits[c][i] > logits[best][i]) {
                            best = c;
                        }
                    }
                    int label = data.label(start + i);
                    plainCorrect += plain == label ? 1 : 0;
                    encCorrect += best == label ? 1 : 0;
                    agree += best == plain ? 1 : 0;
                }
                progress.accept(start + count);
            }
            double latency = fullBatches > 0 ? fullBatchServer / fullBatches : serverSeconds / batches;
            return new Report(images, batchSize, batches, "real (batch-axis)", (double) plainCorrect / images,
                    (double) encCorrect / images, (double) agree / images, keygenSeconds, encryptSeconds, serverSeconds,
                    decryptSeconds, latency, peakHeap(), params.n(), params.achievedSecurity().bits(), params.toString(),
                    threads, NttKernels.get().name(), MacKernels.get().name(), maxLogitError);
        } finally {
            pool.shutdown();
        }
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static void parallel(ForkJoinPool pool, int count, IntConsumer body) {
        pool.submit(() -> java.util.stream.IntStream.range(0, count).parallel().forEach(body)).join();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
