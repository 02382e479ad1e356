package io.github.jckks.jmh;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CoefficientEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.cryptonets.EncryptedCryptoNets;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.clientaided.ActivationChannel;
import io.github.jckks.nn.clientaided.MaskMode;
import io.github.jckks.nn.clientaided.ClientAidedModel;
import io.github.jckks.nn.clientaided.MaskedReluOracle;
import io.github.jckks.nn.clientaided.MaskingConfig;
import io.github.jckks.nn.clientaided.Message;
import io.github.jckks.nn.clientaided.MessageCodec;
import io.github.jckks.nn.clientaided.MessageKind;
import io.github.jckks.nn.clientaided.Rerandomizer;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * One masked client-aided ReLU round on a batch of {@code K} ciphertexts, both roles in one process and on one
 * thread of control: {@link MaskedReluOracle#relu} (the server's side, as {@code ClientAidedServer} runs it)
 * with an {@link ActivationChannel} that does the key holder's work in place of a transport:
 * <ol>
 * <li><b>server masking</b>: fresh factors r (per slot or per ciphertext, {@code mode}; log-uniform in [1/4, 4],
 * {@link MaskingConfig#defaults()}) and a permutation, x &middot; r, re-randomization with the client's public key
 * (a public-key encryption of zero), rescale;</li>
 * <li><b>client</b>: decrypt, ReLU on the real slots, fresh secret-key encryption at the top level (what
 * {@code ClientAidedClient} does on ACTIVATE), one ciphertext after another;</li>
 * <li><b>server unmasking</b>: un-permute, multiply by 1/r, rescale.</li>
 * </ol>
 * {@code mode=FOLDED} measures the round of per-ciphertext factors folded into the weights (mnist-cryptonets'
 * {@code --mask per-ciphertext}, N = 2048, data primes {30, 24}, no special prime): the inputs are a layer's unrescaled
 * sums at L (scale &Delta; q<sub>L</sub>), the server's part is the re-randomizing rescale that ends that layer
 * ({@link MaskedReluOracle#firstRescale}) and the shuffle; the client's answers at L go to the next layer as they are
 * (no unmasking). The printed split then shows the shuffle as masking. {@code mode=COEFFICIENT} is the folded round
 * under coefficient packing on one prime (mnist-cryptonets' {@code --packing coefficient}: N = 2048, one 30-bit prime,
 * scale 2<sup>11</sup>): the inputs are a layer's unrescaled sums at level 0 (scale about q<sub>0</sub>/512), the server
 * re-randomizes them modulo q<sub>0</sub> ({@link MaskedReluOracle#rerandomization}) instead of rescaling, and the client
 * decodes and encodes coefficients (no FFT). FOLDED and COEFFICIENT in one run compare the two rings' rounds per
 * ciphertext, i.e. per neuron of 2048 images.
 *
 * <p>With {@code codec=true} the request and the answer also go through the wire encoding ({@link MessageCodec}
 * encode and decode each way, as {@code InProcessTransport} with a context and the TCP transport do; no socket);
 * with {@code codec=false} (default) the ciphertexts are handed over as they are.
 *
 * <p>Parameters: those of the RELU CryptoNets network (mnist-cryptonets' {@code EncryptedCryptoNets.reluParameters()},
 * rebuilt here because this module does not depend on mnist-cryptonets): N = 4096 (2048 slots), data primes of
 * 30, 21, 21, 21 bits, a 16-bit special prime, scale 2<sup>21</sup>. The inputs are {@code K} two-part
 * ciphertexts at level 2 = L - 1, where the network's first ReLU meets the conv outputs: they are sent at level 1
 * and come back at level 3, the result is at level 2. The server's masking and unmasking run on a pool of
 * {@code threads} workers ({@code -p threads=2} to see the server parallelize; the client is sequential).
 *
 * <p>Run e.g.
 * <pre>java --add-modules jdk.incubator.vector -jar jmh/target/benchmarks.jar ClientAidedRoundBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1</pre>
 * <b>Reading the numbers:</b> the primary score is ms per round of K ciphertexts; the secondary score
 * {@code ClientAidedRoundBenchmark.round:ciphertext} is ms per ciphertext (the round's time / K). A ciphertext holds
 * one tensor element of 2048 images, so the round per ciphertext is the cost of one activation of one neuron for
 * 2048 images (the RELU CryptoNets network sends 845 + 100 ciphertexts per batch). At the end of the trial the
 * forked JVM prints the split of the measured rounds into server masking, client work (with the codec if on) and
 * server unmasking, per ciphertext, from the oracle's own timers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class ClientAidedRoundBenchmark {
    /** The level of the inputs: the top level minus the conv's rescale. */
    static final int INPUT_OFFSET = 1;

    @Param({"64"})
    public int K;

    /**
     * PER_SLOT or PER_CIPHERTEXT (a masked round: product, re-randomization, rescale; unmasking product and rescale;
     * N = 4096 parameters), or FOLDED (per-ciphertext factors folded into the weights, N = 2048 parameters without
     * special prime: the server's part is the re-randomizing rescale that ends the layer before the round, and no
     * unmasking; {@link MaskedReluOracle#reluOfMasked}), or COEFFICIENT (the folded round under coefficient packing on one
     * prime: re-randomization modulo q<sub>0</sub>, no rescale, no FFT for the client)
     */
    @Param({"PER_SLOT", "PER_CIPHERTEXT", "FOLDED", "COEFFICIENT"})
    public String mode;

    private boolean folded;
    private boolean coefficient;
    private java.util.function.Consumer<Ciphertext> firstRescale;
    private double[] ones;

    @Param({"false"})
    public boolean codec;

    @Param({"1"})
    public int threads;

    private ForkJoinPool pool;
    private CkksContext context;
    private MaskedReluOracle oracle;
    private Ciphertext[] input;
    private long[] atIterationStart = new long[4];
    private long[] measured = new long[4];
    private boolean measuring;

    /**
     * Secondary score {@code ciphertext}: ciphertexts through the round, so that in AverageTime mode JMH reports
     * the time per ciphertext (the round's time / K).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Ciphertexts {
        public long ciphertext;

        @Setup(Level.Iteration)
        public void reset() {
            ciphertext = 0;
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        coefficient = "COEFFICIENT".equals(mode);
        folded = coefficient || "FOLDED".equals(mode);
        MaskMode maskMode = folded ? MaskMode.PER_CIPHERTEXT : MaskMode.valueOf(mode);
        CkksParameters params = coefficient ? EncryptedCryptoNets.coefficientReluParameters()
                : folded ? EncryptedCryptoNets.foldedReluParameters() : EncryptedCryptoNets.reluParameters();
        context = new CkksContext(params);
        KeyGenerator keyGen = new KeyGenerator(context);
        // the client: decrypts, applies ReLU to the real slots, encrypts fresh at the top level (secret key)
        CkksEncoder clientEncoder = new CkksEncoder(context);
        CoefficientEncoder coefficients = new CoefficientEncoder(context);
        Decryptor decryptor = new Decryptor(context, keyGen.secretKey());
        Encryptor clientEncryptor = new Encryptor(context, keyGen.secretKey());
        int top = context.maxLevel();
        double scale = params.defaultScale();
        long[] roundId = {0};
        ActivationChannel channel = masked -> {
            long id = ++roundId[0];
            Ciphertext[] received = codec ? wire(Message.ciphertexts(MessageKind.ACTIVATE, id, masked)) : masked;
            Ciphertext[] answer = new Ciphertext[received.length];
            for (int k = 0; k < received.length; k++) {
                double[] v = coefficient ? coefficients.decode(decryptor.decrypt(received[k]))
                        : clientEncoder.decode(decryptor.decrypt(received[k]));
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.max(v[i], 0);
                }
                answer[k] = coefficient ? clientEncryptor.encrypt(coefficients, v, top, scale)
                        : clientEncryptor.encrypt(clientEncoder, v, top, scale);
            }
            return codec ? wire(Message.ciphertexts(MessageKind.ACTIVATED, id, answer)) : answer;
        };
        // the server: runtime without evaluation keys, re-randomization with the client's public key
        pool = new ForkJoinPool(threads);
        EncryptedRuntime runtime = new EncryptedRuntime(new Evaluator(context), MacKernels.get(), pool);
        MaskingConfig config = MaskingConfig.defaults().withMode(maskMode);
        Rerandomizer rerandomizer = new Rerandomizer(context, keyGen.publicKey(), config.floodingBits());
        oracle = new MaskedReluOracle(runtime, new CkksEncoder(context), config, rerandomizer, channel);
        // K pre-activations in [-4, 4] at level L - 1 (FOLDED: at L and scale delta q_L, as a layer's unrescaled sums)
        SplittableRandom random = new SplittableRandom(2026);
        double[][] values = new double[K][coefficient ? params.n() : params.slots()];
        // COEFFICIENT: the weight scale of an unrescaled layer, q0 / (2 * 256 * scale)
        double weightScale = context.ringQ().modulus(0).value() / (2 * ClientAidedModel.UNRESCALED_VALUE_BOUND * scale);
        input = new Ciphertext[K];
        Evaluator ev = runtime.evaluator();
        for (int j = 0; j < K; j++) {
            for (int i = 0; i < values[j].length; i++) {
                values[j][i] = random.nextDouble(-4, 4);
            }
            if (coefficient) {
                input[j] = clientEncryptor.encrypt(coefficients, values[j], top, scale);
                ev.multiplyScalarInPlace(input[j], 1.0, weightScale);
            } else if (folded) {
                input[j] = clientEncryptor.encrypt(clientEncoder, values[j], top, scale);
                ev.multiplyScalarInPlace(input[j], 1.0, ev.lastPrime(top));
            } else {
                input[j] = clientEncryptor.encrypt(clientEncoder, values[j], top - INPUT_OFFSET, scale);
            }
        }
        firstRescale = coefficient ? oracle.rerandomization() : oracle.firstRescale();
        ones = new double[K];
        java.util.Arrays.fill(ones, 1.0);
        // one round, checked against max(x, 0)
        Ciphertext[] out = runRound();
        int expectedLevel = folded ? top : top - 1;
        double err = 0;
        for (int j = 0; j < K; j++) {
            if (out[j].level() != expectedLevel) {
                throw new IllegalStateException("output at level " + out[j].level() + ", expected " + expectedLevel);
            }
            double[] got = coefficient ? coefficients.decode(decryptor.decrypt(out[j]))
                    : clientEncoder.decode(decryptor.decrypt(out[j]));
            for (int i = 0; i < got.length; i++) {
                err = Math.max(err, Math.abs(got[i] - Math.max(values[j][i], 0)));
            }
        }
        // expected up to about 1e-2 (1.06e-2 seen): the rescale before sending rounds r x by about 5e-4 (one sigma) at scale
        // 2^21, and unmasking multiplies that by 1/r <= 4
        if (!(err < 5e-2)) {
            throw new IllegalStateException("masked ReLU round, " + mode + ": max error " + err);
        }
        System.out.printf(Locale.ROOT, "%nmasked ReLU round, K = %d, %s: max error %.2e over %d values%n", K, mode, err,
                (long) K * params.slots());
    }

    /** Through the wire format and back, as a transport with a context does. */
    private Ciphertext[] wire(Message m) {
        return MessageCodec.decode(context, MessageCodec.encode(context, m), Math.max(K, 1)).ciphertexts();
    }

    private long[] timers() {
        return new long[] {oracle.maskNanos(), oracle.exchangeNanos(), oracle.unmaskNanos(), oracle.ciphertextsSent()};
    }

    @Setup(Level.Iteration)
    public void startIteration(IterationParams iteration) {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
        atIterationStart = timers();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        if (measuring) {
            long[] now = timers();
            for (int i = 0; i < now.length; i++) {
                measured[i] += now[i] - atIterationStart[i];
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
        long n = measured[3];
        if (n > 0) {
            System.out.printf(Locale.ROOT, "%nmeasured rounds, per ciphertext (K = %d, %s, codec %s, %d server threads): "
                    + "server masking %.3f ms, client%s %.3f ms, server unmasking %.3f ms%n", K, mode, codec, threads,
                    measured[0] / 1e6 / n, codec ? " + codec" : "", measured[1] / 1e6 / n, measured[2] / 1e6 / n);
        }
    }

    /** One masked ReLU round on the K inputs (which it copies, so they serve every call). */
    @Benchmark
    public Ciphertext[] round(Ciphertexts counter) {
        Ciphertext[] out = runRound();
        counter.ciphertext += out.length;
        return out;
    }

    /**
     * A masked round ({@link MaskedReluOracle#relu}, which copies its inputs), or a folded one: copies, the
     * re-randomizing rescale (COEFFICIENT: the re-randomization modulo q<sub>0</sub>) on the server's pool (timed as
     * masking), then {@link MaskedReluOracle#reluOfMasked}.
     */
    private Ciphertext[] runRound() {
        if (!folded) {
            return oracle.relu(input);
        }
        Ciphertext[] masked = new Ciphertext[K];
        EncryptedRuntime.parallelFor(pool, K, j -> {
            masked[j] = input[j].copy();
            firstRescale.accept(masked[j]);
        });
        return oracle.reluOfMasked(masked, ones);
    }
}
