package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.nn.clientaided.ClientAidedClient;
import io.github.jckks.nn.clientaided.ClientAidedModel;
import io.github.jckks.nn.clientaided.ClientAidedServer;
import io.github.jckks.nn.clientaided.InProcessRunner;
import io.github.jckks.nn.clientaided.MaskingConfig;
import io.github.jckks.nn.clientaided.TransportLimits;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

/**
 * Gets the JIT compiling before the first real batch: runs a network end to end (encode, encrypt, every layer,
 * decrypt) on random data in a small ring (N = 1024) whose primes have the bit sizes of the real parameters, so
 * that the same methods, kernels and code paths run hot (the Vector API kernels are only fast once C2 has compiled
 * them; interpreted or C1-compiled, they allocate every vector). The small ring is below 128-bit security, which
 * is harmless: its keys are thrown away and it never sees real data. A long-running server does this once at
 * start; a run that reports throughput does it before timing and reports its duration separately. Costs about
 * as much as one real batch of a cold JVM and saves most of the first batch's slowdown.
 */
public final class JitWarmUp {
    private static final int WARM_LOG_N = 10;

    private JitWarmUp() {
    }

    /**
     * What a warm-up did.
     *
     * @param seconds wall time
     * @param rounds  runs of the network
     * @param settled whether the JIT compilers went quiet (else the time limit ended it)
     */
    public record Result(double seconds, int rounds, boolean settled) {
    }

    /**
     * Runs the network until the JIT compilers go quiet: at least two rounds, then until two consecutive rounds
     * during which the compilers worked less than a tenth of the round's wall time (HotSpot's compilation-time
     * counter), or until {@code maxSeconds}. On these 2-core machines C2 keeps compiling and recompiling the Vector
     * API kernels for 10-15 s, taking up to half a core from the first real batches if they start earlier.
     *
     * @param net        the network to warm up
     * @param params     the real parameters (their prime sizes, scale and digit size are copied)
     * @param packing    the packing the real batches use
     * @param pool       the pool the real batches run on
     * @param maxSeconds the longest warm-up
     * @return how long it took and how many rounds it ran
     */
    public static Result run(Sequential net, CkksParameters params, Packing packing, ForkJoinPool pool, double maxSeconds) {
        long t0 = System.nanoTime();
        CkksParameters small = small(params);
        CkksContext ctx = new CkksContext(small);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder encoder = new CkksEncoder(ctx);
        Decryptor decryptor = new Decryptor(ctx, kg.secretKey());
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx, kg.evaluationKeys(true, packing == Packing.COMPLEX)),
                MacKernels.get(), pool, packing);
        ThreadLocal<Encryptor> encryptors = ThreadLocal.withInitial(() -> new Encryptor(ctx, kg.secretKey()));
        int slots = small.slots();
        return untilQuiet(t0, maxSeconds, round -> {
            Ciphertext[] in = new Ciphertext[net.inputSize()];
            rt.parallelFor(in.length, p -> {
                SplittableRandom r = new SplittableRandom(round * 1_000_003L + p);
                double[] re = r.doubles(slots, 0, 1).toArray();
                double[] im = packing == Packing.COMPLEX ? r.doubles(slots, 0, 1).toArray() : null;
                in[p] = encryptors.get().encrypt(encoder, re, im, small.maxLevel(), small.defaultScale());
            });
            Ciphertext[] out = net.forward(in, rt);
            for (Ciphertext c : out) {
                encoder.decodeComplex(decryptor.decrypt(c));
            }
        });
    }

    /**
     * The same for a network with masked client-aided activations: a {@link ClientAidedServer} and a
     * {@link ClientAidedClient} with fresh keys in the small ring, in one process over the wire encoding
     * ({@link InProcessRunner}), one batch of random images per run.
     *
     * @param model      the network
     * @param params     the real parameters (their prime sizes, scale and digit size are copied)
     * @param masking    the server's masking
     * @param pool       the server's pool
     * @param maxSeconds the longest warm-up
     * @return how long it took and how many rounds it ran
     */
    public static Result runClientAided(ClientAidedModel model, CkksParameters params, MaskingConfig masking,
                                        ForkJoinPool pool, double maxSeconds) {
        return runClientAided(model, params, masking, Packing.REAL, pool, maxSeconds);
    }

    /**
     * {@link #runClientAided(ClientAidedModel, CkksParameters, MaskingConfig, ForkJoinPool, double)} with batches packed
     * as {@code packing} (a full batch each: N/2 images real-packed, N otherwise).
     */
    public static Result runClientAided(ClientAidedModel model, CkksParameters params, MaskingConfig masking,
                                        Packing packing, ForkJoinPool pool, double maxSeconds) {
        long t0 = System.nanoTime();
        CkksContext ctx = new CkksContext(small(params));
        ClientAidedServer server = new ClientAidedServer(ctx, model, masking, pool);
        ClientAidedClient client = ClientAidedClient.withFreshKeys(ctx);
        int batch = packing.imagesPerCiphertext(ctx.parameters().slots());
        return untilQuiet(t0, maxSeconds, round -> {
            SplittableRandom r = new SplittableRandom(round);
            double[][] images = new double[batch][];
            for (int i = 0; i < batch; i++) {
                images[i] = r.doubles(model.inputSize(), 0, 1).toArray();
            }
            InProcessRunner.infer(server, client, images, TransportLimits.defaults(), packing);
        });
    }

    private static CkksParameters small(CkksParameters params) {
        return CkksParameters.builder().logN(Math.min(WARM_LOG_N, params.logN()))
                .dataPrimeBits(bits(params.dataPrimes())).specialPrimeBits(bits(params.specialPrimes()))
                .digitPrimeCounts(params.digitPrimeCounts()).scale(params.defaultScale()).insecureForTestsOnly().build();
    }

    /** Runs rounds until two consecutive ones saw the compilers work less than a tenth of their wall time. */
    private static Result untilQuiet(long t0, double maxSeconds, java.util.function.IntConsumer round) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean monitored = jit != null && jit.isCompilationTimeMonitoringSupported();
        int quiet = 0;
        int rounds = 0;
        while (true) {
            long r0 = System.nanoTime();
            long c0 = monitored ? jit.getTotalCompilationTime() : 0;
            round.accept(rounds);
            rounds++;
            double wallMs = (System.nanoTime() - r0) / 1e6;
            double compileMs = monitored ? jit.getTotalCompilationTime() - c0 : 0;
            quiet = compileMs < 0.1 * wallMs ? quiet + 1 : 0;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            boolean settled = rounds >= 2 && (monitored ? quiet >= 2 : rounds >= 8);
            if (settled || elapsed >= maxSeconds) {
                return new Result(elapsed, rounds, settled);
            }
        }
    }

    private static int[] bits(long[] primes) {
        int[] b = new int[primes.length];
        for (int i = 0; i < primes.length; i++) {
            b[i] = 64 - Long.numberOfLeadingZeros(primes[i]);
        }
        return b;
    }
}
