package io.github.jckks.cryptonets;

import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.cryptonets.data.MnistDataset;
import io.github.jckks.cryptonets.data.MnistFiles;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsShape;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.nn.JitWarmUp;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.clientaided.ClientAidedException;
import io.github.jckks.nn.clientaided.MaskMode;
import io.github.jckks.nn.clientaided.MaskingConfig;
import io.github.jckks.nn.clientaided.TcpSessionServer;
import io.github.jckks.nn.clientaided.TransportLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/cryptonets}: CryptoNets on encrypted MNIST. Loads the shipped model (SQUARE, or RELU with masked
 * client-aided activations) and the official test set, encrypts the images in batches that fill the slots, runs
 * the network encrypted (the server in this process, in memory or behind loopback TCP), decrypts, and reports
 * accuracy (plaintext and encrypted), agreement, the time of each phase, throughput, bytes on the wire, peak heap
 * and the parameters with their security level; {@code --json} prints one JSON object instead. The subcommands
 * {@code serve} and {@code infer} run the two roles in two processes.
 */
@Command(name = "cryptonets", mixinStandardHelpOptions = true, sortOptions = false,
        description = "CryptoNets inference on encrypted MNIST (jckks, pure-Java CKKS).",
        subcommands = {CryptoNetsCli.Serve.class, CryptoNetsCli.Infer.class, CryptoNetsCli.Profile.class})
