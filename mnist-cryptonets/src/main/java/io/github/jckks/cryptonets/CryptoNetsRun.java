package io.github.jckks.cryptonets;

import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.cryptonets.data.MnistDataset;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsShape;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.math.NttKernels;
import io.github.jckks.nn.JitWarmUp;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.clientaided.ClientAidedException;
import io.github.jckks.nn.clientaided.InProcessTransport;
import io.github.jckks.nn.clientaided.MaskMode;
import io.github.jckks.nn.clientaided.MaskingConfig;
import io.github.jckks.nn.clientaided.TcpTransport;
import io.github.jckks.nn.clientaided.Transport;
import io.github.jckks.nn.clientaided.TransportLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * One encrypted CryptoNets run: a client ({@link CryptoNetsClient}) generates keys, encrypts batches of test
 * images with batch-axis packing (pixel p of image i in slot i of ciphertext p, N/2 images per batch), sends
 * them to a server ({@link CryptoNetsServer}) that holds the model and no secret key, answers its activation
 * rounds (RELU), decrypts the ten outputs and takes the argmax. The two roles talk through the protocol of
 * {@code io.github.jckks.nn.clientaided}:
 * <ul>
 * <li>{@link Mode#LOCAL}: in one process, messages handed over in memory (no encoding);</li>
 * <li>{@link Mode#TCP}: a server on 127.0.0.1 with an ephemeral port in this JVM, the client connected over
 * loopback TCP (every message encoded, framed and decoded), bytes counted;</li>
 * <li>{@link #runRemote}: only the client, against a server started elsewhere ({@code cryptonets serve}).</li>
 * </ul>
 * Measures every phase. Not thread-safe; it uses its own pools.
 */
public final class CryptoNetsRun {
    /** Where the server runs. */
    public enum Mode {
        /** In this process, messages passed in memory. */
        LOCAL,
        /** In this JVM behind a loopback TCP socket. */
        TCP,
        /** In another process (the client side of {@code cryptonets infer}). */
        REMOTE;

        /** @return the lower-case name used on the command line and in JSON */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What a run measured.
     *
     * @param images              images classified
     * @param batchSize           images per full batch (N/2)
     * @param batches             batches
     * @param packing             packing description
     * @param plaintextAccuracy   accuracy of the plaintext reference (the same network in double precision)
     * @param encryptedAccuracy   accuracy of the decrypted predictions
     * @param agreement           fraction of images where both predict the same class
     * @param keygenSeconds       client key generation (and serialization of the keys it sends)
     * @param encryptSeconds      client encryption of the inputs
     * @param serverSeconds       server-side time: from sending INFER to receiving RESULT, minus the client's answers
     *                            to activation rounds (includes encoding, the wire and the server's work)
     * @param decryptSeconds      client decryption of the outputs
     * @param batchLatencySeconds server-side time per full batch (as serverSeconds)
     * @param peakHeapBytes       peak heap of this JVM over the measured batches (from the session's start without a
     *                            warm-up, from the end of the warm-up otherwise)
     * @param ringDegree          N
     * @param securityBits        security of the parameters
     * @param parameters          the parameters
     * @param threads             threads of each pool (client and server)
     * @param nttKernel           NTT kernel
     * @param macKernel           MAC kernel
     * @param maxLogitError       largest |decrypted - reference| over all logits
     * @param activation          SQUARE or RELU
     * @param mode                where the server ran
     * @param answerSeconds       client answering activation rounds (RELU)
     * @param rounds              activation rounds
     * @param ciphertextsAnswered ciphertexts the client answered
     * @param bytesSent           bytes the client sent over TCP (-1 without TCP)
     * @param bytesReceived       bytes the client received over TCP (-1 without TCP)
     * @param handshakeBytes      of which the HELLO exchange (keys)
     * @param server              the server's own account of the session (null if it ran in another process)
     * @param endToEndBatchLatencySeconds mean wall time of a full batch, encryption to decryption
     * @param maskMode            the server's masking factors (RELU): per-slot or per-ciphertext; "none" for SQUARE
     * @param steadyEndToEndImagesPerSecond end-to-end throughput without the first batch (JIT warm-up), NaN with
     *                            one batch
     * @param warmupSeconds       the JIT warm-up before the first batch (not counted)
     * @param warmupRounds        runs of the network in the warm-up: small-ring runs and rehearsal batches
     * @param complexBatches      batches that went complex-packed (with complex packing, a last batch that fits the
     *                            slots goes real-packed)
     * @param processCpuSeconds   CPU time of this JVM (every thread: the JIT compilers and the garbage collector, and
     *                            both roles in LOCAL and TCP mode, the client only in REMOTE mode) while the batches
     *                            ran; NaN where the JVM does not report it. Against the wall time and the cores it
     *                            tells how busy the machine was
     * @param jitSeconds          the elapsed time of HotSpot's compiler threads while the batches ran, each compilation
     *                            counted when it finishes ({@code CompilationMXBean.getTotalCompilationTime}; not CPU
     *                            time, NaN if not monitored): what the warm-up did not compile
     */
    public record Report(int images, int batchSize, int batches, String packing, double plaintextAccuracy,
                         double encryptedAccuracy, double agreement, double keygenSeconds, double encryptSeconds,
                         double serverSeconds, double decryptSeconds, double batchLatencySeconds, long peakHeapBytes,
                         int ringDegree, int securityBits, String parameters, int threads, String nttKernel,
                         String macKernel, double maxLogitError, Activation activation, Mode mode, double answerSeconds,
                         long rounds, long ciphertextsAnswered, long bytesSent, long bytesReceived, long handshakeBytes,
                         CryptoNetsServer.SessionStats server, double endToEndBatchLatencySeconds, String maskMode,
                         double steadyEndToEndImagesPerSecond, double warmupSeconds, int warmupRounds,
                         int complexBatches, double processCpuSeconds, double jitSeconds) {
        /** @return images per second of server-side inference */
        public double serverImagesPerSecond() {
            return images / serverSeconds;
        }

        /**
         * @return server-side images per second of a full batch (batch size / latency of a full batch), the paper's
         * measure (4,096 images in 2.05 s); NaN when no batch was full
         */
        public double serverFullBatchImagesPerSecond() {
            return batchLatencySeconds > 0 && images >= batchSize ? batchSize / batchLatencySeconds : Double.NaN;
        }

        /** @return end-to-end images per second of a full batch; NaN when no batch was full */
        public double endToEndFullBatchImagesPerSecond() {
            return endToEndBatchLatencySeconds > 0 && images >= batchSize ? batchSize / endToEndBatchLatencySeconds : Double.NaN;
        }

        /** @return images per second end to end (encryption + inference, rounds included + decryption) */
        public double endToEndImagesPerSecond() {
            return images / endToEndSeconds();
        }

        /** @return encryption + server + answers + decryption */
        public double endToEndSeconds() {
            return encryptSeconds + serverSeconds + answerSeconds + decryptSeconds;
        }

        /** @return bytes over the wire per image, both directions, keys included (NaN without TCP) */
        public double bytesPerImage() {
            return bytesSent < 0 ? Double.NaN : (double) (bytesSent + bytesReceived) / images;
        }
    }

    /** The longest JIT warm-up before the first batch. */
    static final double WARMUP_MAX_SECONDS = 30;
    private static final TransportLimits LIMITS = TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(600));
    private final CryptoNetsWeights weights;
    private final MnistDataset data;
    private final int threads;
    private final IntConsumer progress;
    private MaskMode maskMode = MaskMode.PER_SLOT;
    private Packing packing = Packing.REAL;
    private boolean warmUp = true;
    private double warmupSeconds;
    private int warmupRounds;

    /**
     * @param weights  the trained model (its activation selects the network)
     * @param data     the test images
     * @param threads  threads of the client's pool and of the server's pool
     * @param progress called with 0 as the first batch starts, then with the number of images done after each batch
     *                 (may be null)
     */
    public CryptoNetsRun(CryptoNetsWeights weights, MnistDataset data, int threads, IntConsumer progress) {
        this.weights = weights;
        this.data = data;
        this.threads = threads;
        this.progress = progress == null ? x -> { } : progress;
    }

    /**
     * Sets the server's masking factors for the RELU network (default {@link MaskMode#PER_SLOT}; PER_CIPHERTEXT is
     * cheaper but lets the client learn ratios between the images of a batch, see nn-layers' CLIENT_AIDED.md).
     *
     * @return this
     */
    public CryptoNetsRun maskMode(MaskMode mode) {
        this.maskMode = mode;
        return this;
    }

    /**
     * Sets the packing of the client's batches (default {@link Packing#REAL}; {@link Packing#COMPLEX} doubles the
     * batch).
     *
     * @return this
     */
    public CryptoNetsRun packing(Packing p) {
        this.packing = java.util.Objects.requireNonNull(p, "packing");
        return this;
    }

    /**
     * Whether to warm the JIT up before the first batch (default true): the network runs on random data in a small ring
     * until the JIT compilers go quiet, at most 30 s ({@link JitWarmUp}), then the measured session opens with
     * {@link #rehearsalBatches} uncounted batches of the first test images at the real size and waits up to 5 s for the
     * compiler queue to drain; all timed separately and not counted in the throughput, as a long-running server
     * warms up once at start. Without it, the peak heap also covers the handshake.
     *
     * @return this
     */
    public CryptoNetsRun warmUp(boolean on) {
        this.warmUp = on;
        return this;
    }

    /** Runs the first {@code images} test images in one process. */
    public Report run(int images) {
        return run(images, Mode.LOCAL);
    }

    /** Runs the first {@code images} test images with the server in this JVM, in memory or behind loopback TCP. */
    public Report run(int images, Mode mode) {
        checkImages(images);
        if (mode == Mode.REMOTE) {
            throw new IllegalArgumentException("use runRemote for a server in another process");
        }
        resetPeaks();
        ForkJoinPool serverPool = new ForkJoinPool(threads);
        ForkJoinPool clientPool = new ForkJoinPool(threads);
        try {
            CryptoNetsServer server = new CryptoNetsServer(weights, MaskingConfig.defaults().withMode(maskMode), serverPool,
                    packing);
            CryptoNetsClient client = new CryptoNetsClient(weights.activation(), maskMode, clientPool, packing);
            if (warmUp) {
                JitWarmUp.Result w = weights.activation() == Activation.SQUARE
                        ? JitWarmUp.run(EncryptedCryptoNets.build(weights), client.parameters(), packing, serverPool,
                                WARMUP_MAX_SECONDS)
                        : JitWarmUp.runClientAided(EncryptedCryptoNets.buildClientAided(weights), client.parameters(),
                                MaskingConfig.defaults().withMode(maskMode), warmUpPacking(packing), serverPool,
                                WARMUP_MAX_SECONDS);
                warmupSeconds = w.seconds();
                warmupRounds = w.rounds();
                server.uncountedInNextSession(rehearsalBatches(weights.activation())); // the rehearsal opens it (drive)
            }
            if (mode == Mode.LOCAL) {
                InProcessTransport[] pair = InProcessTransport.pairByReference(LIMITS.readTimeout());
                CompletableFuture<CryptoNetsServer.SessionStats> served = CompletableFuture.supplyAsync(
                        () -> server.serve(pair[1]), daemonExecutor("cryptonets-local-server"));
                Report r = drive(client, pair[0], images, mode);
                return withServer(r, await(served));
            }
            CompletableFuture<CryptoNetsServer.SessionStats> served = new CompletableFuture<>();
            try (CryptoNetsServer.Listener listener = server.listen(InetAddress.getLoopbackAddress(), 0, 1, LIMITS,
                    (peer, stats, sent, received, failure) -> {
                        if (failure != null) {
                            served.completeExceptionally(failure);
                        } else {
                            served.complete(stats);
                        }
                    })) {
                TcpTransport t = TcpTransport.connect(InetAddress.getLoopbackAddress().getHostAddress(),
                        listener.port(), client.context(), LIMITS, clientPool, Duration.ofSeconds(10));
                Report r = drive(client, t, images, mode);
                return withServer(r, await(served));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on the loopback interface: " + e.getMessage(), e);
        } finally {
            serverPool.shutdown();
            clientPool.shutdown();
        }
    }

    /**
     * Runs the client only, against a server started elsewhere ({@code cryptonets serve}) for the same activation.
     * The client holds the model only to report the plaintext accuracy and the agreement.
     */
    public Report runRemote(int images, String host, int port) {
        checkImages(images);
        resetPeaks();
        ForkJoinPool clientPool = new ForkJoinPool(threads);
        try {
            CryptoNetsClient client = new CryptoNetsClient(weights.activation(), maskMode, clientPool, packing);
            TcpTransport t = TcpTransport.connect(host, port, client.context(), LIMITS, clientPool,
                    Duration.ofSeconds(10));
            return drive(client, t, images, Mode.REMOTE);
        } finally {
            clientPool.shutdown();
        }
    }

    /** @return the packing of the client-aided warm-up: the run's own for coefficient packing, else real (the cheaper) */
    static Packing warmUpPacking(Packing p) {
        return p == Packing.COEFFICIENT ? Packing.COEFFICIENT : Packing.REAL;
    }

    /** @return the report's description of a packing (its first word is the JSON's {@code packing}) */
    static String describe(Packing p) {
        return switch (p) {
            case REAL -> "real (batch-axis)";
            case COMPLEX -> "complex (two real batches per slot vector)";
            case COEFFICIENT -> "coefficient (N images in the coefficients, one prime, no rescale)";
        };
    }

    /**
     * @return the uncounted batches of the first test images a run sends first, in its measured session
     * ({@link #rehearse}): 16 for RELU, whose per-ciphertext methods (about a thousand calls a batch) reach C2 only after
     * five batches, and whose recycling loops (over a message's ciphertexts, a few calls a batch) only by their
     * back-edges, later (8 until the twelfth session left those compiling inside the measured batches); 1 for SQUARE,
     * whose batches of 8,192 images take seconds and compile within the first
     */
    static int rehearsalBatches(Activation activation) {
        return activation == Activation.SQUARE ? 1 : 16;
    }

    /**
     * The rehearsal: {@link #rehearsalBatches} batches of the first test images at the real size, sent first in the session
     * that the run then measures, and left out of its figures (the server leaves them out of its session's stats,
     * {@link CryptoNetsServer#uncountedInNextSession}), then a wait for the compiler queue ({@link #awaitCompilerQueue}). The server's limb pool then holds the arrays a batch needs (the
     * first batch of a fresh pool allocates gigabytes, and the garbage collector copies them while they live), and C2
     * has compiled the real-size paths: the per-ciphertext methods of both roles (about a thousand calls a batch) reach
     * it only after a few batches, and a session of their own left the recompilations that a new session's first
     * frames cause (socket set-up, handshake) to the measured batches, about a fifth of their CPU.
     *
     * @return the batches it ran
     */
    private int rehearse(CryptoNetsClient.Session session, int count, double[][] references) {
        int batches = rehearsalBatches(weights.activation());
        for (int k = 0; k < batches; k++) {
            // the first images, through the same steps as a measured batch (columns, inference, scoring), into a tally
            // that is thrown away
            new Tally().add(session.infer(columns(0, count)).logits(), references, 0, count);
        }
        awaitCompilerQueue();
        return batches;
    }

    /** How long the compilers must have finished nothing for {@link #awaitCompilerQueue} to return. */
    static final long COMPILER_QUIET_MILLIS = 500;

    /** The longest {@link #awaitCompilerQueue} waits. */
    static final long COMPILER_WAIT_MAX_MILLIS = 5_000;

    /**
     * Waits until the JIT compilers have finished nothing for {@link #COMPILER_QUIET_MILLIS} (at most
     * {@link #COMPILER_WAIT_MAX_MILLIS}): compilation is asynchronous, and the C2 queue that the rehearsal filled (one
     * compiler thread on two cores, 100-400 ms per method of the vector kernels inlined) otherwise drains on the cores
     * of the first measured batches. The JVM counts a compilation's time when it finishes, so one that runs longer than
     * the quiet time can still end inside the measured batches.
     */
    private static void awaitCompilerQueue() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long deadline = System.nanoTime() + COMPILER_WAIT_MAX_MILLIS * 1_000_000;
        long last = jit.getTotalCompilationTime();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = jit.getTotalCompilationTime();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= COMPILER_QUIET_MILLIS * 1_000_000) {
                return;
            }
        }
    }

    private Report drive(CryptoNetsClient client, Transport transport, int images, Mode mode) {
        CkksParameters params = client.parameters();
        // the plaintext reference of every image, computed up front on all cores (not timed): it used to run on one
        // thread between batches, a fifth of a fast run's wall time
        double[][] references = referenceLogits(new ReferenceNetwork(weights), images);
        int batchSize = client.batchSize();
        int batches = (images + batchSize - 1) / batchSize;
        int pixels = CryptoNetsShape.INPUT_PIXELS;
        int classes = CryptoNetsShape.CLASSES;
        long encrypt = 0;
        long server = 0;
        long answer = 0;
        long decrypt = 0;
        long fullBatchServer = 0;
        long fullBatchTotal = 0;
        int fullBatches = 0;
        long rounds = 0;
        long answered = 0;
        int complexBatches = 0;
        Tally tally = new Tally();
        long firstBatchNanos = 0;
        int firstBatchImages = 0;
        long handshakeBytes;
        TcpTransport tcp = transport instanceof TcpTransport tt ? tt : null;
        long rehearsalSent = 0;
        long rehearsalReceived = 0;
        long cpu0;
        long jit0;
        long cpu1;
        long jit1;
        try (CryptoNetsClient.Session session = client.open(transport)) {
            handshakeBytes = tcp == null ? -1 : tcp.bytesSent() + tcp.bytesReceived();
            if (warmUp && mode != Mode.REMOTE) {
                long r0 = System.nanoTime();
                long sent0 = tcp == null ? 0 : tcp.bytesSent();
                long received0 = tcp == null ? 0 : tcp.bytesReceived();
                warmupRounds += rehearse(session, Math.min(images, batchSize), references);
                warmupSeconds += (System.nanoTime() - r0) / 1e9;
                rehearsalSent = tcp == null ? 0 : tcp.bytesSent() - sent0;
                rehearsalReceived = tcp == null ? 0 : tcp.bytesReceived() - received0;
                // the warm-up's garbage is not the job's: collect it and measure the peak heap from here
                System.gc();
                resetPeaks();
            }
            cpu0 = processCpuNanos();
            jit0 = jitMillis();
            progress.accept(0); // the first batch starts (a progress bar's clock starts here, after the warm-up)
            for (int b = 0; b < batches; b++) {
                int start = b * batchSize;
                int count = Math.min(batchSize, images - start);
                CryptoNetsClient.Batch r = session.infer(columns(start, count));
                encrypt += r.encryptNanos();
                long s = r.exchangeNanos() - r.answerNanos();
                server += s;
                answer += r.answerNanos();
                decrypt += r.decryptNanos();
                rounds += r.rounds();
                answered += r.answered();
                complexBatches += r.complex() ? 1 : 0;
                if (b == 0) {
                    firstBatchNanos = r.encryptNanos() + r.exchangeNanos() + r.decryptNanos();
                    firstBatchImages = count;
                }
                if (count == batchSize) {
                    fullBatchServer += s;
                    fullBatchTotal += r.encryptNanos() + r.exchangeNanos() + r.decryptNanos();
                    fullBatches++;
                }
                tally.add(r.logits(), references, start, count);
                progress.accept(start + count);
            }
            cpu1 = processCpuNanos();
            jit1 = jitMillis();
        }
        double latency = fullBatches > 0 ? fullBatchServer / 1e9 / fullBatches : server / 1e9 / batches;
        double e2eLatency = fullBatches > 0 ? fullBatchTotal / 1e9 / fullBatches
                : (encrypt + server + answer + decrypt) / 1e9 / batches;
        double steady = batches < 2 ? Double.NaN
                : (images - firstBatchImages) / ((encrypt + server + answer + decrypt - firstBatchNanos) / 1e9);
        long sent = tcp == null ? -1 : tcp.bytesSent() - rehearsalSent;
        long received = tcp == null ? -1 : tcp.bytesReceived() - rehearsalReceived;
        return new Report(images, batchSize, batches, describe(packing), (double) tally.plainCorrect / images,
                (double) tally.encCorrect / images, (double) tally.agree / images, client.keygenSeconds(), encrypt / 1e9, server / 1e9,
                decrypt / 1e9, latency, peakHeap(), params.n(), params.achievedSecurity().bits(), params.toString(),
                threads, NttKernels.get().name(), MacKernels.get().name(), tally.maxLogitError, weights.activation(), mode,
                answer / 1e9, rounds, answered, sent, received, handshakeBytes, null, e2eLatency,
                weights.activation() == Activation.SQUARE ? "none" : maskLabel(mode), steady, warmupSeconds, warmupRounds,
                complexBatches, cpu1 < 0 || cpu0 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e9,
                jit1 < 0 || jit0 < 0 ? Double.NaN : (jit1 - jit0) / 1e3);
    }

    /** @return this JVM's CPU time in nanoseconds, or -1 if the platform does not report it */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /** @return the compilers' accumulated time in milliseconds, or -1 if not monitored */
    private static long jitMillis() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * The batch's columns: columns[p][i] = pixel p of image start + i. A method of its own (as {@link Tally#add}), so
     * that the JIT compiles it alone instead of recompiling the whole driving loop on-stack while batches are timed.
     */
    private double[][] columns(int start, int count) {
        double[][] columns = new double[CryptoNetsShape.INPUT_PIXELS][count];
        double[] img = new double[CryptoNetsShape.INPUT_PIXELS];
        for (int i = 0; i < count; i++) {
            data.imageInto(start + i, img, 0);
            for (int p = 0; p < img.length; p++) {
                columns[p][i] = img[p];
            }
        }
        return columns;
    }

    /** Accuracy, agreement and logit error accumulated over the batches. */
    private final class Tally {
        int plainCorrect;
        int encCorrect;
        int agree;
        double maxLogitError;

        /** Scores images start .. start + count - 1: logits[c][i] of image start + i against its plaintext reference. */
        void add(double[][] logits, double[][] references, int start, int count) {
            for (int i = 0; i < count; i++) {
                double[] ref = references[start + i];
                int plain = argmax(ref);
                int best = 0;
                for (int c = 0; c < ref.length; c++) {
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
        }
    }

    private static Report withServer(Report r, CryptoNetsServer.SessionStats s) {
        return new Report(r.images(), r.batchSize(), r.batches(), r.packing(), r.plaintextAccuracy(), r.encryptedAccuracy(),
                r.agreement(), r.keygenSeconds(), r.encryptSeconds(), r.serverSeconds(), r.decryptSeconds(),
                r.batchLatencySeconds(), peakHeap(), r.ringDegree(), r.securityBits(), r.parameters(), r.threads(),
                r.nttKernel(), r.macKernel(), r.maxLogitError(), r.activation(), r.mode(), r.answerSeconds(), r.rounds(),
                r.ciphertextsAnswered(), r.bytesSent(), r.bytesReceived(), r.handshakeBytes(), s,
                r.endToEndBatchLatencySeconds(), r.maskMode(), r.steadyEndToEndImagesPerSecond(), r.warmupSeconds(),
                r.warmupRounds(), r.complexBatches(), r.processCpuSeconds(), r.jitSeconds());
    }

    private String maskLabel(Mode mode) {
        if (mode == Mode.REMOTE) {
            return "server's";
        }
        return maskMode == MaskMode.PER_SLOT ? "per-slot" : "per-ciphertext";
    }

    private static CryptoNetsServer.SessionStats await(CompletableFuture<CryptoNetsServer.SessionStats> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new ClientAidedException("server failed: " + c, c);
        } catch (TimeoutException e) {
            return null;
        }
    }

    private static Executor daemonExecutor(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        };
    }

    private void checkImages(int images) {
        if (images < 1 || images > data.size()) {
            throw new IllegalArgumentException("images " + images + " out of range [1, " + data.size() + "]");
        }
    }

    /** The plaintext reference of the network the server runs, divisor of the last layer included. */
    private static final class ReferenceNetwork {
        private final Function<double[], double[]> forward;

        ReferenceNetwork(CryptoNetsWeights weights) {
            if (weights.activation() == Activation.SQUARE) {
                forward = EncryptedCryptoNets.build(weights)::forward;
            } else {
                forward = EncryptedCryptoNets.buildClientAided(weights)::forward;
            }
        }

        double[] forward(double[] image) {
            return forward.apply(image);
        }
    }

    /** @return the reference network's logits of the first {@code images} test images, in parallel */
    private double[][] referenceLogits(ReferenceNetwork reference, int images) {
        double[][] out = new double[images][];
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            pool.submit(() -> java.util.stream.IntStream.range(0, images).parallel().forEach(i -> {
                double[] img = new double[CryptoNetsShape.INPUT_PIXELS];
                data.imageInto(i, img, 0);
                out[i] = reference.forward(img);
            })).join();
        } finally {
            pool.shutdown();
        }
        return out;
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
