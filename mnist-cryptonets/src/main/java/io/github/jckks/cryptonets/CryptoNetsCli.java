package io.github.jckks.cryptonets;

import io.github.jckks.cryptonets.data.MnistDataset;
import io.github.jckks.cryptonets.data.MnistFiles;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/cryptonets}: CryptoNets on encrypted MNIST. Loads the shipped model and the official test set,
 * encrypts the images in batches that fill the slots, runs the network encrypted, decrypts, and reports
 * accuracy (plaintext and encrypted), agreement, the time of each phase, throughput, peak heap and the
 * parameters with their security level; {@code --json} prints one JSON object instead.
 */
@Command(name = "cryptonets", mixinStandardHelpOptions = true,
        description = "CryptoNets inference on encrypted MNIST (jckks, pure-Java CKKS).")
public final class CryptoNetsCli implements Callable<Integer> {
    @Option(names = "--data", description = "directory holding the four MNIST IDX files (default: ../shared/data/mnist, ~/.cache/jckks/mnist, or download)")
    Path data;

    @Option(names = "--images", description = "number of test images to classify (default: all 10000)")
    int images = 10_000;

    @Option(names = "--threads", description = "worker threads (default: available processors)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--packing", description = "real (batch-axis packing, N/2 images per ciphertext); complex is not available yet")
    String packing = "real";

    @Option(names = "--json", description = "print one JSON object instead of the human-readable report")
    boolean json;

    @Override
    public Integer call() {
        if (!packing.equals("real")) {
            System.err.println("error: --packing " + packing + " is not available yet: use real (complex packing needs "
                    + "conjugation-based squares, see README)");
            return 2;
        }
        Path dir = MnistFiles.defaults().locate(data);
        MnistDataset test = MnistDataset.loadTest(dir);
        CryptoNetsWeights weights = CryptoNetsWeights.loadBundled(Activation.SQUARE);
        int n = Math.min(images, test.size());
        long start = System.nanoTime();
        CryptoNetsRun run = new CryptoNetsRun(weights, test, threads, done -> {
            if (!json) {
                double s = (System.nanoTime() - start) / 1e9;
                int width = 30;
                int filled = (int) ((long) done * width / n);
                System.err.printf("\r[%s%s] %d/%d images, %.1f s", "#".repeat(filled), " ".repeat(width - filled), done, n, s);
                if (done == n) {
                    System.err.println();
                }
            }
        });
        CryptoNetsRun.Report r = run.run(n);
        System.out.println(json ? toJson(r) : toText(r));
        return 0;
    }

    static String toText(CryptoNetsRun.Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append("CryptoNets on encrypted MNIST (jckks)\n");
        sb.append(String.format(Locale.ROOT, "  parameters        %s%n", r.parameters()));
        sb.append(String.format(Locale.ROOT, "  kernels           NTT %s, MAC %s; %d threads%n", r.nttKernel(), r.macKernel(), r.threads()));
        sb.append(String.format(Locale.ROOT, "  images            %d in %d batch(es) of up to %d, %s packing%n", r.images(), r.batches(),
                r.batchSize(), r.packing()));
        sb.append(String.format(Locale.ROOT, "  plaintext acc.    %.2f%%%n", 100 * r.plaintextAccuracy()));
        sb.append(String.format(Locale.ROOT, "  encrypted acc.    %.2f%%%n", 100 * r.encryptedAccuracy()));
        sb.append(String.format(Locale.ROOT, "  agreement         %.2f%% (max logit error %.2e)%n", 100 * r.agreement(), r.maxLogitError()));
        sb.append(String.format(Locale.ROOT, "  key generation    %.3f s%n", r.keygenSeconds()));
        sb.append(String.format(Locale.ROOT, "  encryption        %.3f s (client)%n", r.encryptSeconds()));
        sb.append(String.format(Locale.ROOT, "  inference         %.3f s (server), %.3f s per full batch%n", r.serverSeconds(),
                r.batchLatencySeconds()));
        sb.append(String.format(Locale.ROOT, "  decryption        %.3f s (client)%n", r.decryptSeconds()));
        sb.append(String.format(Locale.ROOT, "  throughput        %.0f images/s server-side, %.0f images/s end to end%n",
                r.serverImagesPerSecond(), r.endToEndImagesPerSecond()));
        sb.append(String.format(Locale.ROOT, "  peak heap         %.2f GB%n", r.peakHeapBytes() / 1e9));
        sb.append("  (nGraph-HE2 paper: 98.95% at 1,998 images/s on 24 threads of a 56-core Xeon)");
        return sb.toString();
    }

    static String toJson(CryptoNetsRun.Report r) {
        return String.format(Locale.ROOT, "{\"plaintext_accuracy\": %.6f, \"encrypted_accuracy\": %.6f, \"agreement\": %.6f, "
                        + "\"server_images_per_second\": %.2f, \"end_to_end_images_per_second\": %.2f, "
                        + "\"batch_latency_seconds\": %.4f, \"peak_heap_bytes\": %d, \"packing\": \"%s\", \"images\": %d, "
                        + "\"ring_degree\": %d, \"security_bits\": %d, \"keygen_seconds\": %.4f, \"encrypt_seconds\": %.4f, "
                        + "\"server_seconds\": %.4f, \"decrypt_seconds\": %.4f, \"threads\": %d, \"ntt_kernel\": \"%s\", "
                        + "\"mac_kernel\": \"%s\", \"max_logit_error\": %.3e, \"parameters\": \"%s\"}",
                r.plaintextAccuracy(), r.encryptedAccuracy(), r.agreement(), r.serverImagesPerSecond(),
                r.endToEndImagesPerSecond(), r.batchLatencySeconds(), r.peakHeapBytes(), r.packing().startsWith("real") ? "real" : "complex",
                r.images(), r.ringDegree(), r.securityBits(), r.keygenSeconds(), r.encryptSeconds(), r.serverSeconds(),
                r.decryptSeconds(), r.threads(), r.nttKernel(), r.macKernel(), r.maxLogitError(),
                r.parameters().replace("\"", "'"));
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new CryptoNetsCli()).execute(args));
    }
}