public final class CryptoNetsCli implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    NetworkOptions network;

    @Mixin
    ClientOptions client;

    @Option(names = "--mode", paramLabel = "local|tcp", description = "local: client and server in one process, messages "
            + "passed in memory (default); tcp: the server listens on 127.0.0.1 (ephemeral port) in this JVM and the "
            + "client connects over loopback TCP")
    String mode = "local";

    @Option(names = "--no-warmup", description = "measure a cold JVM: no JIT warm-up before the first batch (by default "
            + "the network first runs on random data in a small ring until the JIT compilers go quiet, at most 30 s, then "
            + "the measured session opens with uncounted batches of the first test images (8 RELU, 1 SQUARE) and waits "
            + "up to 5 s for the compiler queue; all timed separately)")
    boolean noWarmup;

    @Option(names = "--mask", paramLabel = "per-slot|per-ciphertext", description = "RELU: the server's masking factors: "
            + "per-slot (default, a factor per image; N = 4096) or per-ciphertext (folded into the weights: no level, "
            + "N = 2048, much faster; lets the client learn ratios between the images of a batch)")
    String mask = "per-slot";

    @Override
    public Integer call() {
        Packing packing = parsePacking(client.packing);
        if (packing == null || !threadsValid(network.threads) || !client.imagesValid()) {
            return 2;
        }
        CryptoNetsRun.Mode m = switch (mode.toLowerCase(Locale.ROOT)) {
            case "local" -> CryptoNetsRun.Mode.LOCAL;
            case "tcp" -> CryptoNetsRun.Mode.TCP;
            default -> null;
        };
        if (m == null) {
            System.err.println("error: --mode " + mode + ": use local or tcp (two processes: cryptonets serve / cryptonets infer)");
            return 2;
        }
        MaskMode maskMode = maskMode(mask);
        if (maskMode == null || !packingValid(packing, network.activation, maskMode)) {
            return 2;
        }
        MnistDataset test = client.testSet();
        CryptoNetsRun run = new CryptoNetsRun(network.weights(), test, network.threads, client.progressBar(test))
                .maskMode(maskMode).packing(packing).warmUp(!noWarmup);
        CryptoNetsRun.Report r = run.run(client.count(test), m);
        print(spec, client.json ? toJson(r) : toText(r));
        return 0;
    }

    private static void print(CommandLine.Model.CommandSpec spec, String text) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(text);
        out.flush();
    }

    static MaskMode maskMode(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "per-slot", "per_slot" -> MaskMode.PER_SLOT;
            case "per-ciphertext", "per_ciphertext" -> MaskMode.PER_CIPHERTEXT;
            default -> {
                System.err.println("error: --mask " + name + ": use per-slot or per-ciphertext");
                yield null;
            }
        };
    }

    /** Options of both roles. */
    static final class NetworkOptions {
        @Option(names = "--activation", paramLabel = "square|relu", description = "square: CryptoNets with x^2 (default); "
                + "relu: the ReLU model with masked client-aided ReLU (the client applies ReLU to masked, shuffled values)")
        Activation activation = Activation.SQUARE;

        @Option(names = "--threads", description = "worker threads of each role's pool (default: available processors)")
        int threads = Runtime.getRuntime().availableProcessors();

        CryptoNetsWeights weights() {
            return CryptoNetsWeights.loadBundled(activation);
        }
    }

    /** @return whether {@code threads} (the --threads option) is at least 1; prints the error otherwise */
    static boolean threadsValid(int threads) {
        if (threads < 1) {
            System.err.println("error: --threads " + threads + ": at least 1");
            return false;
        }
        return true;
    }

    /** @return the packing named by --packing (null: complex, the default of both networks), or null after printing an error */
    static Packing parsePacking(String option) {
        String p = option == null ? "complex" : option.toLowerCase(Locale.ROOT);
        switch (p) {
            case "real":
                return Packing.REAL;
            case "complex":
                return Packing.COMPLEX;
            case "coefficient":
                return Packing.COEFFICIENT;
            default:
                System.err.println("error: --packing " + option + ": use complex, real or coefficient");
                return null;
        }
    }

    /** @return whether the network and masking can run under {@code packing}; prints the error otherwise */
    static boolean packingValid(Packing packing, Activation activation, MaskMode mask) {
        if (packing != Packing.COEFFICIENT) {
            return true;
        }
        try {
            EncryptedCryptoNets.requireCoefficientPackable(activation, mask);
            return true;
        } catch (IllegalArgumentException e) {
            System.err.println("error: --packing coefficient: " + e.getMessage());
            return false;
        }
    }

    /** Options of the client role. */
    static final class ClientOptions {
        @Option(names = "--data", description = "directory holding the four MNIST IDX files (default: ../shared/data/mnist, ~/.cache/jckks/mnist, or download)")
        Path data;

        @Option(names = "--images", description = "number of test images to classify (default: all 10000)")
        int images = 10_000;

        @Option(names = "--json", description = "print one JSON object instead of the human-readable report")
        boolean json;

        @Option(names = "--packing", paramLabel = "complex|real|coefficient", description = "complex (default: two real "
                + "batches in the real and imaginary parts of the slots, N images per batch; one conjugation per square, and "
                + "the client's ReLU on both parts), real (batch-axis packing, N/2 images per batch) or coefficient (RELU "
                + "with --mask per-ciphertext only: N images in the coefficients, one 30-bit prime, no rescale, no FFT)")
        String packing;

        /** @return whether --images is at least 1; prints the error otherwise */
        boolean imagesValid() {
            if (images < 1) {
                System.err.println("error: --images " + images + ": at least 1");
                return false;
            }
            return true;
        }

        /** The MNIST test set; notes on stderr when --images asks for more images than it holds. */
        MnistDataset testSet() {
            MnistDataset test = MnistDataset.loadTest(MnistFiles.defaults().locateTest(data));
            if (images > test.size()) {
                System.err.println("note: --images " + images + ": the test set holds " + test.size() + " images; "
                        + "classifying all " + test.size());
            }
            return test;
        }

        int count(MnistDataset test) {
            return Math.min(images, test.size());
        }

        /** The progress bar on stderr; its clock starts at its first update (0 images: the first batch starts). */
        IntConsumer progressBar(MnistDataset test) {
            int n = count(test);
            long[] start = {0};
            return done -> {
                if (!json) {
                    long now = System.nanoTime();
                    if (start[0] == 0) {
                        start[0] = now;
                    }
                    double s = (now - start[0]) / 1e9;
                    int width = 30;
                    int filled = (int) ((long) done * width / n);
                    System.err.printf("\r[%s%s] %d/%d images, %.1f s", "#".repeat(filled), " ".repeat(width - filled), done, n, s);
                    if (done == n) {
                        System.err.println();
                    }
                }
            };
        }
    }

    /** {@code cryptonets serve}: the server role, over TCP. */
    @Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Serves the encrypted network over TCP (the server role: the model, no secret key).",
                "Prints 'listening on HOST:PORT' once bound, then one line per finished session."})
    static final class Serve implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        NetworkOptions network;

        @Option(names = "--host", description = "address to bind (default: 127.0.0.1)")
        String host = "127.0.0.1";

        @Option(names = "--port", description = "port to listen on, 0 for an ephemeral one (default: 7878)")
        int port = 7878;

        @Option(names = "--sessions", description = "sessions served at once (default: 1; others wait)")
        int sessions = 1;

        @Option(names = "--exit-after", paramLabel = "N", description = "exit after N sessions (default: 0, serve until killed)")
        int exitAfter;

        @Option(names = "--mask", paramLabel = "per-slot|per-ciphertext", description = "RELU: masking factors (default: per-slot)")
        String mask = "per-slot";

        @Option(names = "--packing", paramLabel = "complex|real|coefficient", description = "the clients' packing as far "
                + "as it selects the parameters: coefficient (RELU with --mask per-ciphertext) serves coefficient-packed "
                + "clients on its own ring; complex and real (default) share theirs, each INFER says which it is")
        String packingOption;

        @Option(names = "--no-warmup", description = "skip the JIT warm-up at start (by default the network runs on random data in a "
                + "small ring until the JIT compilers go quiet, at most 30 s, before the port opens)")
        boolean noWarmup;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            MaskMode maskMode = maskMode(mask);
            Packing packing = parsePacking(packingOption == null ? "real" : packingOption);
            if (maskMode == null || packing == null || !threadsValid(network.threads)
                    || !packingValid(packing, network.activation, maskMode)) {
                return 2;
            }
            ForkJoinPool pool = new ForkJoinPool(network.threads);
            CryptoNetsServer server = new CryptoNetsServer(network.weights(), MaskingConfig.defaults().withMode(maskMode), pool,
                    packing);
            if (!noWarmup) {
                JitWarmUp.Result w = network.activation == Activation.SQUARE
                        ? JitWarmUp.run(EncryptedCryptoNets.build(network.weights()), server.context().parameters(),
                                Packing.COMPLEX, pool, CryptoNetsRun.WARMUP_MAX_SECONDS)
                        : JitWarmUp.runClientAided(EncryptedCryptoNets.buildClientAided(network.weights()),
                                server.context().parameters(), MaskingConfig.defaults().withMode(maskMode),
                                CryptoNetsRun.warmUpPacking(packing), pool, CryptoNetsRun.WARMUP_MAX_SECONDS);
                out.printf(Locale.ROOT, "JIT warm-up: %.1f s, %d runs%s%n", w.seconds(), w.rounds(),
                        w.settled() ? "" : " (time limit)");
            }
            CountDownLatch done = new CountDownLatch(exitAfter > 0 ? exitAfter : 1);
            AtomicInteger served = new AtomicInteger();
            TransportLimits limits = TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(600));
            try (CryptoNetsServer.Listener l = server.listen(InetAddress.getByName(host), port, sessions, limits,
                    (peer, stats, sent, received, failure) -> {
                        int k = served.incrementAndGet();
                        synchronized (out) {
                            if (failure != null) {
                                out.printf(Locale.ROOT, "session %d with %s failed: %s%n", k, peer,
                                        TcpSessionServer.printable(failure.getMessage())); // may quote the client
                            } else {
                                out.printf(Locale.ROOT, "session %d with %s: %d batch(es), %d activation round(s), "
                                                + "%.1f MB sent, %.1f MB received%s%n", k, peer, stats.inferences(),
                                        stats.rounds(), sent / 1e6, received / 1e6, describe(stats));
                            }
                            out.flush();
                        }
                        if (exitAfter > 0) {
                            done.countDown();
                        }
                    })) {
                out.printf(Locale.ROOT, "listening on %s:%d (%s network, %s, %d threads)%n", l.address().getHostAddress(),
                        l.port(), network.activation, server.context().parameters(), network.threads);
                out.flush();
                done.await();
            } finally {
                pool.shutdown();
            }
            return 0;
        }

        private static String describe(CryptoNetsServer.SessionStats s) {
            if (s.rounds() > 0) {
                return String.format(Locale.ROOT, "; masking %.2f s, waiting for the client %.2f s, unmasking %.2f s",
                        s.maskSeconds(), s.exchangeSeconds(), s.unmaskSeconds());
            }
            return Double.isNaN(s.networkSeconds()) ? "" : String.format(Locale.ROOT, "; network %.2f s", s.networkSeconds());
        }
    }

    /** {@code cryptonets infer}: the client role, against {@code cryptonets serve}. */
    @Command(name = "infer", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Runs the client role against 'cryptonets serve': encrypts test images, sends them, answers "
                + "the activation rounds, decrypts and reports.",
                "Use the same --activation as the server. The client loads the model only to report the plaintext "
                + "accuracy and the agreement."})
    static final class Infer implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        NetworkOptions network;

        @Mixin
        ClientOptions client;

        @Option(names = "--host", description = "server address (default: 127.0.0.1)")
        String host = "127.0.0.1";

        @Option(names = "--port", description = "server port (default: 7878)")
        int port = 7878;

        @Option(names = "--mask", paramLabel = "per-slot|per-ciphertext", description = "RELU: the server's masking "
                + "factors, as given to 'serve' (they select the parameters; default: per-slot)")
        String mask = "per-slot";

        @Override
        public Integer call() {
            Packing packing = parsePacking(client.packing);
            MaskMode maskMode = maskMode(mask);
            if (packing == null || maskMode == null || !threadsValid(network.threads) || !client.imagesValid()
                    || !packingValid(packing, network.activation, maskMode)) {
                return 2;
            }
            MnistDataset test = client.testSet();
            CryptoNetsRun run = new CryptoNetsRun(network.weights(), test, network.threads, client.progressBar(test))
                    .packing(packing).maskMode(maskMode);
            CryptoNetsRun.Report r;
            try {
                r = run.runRemote(client.count(test), host, port);
            } catch (ClientAidedException e) {
                String m = e.getMessage();
                System.err.println("error: " + m + (m != null && m.contains("parameter mismatch")
                        ? " (the parameters follow --activation, --mask and coefficient --packing: give 'infer' the same ones as 'serve')" : ""));
                return 1;
            }
            print(spec, client.json ? toJson(r) : toText(r));
            return 0;
        }
    }

    /** {@code cryptonets profile}: the CPU time of each phase of one batch. */
    @Command(name = "profile", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Measures the CPU time of every phase of one full batch (client, server and serialization) "
                + "on one thread, unaffected by other processes, and the throughput bound it implies."})
    static final class Profile implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--activation", paramLabel = "square|relu", description = "the network (default: square)")
        Activation activation = Activation.SQUARE;

        @Option(names = "--mask", paramLabel = "per-slot|per-ciphertext", description = "RELU: masking factors (default: per-slot)")
        String mask = "per-slot";

        @Option(names = "--warmups", description = "unmeasured batches first, for the JIT (default: 2)")
        int warmups = 2;

        @Option(names = "--cores", description = "cores for the throughput bound (default: available processors)")
        int cores = Runtime.getRuntime().availableProcessors();

        @Option(names = "--packing", paramLabel = "complex|real|coefficient", description = "as the main command (default: complex)")
        String packingOption;

        @Option(names = "--threads", description = "threads for the layers and the encryption (default: 1, which measures "
                + "CPU time; more measures the wall time that many threads achieve)")
        int threads = 1;

        @Option(names = "--data", description = "directory holding the MNIST files (as the main command)")
        Path data;

        @Override
        public Integer call() {
            MaskMode maskMode = maskMode(mask);
            Packing packing = parsePacking(packingOption);
            if (maskMode == null || packing == null || !threadsValid(threads) || !packingValid(packing, activation, maskMode)) {
                return 2;
            }
            MnistDataset test = MnistDataset.loadTest(MnistFiles.defaults().locateTest(data));
            CryptoNetsWeights weights = CryptoNetsWeights.loadBundled(activation);
            CkksParameters params = EncryptedCryptoNets.parameters(activation, maskMode, packing);
            int images = packing.imagesPerCiphertext(params.slots());
            double[][] columns = new double[CryptoNetsShape.INPUT_PIXELS][images];
            double[] img = new double[columns.length];
            for (int i = 0; i < images; i++) {
                test.imageInto(i, img, 0);
                for (int p = 0; p < img.length; p++) {
                    columns[p][i] = img[p];
                }
            }
            List<CostProfile.Phase> phases = new CostProfile(weights, MaskingConfig.defaults().withMode(maskMode), threads, packing)
                    .run(columns, warmups);
            print(spec, CostProfile.format(phases, images, cores, threads, params).stripTrailing());
            return 0;
        }
    }

    static String toText(CryptoNetsRun.Report r) {
        StringBuilder sb = new StringBuilder();
        boolean relu = r.activation() == Activation.RELU;
        sb.append("CryptoNets on encrypted MNIST (jckks)\n");
        sb.append(String.format(Locale.ROOT, "  network           %s%n", relu
                ? "RELU: conv -> masked client-aided ReLU -> dense 845->100 -> masked ReLU -> dense 100->10"
                : "SQUARE: conv -> x^2 -> dense 845->100 -> x^2 -> dense 100->10"));
        sb.append(String.format(Locale.ROOT, "  mode              %s%n", switch (r.mode()) {
            case LOCAL -> "local (client and server in one process, messages in memory)";
            case TCP -> "tcp (server in this JVM on 127.0.0.1, client over loopback TCP; both share the cores)";
            case REMOTE -> "remote (client of a 'cryptonets serve' process over TCP)";
        }));
        sb.append(String.format(Locale.ROOT, "  parameters        %s%n", r.parameters()));
        if (relu) {
            sb.append(String.format(Locale.ROOT, "  masking           %s factors in [1/4, 4], shuffled, re-randomized%n", r.maskMode()));
        }
        sb.append(String.format(Locale.ROOT, "  kernels           NTT %s, MAC %s; %d threads per role%n", r.nttKernel(), r.macKernel(),
                r.threads()));
        sb.append(String.format(Locale.ROOT, "  images            %d in %d batch(es) of up to %d, %s packing%s%n", r.images(),
                r.batches(), r.batchSize(), r.packing(), r.packing().startsWith("complex") && r.complexBatches() < r.batches()
                        ? " (" + (r.batches() - r.complexBatches()) + " batch(es) that fit the slots went real-packed)" : ""));
        sb.append(String.format(Locale.ROOT, "  plaintext acc.    %.2f%%%n", 100 * r.plaintextAccuracy()));
        sb.append(String.format(Locale.ROOT, "  encrypted acc.    %.2f%%%n", 100 * r.encryptedAccuracy()));
        sb.append(String.format(Locale.ROOT, "  agreement         %.2f%% (max logit error %.2e)%n", 100 * r.agreement(), r.maxLogitError()));
        if (r.warmupSeconds() > 0) {
            sb.append(String.format(Locale.ROOT, "  JIT warm-up       %.3f s (%d runs of the network: on random data in a small "
                    + "ring until the JIT compilers went quiet, then uncounted real-size batches in the measured session; "
                    + "before the first batch, not counted below)%n", r.warmupSeconds(), r.warmupRounds()));
        }
        sb.append(String.format(Locale.ROOT, "  key generation    %.3f s (client)%n", r.keygenSeconds()));
        sb.append(String.format(Locale.ROOT, "  encryption        %.3f s (client)%n", r.encryptSeconds()));
        sb.append(String.format(Locale.ROOT, "  inference         %.3f s (server side%s), %.3f s per %s%n", r.serverSeconds(),
                r.mode() == CryptoNetsRun.Mode.LOCAL ? "" : ", with encoding and the wire", r.batchLatencySeconds(),
                r.images() >= r.batchSize() ? "full batch" : "batch (none full)"));
        CryptoNetsServer.SessionStats s = r.server();
        if (relu) {
            sb.append(String.format(Locale.ROOT, "  activations       %.3f s (client: decrypt, ReLU, re-encrypt %d ciphertexts in %d rounds)%n",
                    r.answerSeconds(), r.ciphertextsAnswered(), r.rounds()));
            if (s != null) {
                sb.append(String.format(Locale.ROOT, "    server side     masking %.3f s, unmasking %.3f s, waiting for the client %.3f s%n",
                        s.maskSeconds(), s.unmaskSeconds(), s.exchangeSeconds()));
                sb.append(String.format(Locale.ROOT, "    of which        %.3f s encoding and transfer of the rounds; the rest of the server side, "
                                + "%.3f s, is conv, dense layers%s%n", Math.max(0, s.exchangeSeconds() - r.answerSeconds()),
                        Math.max(0, r.serverSeconds() - s.maskSeconds() - s.unmaskSeconds()
                                - Math.max(0, s.exchangeSeconds() - r.answerSeconds())),
                        r.mode() == CryptoNetsRun.Mode.LOCAL ? "" : " and the transfer of INFER and RESULT"));
            }
        }
        sb.append(String.format(Locale.ROOT, "  decryption        %.3f s (client)%n", r.decryptSeconds()));
        sb.append(String.format(Locale.ROOT, "  throughput        %.0f images/s server-side, %.0f images/s end to end "
                + "(%.3f s per %s)%n", r.serverImagesPerSecond(), r.endToEndImagesPerSecond(), r.endToEndBatchLatencySeconds(),
                r.images() >= r.batchSize() ? "full batch" : "batch (none full)"));
        if (!Double.isNaN(r.serverFullBatchImagesPerSecond())) {
            sb.append(String.format(Locale.ROOT, "                    full batches of %d: %.0f images/s server-side, %.0f end to end%n",
                    r.batchSize(), r.serverFullBatchImagesPerSecond(), r.endToEndFullBatchImagesPerSecond()));
        }
        if (!Double.isNaN(r.steadyEndToEndImagesPerSecond())) {
            sb.append(String.format(Locale.ROOT, "                    %.0f images/s end to end after the first batch%n",
                    r.steadyEndToEndImagesPerSecond()));
        }
        if (r.bytesSent() >= 0) {
            sb.append(String.format(Locale.ROOT, "  wire              %.0f bytes per image (client sent %.1f MB, received %.1f MB; "
                            + "keys %.1f MB)%n", r.bytesPerImage(), r.bytesSent() / 1e6, r.bytesReceived() / 1e6,
                    r.handshakeBytes() / 1e6));
        }
        sb.append(String.format(Locale.ROOT, "  peak heap         %.2f GB%n", r.peakHeapBytes() / 1e9));
        if (!Double.isNaN(r.processCpuSeconds())) {
            sb.append(String.format(Locale.ROOT, "  process CPU       %.2f s over the batches (every thread of this JVM); JIT "
                    + "compilers' elapsed time %s%n", r.processCpuSeconds(),
                    Double.isNaN(r.jitSeconds()) ? "unknown" : String.format(Locale.ROOT, "%.2f s", r.jitSeconds())));
        }
        sb.append(relu ? "  (nGraph-HE2 paper, CryptoNets-ReLU client-aided, unmasked: 2,959 images/s, N=2048, LAN)"
                : "  (nGraph-HE2 paper: 98.95% at 1,998 images/s on 24 threads of a 56-core Xeon)");
        return sb.toString();
    }

    static String toJson(CryptoNetsRun.Report r) {
        CryptoNetsServer.SessionStats s = r.server();
        return String.format(Locale.ROOT, "{\"plaintext_accuracy\": %.6f, \"encrypted_accuracy\": %.6f, \"agreement\": %.6f, "
                        + "\"server_images_per_second\": %.2f, \"end_to_end_images_per_second\": %.2f, "
                        + "\"batch_latency_seconds\": %.4f, \"peak_heap_bytes\": %d, \"packing\": \"%s\", \"complex_batches\": %d, \"images\": %d, "
                        + "\"ring_degree\": %d, \"security_bits\": %d, \"activation\": \"%s\", \"mode\": \"%s\", "
                        + "\"bytes_per_image\": %s, \"bytes_sent\": %s, \"bytes_received\": %s, \"handshake_bytes\": %s, "
                        + "\"warmup_seconds\": %.4f, \"warmup_rounds\": %d, \"keygen_seconds\": %.4f, \"encrypt_seconds\": %.4f, "
                        + "\"server_seconds\": %.4f, \"client_activation_seconds\": %.4f, \"decrypt_seconds\": %.4f, "
                        + "\"end_to_end_batch_latency_seconds\": %.4f, \"activation_rounds\": %d, \"ciphertexts_answered\": %d, "
                        + "\"server_mask_seconds\": %s, \"server_unmask_seconds\": %s, \"mask_mode\": \"%s\", "
                        + "\"steady_end_to_end_images_per_second\": %s, \"server_full_batch_images_per_second\": %s, "
                        + "\"end_to_end_full_batch_images_per_second\": %s, "
                        + "\"process_cpu_seconds\": %s, \"jit_seconds\": %s, "
                        + "\"threads\": %d, \"ntt_kernel\": \"%s\", "
                        + "\"mac_kernel\": \"%s\", \"max_logit_error\": %.3e, \"parameters\": \"%s\"}",
                r.plaintextAccuracy(), r.encryptedAccuracy(), r.agreement(), r.serverImagesPerSecond(),
                r.endToEndImagesPerSecond(), r.batchLatencySeconds(), r.peakHeapBytes(), r.packing().split(" ")[0],
                r.complexBatches(), r.images(), r.ringDegree(), r.securityBits(), r.activation().name().toLowerCase(Locale.ROOT), r.mode().label(),
                r.bytesSent() < 0 ? "null" : String.format(Locale.ROOT, "%.1f", r.bytesPerImage()),
                r.bytesSent() < 0 ? "null" : Long.toString(r.bytesSent()),
                r.bytesSent() < 0 ? "null" : Long.toString(r.bytesReceived()),
                r.bytesSent() < 0 ? "null" : Long.toString(r.handshakeBytes()),
                r.warmupSeconds(), r.warmupRounds(), r.keygenSeconds(), r.encryptSeconds(), r.serverSeconds(), r.answerSeconds(), r.decryptSeconds(),
                r.endToEndBatchLatencySeconds(), r.rounds(), r.ciphertextsAnswered(),
                s == null || s.rounds() == 0 ? "null" : String.format(Locale.ROOT, "%.4f", s.maskSeconds()),
                s == null || s.rounds() == 0 ? "null" : String.format(Locale.ROOT, "%.4f", s.unmaskSeconds()),
                r.maskMode(), Double.isNaN(r.steadyEndToEndImagesPerSecond()) ? "null"
                        : String.format(Locale.ROOT, "%.2f", r.steadyEndToEndImagesPerSecond()),
                Double.isNaN(r.serverFullBatchImagesPerSecond()) ? "null"
                        : String.format(Locale.ROOT, "%.2f", r.serverFullBatchImagesPerSecond()),
                Double.isNaN(r.endToEndFullBatchImagesPerSecond()) ? "null"
                        : String.format(Locale.ROOT, "%.2f", r.endToEndFullBatchImagesPerSecond()),
                Double.isNaN(r.processCpuSeconds()) ? "null" : String.format(Locale.ROOT, "%.3f", r.processCpuSeconds()),
                Double.isNaN(r.jitSeconds()) ? "null" : String.format(Locale.ROOT, "%.3f", r.jitSeconds()),
                r.threads(), r.nttKernel(), r.macKernel(), r.maxLogitError(),
                r.parameters().replace("\"", "'"));
    }

    /** @return the command line, with case-insensitive enum values (--activation relu) */
    static CommandLine commandLine() {
        return new CommandLine(new CryptoNetsCli()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    // bad input (missing data, wrong option values, a refused peer): one clear line, no stack trace
                    String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
                    cmd.getErr().println("error: " + msg);
                    if (Boolean.getBoolean("jckks.stacktrace")) {
                        ex.printStackTrace(cmd.getErr());
                    } else {
                        cmd.getErr().println("(run with JAVA_OPTS=-Djckks.stacktrace=true for details)");
                    }
                    return 2;
                });
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
