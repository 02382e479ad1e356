package io.github.jckks.cryptonets.train;

import io.github.jckks.cryptonets.data.MnistDataset;
import io.github.jckks.cryptonets.data.MnistFiles;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsShape;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.cryptonets.model.PlaintextCryptoNets;
import io.github.jckks.cryptonets.model.WeightFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains the CryptoNets network on the MNIST training set and writes a weight file: Glorot-uniform
 * initialisation, Adam (optionally with decoupled weight decay), linear warm-up then cosine decay of
 * the learning rate, global-norm gradient clipping and random pixel shifts as augmentation.
 *
 * <p>Reproducible: every random choice comes from one {@link SplittableRandom} seeded by
 * {@code --seed}, and each mini-batch is split into fixed-size shards whose gradients are summed in
 * shard order, so the result does not depend on {@code --threads}.
 */
@Command(name = "train-cryptonets", mixinStandardHelpOptions = true,
        description = "Trains the CryptoNets MNIST network (plaintext) and writes a JCKKSNN1 weight file.")
public final class Trainer implements Callable<Integer> {

    private static final int SHARD = 32;

    @Option(names = "--activation", description = "SQUARE or RELU (default: ${DEFAULT-VALUE})")
    Activation activation = Activation.SQUARE;

    @Option(names = "--data", description = "directory with the four MNIST files (default: searched, then downloaded)")
    Path data;

    @Option(names = "--no-verify", description = "skip the official SHA-256 check (custom data)")
    boolean noVerify;

    @Option(names = "--out", description = "weight file to write (default: cryptonets-<activation>.bin)")
    Path out;

