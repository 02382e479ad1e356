package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.nn.LinearLayer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A small command line for the client-aided protocol: {@code serve} listens, {@code infer} is a key-holding client
 * with random inputs, {@code demo} runs both over loopback in one process. The model is a JSON model file
 * ({@code --model}, {@link ModelFile}) or a demo model (dense -&gt; ReLU -&gt; dense, weights drawn from
 * {@code --model-seed}). Needs picocli on the class or module path.
 */
@Command(name = "clientaided", mixinStandardHelpOptions = true, subcommands = {ClientAidedCli.Serve.class,
        ClientAidedCli.Infer.class, ClientAidedCli.Demo.class},
        description = "Masked client-aided ReLU inference on CKKS-encrypted data (jckks).")
public final class ClientAidedCli implements Runnable {
    /** Entry point. */
    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new ClientAidedCli());
        // a bad file or a refused session: its message, not a stack trace
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            return 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options shared by server and client. */
    static final class Common {
        @Option(names = "--params", description = "clientaided4096 (N=4096, 128-bit), test (N=1024, INSECURE), auto "
                + "(serve/demo: the 128-bit ring the served model's level plan picks, ClientAidedModel.parameters), "
                + "or a file of serialized parameters (what serve --write-params wrote)")
        String params = "clientaided4096";

        @Option(names = "--insecure", description = "accept a parameter file below 128-bit security (tests only)")
        boolean insecure;

        @Option(names = "--plan-packing", description = "with --params auto: real, complex or coefficient (the packing "
                + "the clients use: complex packing's squares conjugate, which needs a special prime; coefficient packing "
                + "holds N images like complex packing and plans the same ring)")
        String planPacking = "real";

        @Option(names = "--scale-bits", description = "with --params auto: bits of the scale and of the primes after q0")
        int scaleBits = 24;

        @Option(names = "--first-prime-bits", description = "with --params auto: bits of q0 (the headroom of values sent at "
                + "level 0 is 2^(bits - scale bits - 1))")
        int firstPrimeBits = 30;

        @Option(names = "--test-levels", description = "levels L of the test parameters (data primes {31, 25 x L})")
        int testLevels = 2;

        @Option(names = "--inputs", description = "input elements per image (the demo model's; a client of a model "
                + "file's server gives that model's)")
        int inputs = 16;

        @Option(names = "--timeout-seconds", description = "read time-out")
        int timeout = 120;

        @Option(names = "--max-frame-mib", description = "largest frame accepted, MiB")
        int maxFrameMib = 512;

        CkksContext context() {
            return context(null, null, 1);
        }

        /** @param model the served model, for --params auto (null: refused) */
        CkksContext context(ClientAidedModel model, MaskMode mode, int batch) {
            CkksParameters p = switch (params.toLowerCase(Locale.ROOT)) {
                case "clientaided4096" -> CkksParameters.clientAided4096();
                case "auto" -> {
                    if (model == null) {
                        throw new CommandLine.ParameterException(new CommandLine(this), "--params auto plans the ring from "
                                + "a model: give serve or demo a --model (a client takes the file serve --write-params wrote)");
                    }
                    yield model.parameters(mode, packing(planPacking, this), batch, scaleBits, firstPrimeBits);
                }
                case "test" -> {
                    if (testLevels < 1 || testLevels > 20) {
                        throw new CommandLine.ParameterException(new CommandLine(this), "--test-levels must be in [1, 20]");
                    }
                    int[] bits = new int[testLevels + 1];
                    java.util.Arrays.fill(bits, 25);
                    bits[0] = 31;
                    yield CkksParameters.builder().logN(10).dataPrimeBits(bits).specialPrimeBits(40).scale(0x1p25)
                            .insecureForTestsOnly().build();
                }
                default -> {
                    java.nio.file.Path file = java.nio.file.Path.of(params);
                    if (!java.nio.file.Files.isRegularFile(file)) {
                        throw new CommandLine.ParameterException(new CommandLine(this), "--params " + params
                                + ": neither clientaided4096, test, auto nor a readable parameter file");
                    }
                    try {
                        yield io.github.jckks.ckks.Serialization.readParameters(java.nio.file.Files.readAllBytes(file),
                                insecure ? io.github.jckks.ckks.SecurityLevel.INSECURE_TESTS_ONLY
                                        : io.github.jckks.ckks.SecurityLevel.BITS_128);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    } catch (IllegalArgumentException e) {
                        throw new CommandLine.ParameterException(new CommandLine(this), "--params " + params + ": "
                                + e.getMessage() + (insecure ? "" : " (a parameter file below 128-bit security needs "
                                + "--insecure, for tests only)"));
                    }
                }
            };
            return new CkksContext(p);
        }

        TransportLimits limits() {
            if (maxFrameMib < 1 || maxFrameMib > 2047) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--max-frame-mib " + maxFrameMib
                        + ": between 1 and 2047 (a frame length is a signed 32-bit integer)");
            }
            return TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(timeout)).withMaxFrameBytes(maxFrameMib << 20);
        }
    }

    /** Options of the server. */
    static final class ServerOptions {
        @Option(names = "--model", description = "a JSON model file (format jckks-model, see ModelFile); without it, the "
                + "demo model")
        java.nio.file.Path model;

        @Option(names = "--model-seed", description = "seed of the demo model's weights")
        long modelSeed = 1;

        @Option(names = "--write-params", description = "write the parameters (serialized) to this file for the clients' "
                + "--params")
        java.nio.file.Path writeParams;

        @Option(names = "--plan-batch", description = "with --params auto: the images a batch must hold (the ring's width)")
        int planBatch = 1;

        @Option(names = "--hidden", description = "hidden size of the demo model")
        int hidden = 32;

        @Option(names = "--outputs", description = "output size of the demo model")
        int outputs = 4;

        @Option(names = "--threads", description = "server worker threads")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--mask", description = "per-slot or per-ciphertext")
        String mask = "per-slot";

        @Option(names = "--mask-bits", description = "factors in [2^-s, 2^s]")
        double maskBits = 2;

        @Option(names = "--flooding-bits", description = "noise flooding bound in bits (0 = off)")
        int floodingBits;

        MaskMode maskMode() {
            return masking().mode();
        }

        void writeParams(CkksContext ctx) throws java.io.IOException {
            if (writeParams != null) {
                java.nio.file.Files.write(writeParams, io.github.jckks.ckks.Serialization.write(ctx.parameters()));
            }
        }

        /** @return the model file's model, or the demo model on {@code inputs} inputs */
        ClientAidedModel model(int inputs) throws java.io.IOException {
            return model == null ? demoModel(modelSeed, inputs, hidden, outputs) : ModelFile.read(model);
        }

        MaskingConfig masking() {
            MaskMode m = switch (mask.toLowerCase(Locale.ROOT)) {
                case "per-slot" -> MaskMode.PER_SLOT;
                case "per-ciphertext" -> MaskMode.PER_CIPHERTEXT;
                default -> throw new IllegalArgumentException("--mask must be per-slot or per-ciphertext, got " + mask);
            };
            return new MaskingConfig(m, maskBits, true, floodingBits);
        }
    }

    /** The demo model: dense(inputs -&gt; hidden) -&gt; ReLU -&gt; dense(hidden -&gt; outputs), weights from the seed. */
    static ClientAidedModel demoModel(long seed, int inputs, int hidden, int outputs) {
        Random r = new Random(seed);
        return ClientAidedModel.builder()
                .add(LinearLayer.dense(matrix(r, hidden, inputs, 1 / Math.sqrt(inputs)), vector(r, hidden, 0.1)))
                .relu()
                .add(LinearLayer.dense(matrix(r, outputs, hidden, 1 / Math.sqrt(hidden)), vector(r, outputs, 0.1)))
                .build();
    }

    private static double[][] matrix(Random r, int rows, int cols, double s) {
        double[][] w = new double[rows][];
        for (int i = 0; i < rows; i++) {
            w[i] = vector(r, cols, s);
        }
        return w;
    }

    private static double[] vector(Random r, int n, double s) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (2 * r.nextDouble() - 1) * s;
        }
        return v;
    }

    /** {@code serve}: listens until {@code --sessions} sessions have ended (0: until killed). */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve a model (holds no secret key).")
    static final class Serve implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Mixin
        ServerOptions server = new ServerOptions();

        @Option(names = "--bind", description = "address to bind")
        String bind = "127.0.0.1";

        @Option(names = "--port", description = "port (0: ephemeral, printed)")
        int port = 7878;

        @Option(names = "--sessions", description = "stop after this many sessions (0: never)")
        int sessions;

        @Option(names = "--max-sessions", description = "concurrent sessions")
        int maxSessions = 4;

        @Override
        public Integer call() throws Exception {
            ClientAidedModel model = server.model(common.inputs);
            CkksContext ctx = common.context(model, server.maskMode(), server.planBatch);
            ForkJoinPool pool = new ForkJoinPool(Math.max(1, server.threads));
            CountDownLatch left = new CountDownLatch(Math.max(1, sessions));
            ClientAidedServer engine = new ClientAidedServer(ctx, model, server.masking(), pool);
            try (ClientAidedTcpServer tcp = new ClientAidedTcpServer(engine, InetAddress.getByName(bind), port,
                    maxSessions, common.limits(), (id, peer, stats, failure) -> {
                        System.out.println(failure == null ? "session " + id + " from " + peer + " done: " + stats
                                : "session " + id + " from " + peer + " failed: "
                                        + TcpSessionServer.printable(failure.getMessage()));
                        left.countDown();
                    })) {
                server.writeParams(ctx); // once listening: a client that finds the file can connect
                System.out.println("serving on " + bind + ":" + tcp.port() + " with " + ctx.parameters());
                System.out.println(model.describe());
                if (sessions > 0) {
                    left.await();
                } else {
                    new CountDownLatch(1).await();
                }
            } finally {
                pool.shutdown();
            }
            return 0;
        }
    }

    /** {@code infer}: a client with random inputs. */
    @Command(name = "infer", mixinStandardHelpOptions = true, description = "Encrypt a random batch, run it on a server, decrypt.")
    static final class Infer implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--host", description = "server host")
        String host = "127.0.0.1";

        @Option(names = "--port", description = "server port")
        int port = 7878;

        @Option(names = "--batch", description = "images in the batch (at most N/2 real-packed, N complex- or "
                + "coefficient-packed)")
        int batch = 16;

        @Option(names = "--seed", description = "seed of the random inputs")
        long seed = 2;

        @Option(names = "--relinearization-key", description = "send a relinearization key in HELLO (for a model whose "
                + "server-side segments relinearize)")
        boolean relinearizationKey;

        @Option(names = "--conjugation-key", description = "send the conjugation key in HELLO (for complex packing with a "
                + "model that squares)")
        boolean conjugationKey;

        @Option(names = "--packing", description = "real (at most N/2 images per batch), complex (at most N) or "
                + "coefficient (at most N, in the coefficients: a model of linear layers and ReLUs with per-ciphertext "
                + "masks only)")
        String packing = "real";

        @Mixin
        Io files = new Io();

        @Override
        public Integer call() throws java.io.IOException {
            CkksContext ctx = common.context();
            double[][] images = files.input != null ? readImages(files.input, common.inputs) : randomImages(seed, batch, common.inputs);
            batch = images.length;
            io.github.jckks.nn.Packing pk = packing(packing, this);
            ClientAidedClient client = ClientAidedClient.withFreshKeys(ctx, relinearizationKey, conjugationKey);
            long t0 = System.nanoTime();
            try (ClientAidedClient.Session s = client.open(TcpTransport.connect(host, port, ctx, common.limits(),
                    Duration.ofSeconds(10)))) {
                double[][] out = s.infer(images, pk);
                System.out.printf(Locale.ROOT, "%d images in %.0f ms; client answered %d ciphertexts in %.0f ms%n", batch,
                        (System.nanoTime() - t0) / 1e6, s.ciphertextsAnswered(), s.answerNanos() / 1e6);
                for (int b = 0; b < Math.min(batch, 4); b++) {
                    System.out.println("image " + b + ": " + format(out[b]));
                }
                files.writeOutputs(out);
            }
            return 0;
        }
    }

    /** {@code demo}: server and client in one process over loopback, checked against the plaintext reference. */
    @Command(name = "demo", mixinStandardHelpOptions = true, description = "Server and client over loopback in one process.")
    static final class Demo implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Mixin
        ServerOptions server = new ServerOptions();

        @Option(names = "--batch", description = "images in the batch (at most N/2)")
        int batch = 64;

        @Option(names = "--max-error", description = "exit with status 1 if an output differs from the plaintext "
                + "reference by more than this")
        double maxError = 0.05;

        @Mixin
        Io files = new Io();

        @Override
        public Integer call() throws Exception {
            ClientAidedModel model = server.model(common.inputs);
            CkksContext ctx = common.context(model, server.maskMode(), Math.max(server.planBatch, batch));
            server.writeParams(ctx);
            double[][] images = files.input != null ? readImages(files.input, model.inputSize())
                    : randomImages(3, batch, model.inputSize());
            batch = images.length;
            ForkJoinPool pool = new ForkJoinPool(Math.max(1, server.threads));
            CountDownLatch done = new CountDownLatch(1);
            Object[] result = new Object[2];
            try (ClientAidedTcpServer tcp = new ClientAidedTcpServer(new ClientAidedServer(ctx, model, server.masking(), pool),
                    InetAddress.getLoopbackAddress(), 0, 1, common.limits(), (id, peer, stats, failure) -> {
                        result[0] = stats;
                        result[1] = failure;
                        done.countDown();
                    })) {
                // a model whose segments relinearize needs the client's relinearization key (sent in HELLO)
                ClientAidedClient client = model.needsKeySwitching(io.github.jckks.nn.Packing.REAL)
                        ? ClientAidedClient.withFreshKeysAndRelinearizationKey(ctx) : ClientAidedClient.withFreshKeys(ctx);
                long t0 = System.nanoTime();
                double[][] out;
                try (ClientAidedClient.Session s = client.open(TcpTransport.connect("127.0.0.1", tcp.port(), ctx,
                        common.limits(), Duration.ofSeconds(10)))) {
                    out = s.infer(images);
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (!done.await(common.timeout, TimeUnit.SECONDS) || result[1] != null) {
                    System.err.println("server session failed: " + result[1]);
                    return 1;
                }
                double err = 0;
                for (int b = 0; b < batch; b++) {
                    double[] ref = model.forward(images[b]);
                    for (int o = 0; o < ref.length; o++) {
                        err = Math.max(err, Math.abs(ref[o] - out[b][o]));
                    }
                }
                System.out.println(ctx.parameters());
                System.out.println(model.describe());
                System.out.printf(Locale.ROOT, "%d images over loopback TCP in %d ms, max error vs plaintext %.2e; server: %s%n",
                        batch, ms, err, result[0]);
                files.writeOutputs(out);
                if (!(err <= maxError)) {
                    System.err.printf(Locale.ROOT, "max error %.2e exceeds --max-error %.2e%n", err, maxError);
                    return 1;
                }
                return 0;
            } finally {
                pool.shutdown();
            }
        }
    }

    static io.github.jckks.nn.Packing packing(String name, Object command) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "real" -> io.github.jckks.nn.Packing.REAL;
            case "complex" -> io.github.jckks.nn.Packing.COMPLEX;
            case "coefficient" -> io.github.jckks.nn.Packing.COEFFICIENT;
            default -> throw new CommandLine.ParameterException(new CommandLine(command), "packing must be real, complex "
                    + "or coefficient, got " + name);
        };
    }

    /** Input and output files of a client: one image (or its outputs) per line, comma-separated. */
    static final class Io {
        @Option(names = "--input", description = "a CSV file of images, one per line (comma-separated values); without "
                + "it, random images")
        java.nio.file.Path input;

        @Option(names = "--output", description = "write the decrypted outputs here, one image per line (CSV)")
        java.nio.file.Path output;

        void writeOutputs(double[][] out) throws java.io.IOException {
            if (output == null) {
                return;
            }
            StringBuilder sb = new StringBuilder();
            for (double[] row : out) {
                for (int i = 0; i < row.length; i++) {
                    sb.append(i == 0 ? "" : ",").append(row[i]);
                }
                sb.append('\n');
            }
            java.nio.file.Files.writeString(output, sb);
        }
    }

    /**
     * @return the images of a CSV file (one per line, {@code inputs} comma-separated finite numbers; blank lines and
     *         lines starting with # skipped)
     * @throws IllegalArgumentException naming the line of a malformed one
     */
    static double[][] readImages(java.nio.file.Path file, int inputs) throws java.io.IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--input " + file + ": no such file");
        }
        java.util.List<double[]> images = new java.util.ArrayList<>();
        int lineNo = 0;
        for (String line : java.nio.file.Files.readAllLines(file)) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] cells = t.split(",", -1); // a trailing comma is an empty value, refused below
            if (cells.length != inputs) {
                throw new IllegalArgumentException(file + " line " + lineNo + ": " + cells.length + " values, the model takes "
                        + inputs);
            }
            double[] x = new double[inputs];
            for (int i = 0; i < inputs; i++) {
                try {
                    x[i] = Double.parseDouble(cells[i].strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + " line " + lineNo + " value " + (i + 1) + ": \"" + cells[i]
                            + "\" is not a number");
                }
                if (!Double.isFinite(x[i])) {
                    throw new IllegalArgumentException(file + " line " + lineNo + " value " + (i + 1) + " is not finite");
                }
            }
            images.add(x);
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException(file + ": no images");
        }
        return images.toArray(new double[0][]);
    }

    static double[][] randomImages(long seed, int batch, int inputs) {
        Random r = new Random(seed);
        double[][] x = new double[batch][];
        for (int b = 0; b < batch; b++) {
            x[b] = vector(r, inputs, 1);
        }
        return x;
    }

    private static String format(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
        }
        return sb.append(']').toString();
    }
}