    @Option(names = "--epochs", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs = 20;

    @Option(names = "--batch", description = "mini-batch size (default: ${DEFAULT-VALUE})")
    int batch = 64;

    @Option(names = "--lr", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr = 1e-3;

    @Option(names = "--final-lr", description = "final learning rate as a fraction of the peak (default: ${DEFAULT-VALUE})")
    double finalLrFraction = 0.01;

    @Option(names = "--warmup", description = "linear warm-up steps (default: ${DEFAULT-VALUE})")
    int warmup = 500;

    @Option(names = "--weight-decay", description = "decoupled weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay = 0.0;

    @Option(names = "--clip", description = "global gradient-norm clip (default: ${DEFAULT-VALUE})")
    double clip = 5.0;

    @Option(names = "--shift", description = "max random shift in pixels per axis (default: ${DEFAULT-VALUE})")
    int shift = 1;

    @Option(names = "--clean-epochs", description = "final epochs without shifts (default: ${DEFAULT-VALUE})")
    int cleanEpochs = 2;

    @Option(names = "--seed", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = "--threads", description = "worker threads (default: available processors)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--width", description = "stored value width, 4 = float32, 8 = float64 (default: ${DEFAULT-VALUE})")
    int width = 4;

    @Option(names = "--eval-every", description = "print test accuracy every N epochs, 0 = only at the end (default: ${DEFAULT-VALUE})")
    int evalEvery = 1;

    /** Runs the trainer; see {@code --help}. */
    public static void main(String[] args) {
        int code = new CommandLine(new Trainer()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0) {
            System.exit(code); // only on failure, so that exec:java keeps its JVM on success
        }
    }

    @Override
    public Integer call() throws Exception {
        if (epochs < 1 || batch < 1 || threads < 1 || shift < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--epochs, --batch and --threads must be >= 1 and --shift >= 0");
        }
        Path dir = MnistFiles.defaults().locate(data);
        MnistDataset train = MnistDataset.loadTrain(dir, !noVerify);
        MnistDataset test = MnistDataset.loadTest(dir, !noVerify);
        Path target = out != null ? out : Path.of("cryptonets-" + activation.fileTag() + ".bin");
        System.err.printf("training %s CryptoNets on %d images from %s: %d epochs, batch %d, lr %.1e, seed %d, %d threads%n",
                activation, train.size(), dir, epochs, batch, lr, seed, threads);

        ProgressBar progress = new ProgressBar(System.err);
        double[] params = train(train, test, progress);
        CryptoNetsWeights trained = CryptoNetsWeights.fromFlat(activation, params);
        byte[] file = WeightFile.encode(trained, width);
        CryptoNetsWeights stored = WeightFile.decode(file, target.toString());
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(target, file);

        PlaintextCryptoNets.Evaluation eval = new PlaintextCryptoNets(stored).evaluate(test);
        System.out.printf("%s: test accuracy %.2f%% (%d/%d) with the stored float%d weights, seed %d, training %s%n",
                activation, 100 * eval.accuracy(), eval.correct(), eval.total(), width * 8, seed, progress.elapsed());
        StringBuilder mags = new StringBuilder("max |x| over the test set:");
        for (PlaintextCryptoNets.Stage s : PlaintextCryptoNets.Stage.values()) {
            mags.append(String.format(" %s %.3f", s, eval.maxAbs(s)));
        }
        System.out.println(mags);
        System.out.println("wrote " + target.toAbsolutePath());
        return 0;
    }

    private double[] train(MnistDataset train, MnistDataset test, ProgressBar progress) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] params = initialise(rng);
        byte[] pixels = train.pixelBytes();
        byte[] labels = train.labelBytes();
        int n = train.size();
        int shards = (batch + SHARD - 1) / SHARD;
        List<ShardGradient> workers = new ArrayList<>(shards);
        for (int s = 0; s < shards; s++) {
            workers.add(new ShardGradient(SHARD, activation, pixels, labels));
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int[][] shifts = new int[shards][2 * SHARD];
        double[] grad = new double[ParameterLayout.SIZE];
        Adam adam = new Adam(ParameterLayout.SIZE, weightDecay);
        int batches = (n + batch - 1) / batch;
        long totalSteps = (long) batches * epochs;
        long step = 0;
        try (ForkJoinPool pool = new ForkJoinPool(threads)) {
            for (int epoch = 1; epoch <= epochs; epoch++) {
                shuffle(order, rng);
                int maxShift = epoch > epochs - cleanEpochs ? 0 : shift;
                double lossSum = 0;
                int seen = 0;
                int correct = 0;
                for (int bi = 0; bi < batches; bi++) {
                    int start = bi * batch;
                    int size = Math.min(batch, n - start);
                    for (int s = 0; s < shards; s++) {
                        int from = start + s * SHARD;
                        int count = Math.max(0, Math.min(SHARD, start + size - from));
                        for (int k = 0; k < 2 * count; k++) {
                            shifts[s][k] = maxShift == 0 ? 0 : rng.nextInt(-maxShift, maxShift + 1);
                        }
                        workers.get(s).prepare(params, order, from, count, shifts[s]);
                    }
                    for (Future<ShardGradient> f : pool.invokeAll(workers)) {
                        f.get(); // rethrows a worker failure
                    }
                    java.util.Arrays.fill(grad, 0.0);
                    for (ShardGradient w : workers) { // fixed order: deterministic
                        double[] g = w.grad;
                        for (int i = 0; i < grad.length; i++) {
                            grad[i] += g[i];
                        }
                        lossSum += w.loss;
                        correct += w.correct;
                    }
                    seen += size;
                    scaleAndClip(grad, 1.0 / size);
                    double rate = learningRate(step++, totalSteps);
                    adam.step(params, grad, rate);
                    if (bi % 20 == 0 || bi == batches - 1) {
                        progress.update(epoch, epochs, bi + 1, batches, lossSum / seen, rate);
                    }
                }
                String suffix = String.format("train acc %.2f%%", 100.0 * correct / seen);
                if (!Double.isFinite(lossSum)) {
                    progress.finishLine(suffix);
                    throw new IllegalStateException("training diverged in epoch " + epoch
                            + " (non-finite loss); lower --lr or raise --warmup");
                }
                if (evalEvery > 0 && (epoch % evalEvery == 0) && epoch < epochs) {
                    PlaintextCryptoNets.Evaluation e =
                            new PlaintextCryptoNets(CryptoNetsWeights.fromFlat(activation, params)).evaluate(test);
                    suffix += String.format(" test acc %.2f%%", 100 * e.accuracy());
                }
                progress.finishLine(suffix);
            }
        }
        return params;
    }

    private double learningRate(long step, long total) {
        if (step < warmup) {
            return lr * (step + 1) / warmup;
        }
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)));
        return lr * (finalLrFraction + (1 - finalLrFraction) * cosine);
    }

    private void scaleAndClip(double[] grad, double scale) {
        double norm2 = 0;
        for (int i = 0; i < grad.length; i++) {
            grad[i] *= scale;
            norm2 += grad[i] * grad[i];
        }
        double norm = Math.sqrt(norm2);
        if (clip > 0 && norm > clip) {
            double f = clip / norm;
            for (int i = 0; i < grad.length; i++) {
                grad[i] *= f;
            }
        }
    }

    private static double[] initialise(SplittableRandom rng) {
        double[] p = new double[ParameterLayout.SIZE];
        glorot(p, ParameterLayout.CONV_W, ParameterLayout.CONV_B, CryptoNetsShape.KERNEL_AREA,
                CryptoNetsShape.KERNEL_AREA * CryptoNetsShape.MAPS, rng);
        glorot(p, ParameterLayout.D1_W, ParameterLayout.D1_B, CryptoNetsShape.CONV_FEATURES, CryptoNetsShape.HIDDEN, rng);
        glorot(p, ParameterLayout.D2_W, ParameterLayout.D2_B, CryptoNetsShape.HIDDEN, CryptoNetsShape.CLASSES, rng);
        return p;
    }

    private static void glorot(double[] p, int from, int to, int fanIn, int fanOut, SplittableRandom rng) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = from; i < to; i++) {
            p[i] = rng.nextDouble(-limit, limit);
        }
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
