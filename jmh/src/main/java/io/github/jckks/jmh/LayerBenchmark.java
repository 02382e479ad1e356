package io.github.jckks.jmh;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.CompactCiphertext;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.LinearLayer;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.Packing;
import java.util.Arrays;
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

/**
 * Whole encrypted linear layers of nn-layers ({@link LinearLayer#forward(Ciphertext[], EncryptedRuntime)}) on
 * batch-packed ciphertexts (one ciphertext per tensor element, the batch along the slots) with the CryptoNets
 * parameters ({@link CkksParameters#cryptoNets()}: N = 8192, data primes {30, 24 x 5}, scale 2<sup>24</sup>):
 * <ul>
 * <li>{@code layer=conv}: the CryptoNets convolution, 1 x 28 x 28 -&gt; 5 x 13 x 13 (5 maps of 5 x 5, stride 2,
 * the input padded to 29 x 29 on the bottom and right as in mnist-cryptonets' {@code EncryptedCryptoNets.conv}:
 * {@code LinearLayer.conv2d(1, 28, 28, kernel, bias, 2, 0, 0, 1, 1, 1)}), on 784 fresh ciphertexts at the top
 * level 5 (six primes); 845 outputs of 16 to 25 taps (20,480 weights in all);</li>
 * <li>{@code layer=dense}: the dense layer 845 -&gt; 100 on 845 ciphertexts at level 4 (five primes); 100 outputs
 * of 845 weights. The inputs are <b>two-part</b> ciphertexts: in the square-activation CryptoNets they are
 * three-part unrelinearized squares, which makes the MAC pass (the bulk of the time) 1.5x longer and adds the
 * relinearization of the 100 outputs and a second rescale.</li>
 * </ul>
 * {@code rows}: the inputs as wide ciphertexts (64) or compact ones (32-bit residues, read in place by the kernel).
 * One measured operation is one whole layer: the scalar encoding of the weights at q<sub>l</sub>, the lazy
 * multiply-accumulate pass over every (part, prime) pair on the runtime's pool ({@code threads} workers, 1 or 2),
 * the bias (added to both packed batches under complex packing) and one rescale of every output. Weights, biases
 * and inputs are random with fixed seeds (weights are not zero, so no tap is skipped). {@code packing}: the
 * inputs are {@link Packing#REAL} (N/2 = 4096 images per ciphertext) or {@link Packing#COMPLEX} (8192 images: the
 * same work per layer, so half the time per image). No evaluation keys: linear layers need none (under complex
 * packing only the squares need the conjugation key).
 *
 * <p>The layer allocates its outputs from the runtime's {@link io.github.jckks.math.LimbPool}; the benchmark hands
 * them back after every call ({@link EncryptedRuntime#releaseAll}), so the pool recycles them and memory stays
 * bounded; the limb each rescale drops is garbage, as in a real network. {@code forward} reads its inputs and
 * never writes them, so the same inputs serve every call; the tear-down checks that they are intact, and the
 * set-up checks the decrypted outputs of two slots (of both batches under complex packing) against the
 * plaintext reference.
 *
 * <p>Run e.g.
 * <pre>java --add-modules jdk.incubator.vector -jar jmh/target/benchmarks.jar LayerBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1</pre>
 * ({@code -p layer=dense -p packing=REAL -p threads=1} to narrow it down). <b>Reading the numbers:</b> the primary
 * score is ms per layer (per batch of 4096 or 8192 images); the secondary score {@code LayerBenchmark.forward:element}
 * is ms per output element (the same time divided by 845 for conv, 100 for dense). Per image: divide the layer
 * time by 4096 (REAL) or 8192 (COMPLEX). The set-up encrypts about 800 ciphertexts (several seconds) and the
 * inputs and outputs take about 1.3 GB, hence {@code -Xmx6g}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
public class LayerBenchmark {
    static final int SIDE = 28;
    static final int MAPS = 5;
    static final int KERNEL = 5;
    static final int STRIDE = 2;
    static final int HIDDEN = 100;
    /** The level of the dense layer's inputs in CryptoNets: the conv rescales once (5 -&gt; 4), the square not at all. */
    static final int DENSE_LEVEL = 4;

    @Param({"conv", "dense"})
    public String layer;

    @Param({"REAL", "COMPLEX"})
    public Packing packing;

    @Param({"1", "2"})
    public int threads;

    /**
     * The inputs' residue width: 64 (wide ciphertexts) or 32 ({@link CompactCiphertext}: how a network holds waiting or
     * received tensors, summed in place by the first linear layer).
     */
    @Param({"64", "32"})
    public int rows;

    private CompactCiphertext[] compactInput;

    private ForkJoinPool pool;
    private EncryptedRuntime runtime;
    private LinearLayer linear;
    private Ciphertext[] input;
    private long inputChecksum;
    private static final Ciphertext[] NONE = new Ciphertext[0];

    /**
     * Secondary score {@code element}: output elements computed, so that in AverageTime mode JMH reports the
     * time per output element (the layer's time divided by its 845 or 100 outputs).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Elements {
        public long element;

        @Setup(Level.Iteration)
        public void reset() {
            element = 0;
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        CkksParameters params = CkksParameters.cryptoNets();
        CkksContext context = new CkksContext(params);
        KeyGenerator keyGen = new KeyGenerator(context);
        CkksEncoder encoder = new CkksEncoder(context);
        Encryptor encryptor = new Encryptor(context, keyGen.secretKey());
        pool = new ForkJoinPool(threads);
        runtime = new EncryptedRuntime(new Evaluator(context), MacKernels.get(), pool, packing);
        SplittableRandom random = new SplittableRandom(2026);
        int level;
        switch (layer) {
            case "conv" -> {
                double[][][][] kernel = new double[MAPS][1][KERNEL][KERNEL];
                for (double[][][] map : kernel) {
                    for (double[] row : map[0]) {
                        fill(random, row, 0.5);
                    }
                }
                double[] bias = fill(random, new double[MAPS], 0.5);
                linear = LinearLayer.conv2d(1, SIDE, SIDE, kernel, bias, STRIDE, 0, 0, 1, 1, 1);
                level = context.maxLevel();
            }
            case "dense" -> {
                int in = MAPS * 13 * 13;
                double[][] w = new double[HIDDEN][in];
                for (double[] row : w) {
                    fill(random, row, 0.05);
                }
                linear = LinearLayer.dense(w, fill(random, new double[HIDDEN], 0.5));
                level = DENSE_LEVEL;
            }
            default -> throw new IllegalArgumentException("layer " + layer + ": conv or dense");
        }
        int slots = params.slots();
        int inputs = linear.inputSize();
        // values[e] = the slot values of input element e (re, then im under complex packing)
        double[][] re = new double[inputs][];
        double[][] im = packing == Packing.COMPLEX ? new double[inputs][] : null;
        input = new Ciphertext[inputs];
        for (int e = 0; e < inputs; e++) {
            re[e] = fill(random, new double[slots], 1);
            if (im != null) {
                im[e] = fill(random, new double[slots], 1);
            }
            input[e] = encryptor.encrypt(encoder, re[e], im == null ? null : im[e], level, params.defaultScale());
        }
        inputChecksum = checksum(input);
        compactInput = new CompactCiphertext[input.length];
        for (int e = 0; e < input.length; e++) {
            compactInput[e] = CompactCiphertext.of(context, input[e]);
        }
        // One call: warms nothing up in particular, but checks that the benchmark computes the layer (on the inputs
        // of the chosen width: 32-bit rows give the same outputs)
        Ciphertext[] out = rows == 32 ? linear.forward(compactInput, runtime) : linear.forward(input, runtime);
        Decryptor decryptor = new Decryptor(context, keyGen.secretKey());
        double[][][] decoded = new double[out.length][][];
        for (int o = 0; o < out.length; o++) {
            decoded[o] = encoder.decodeComplex(decryptor.decrypt(out[o]));
        }
        double err = 0;
        for (int slot : new int[] {0, slots - 1}) {
            for (int part = 0; part < (im == null ? 1 : 2); part++) {
                double[][] values = part == 0 ? re : im;
                double[] x = new double[inputs];
                for (int e = 0; e < inputs; e++) {
                    x[e] = values[e][slot];
                }
                double[] expected = linear.forward(x);
                for (int o = 0; o < expected.length; o++) {
                    err = Math.max(err, Math.abs(expected[o] - decoded[o][part][slot]));
                }
            }
        }
        if (!(err < 1e-2)) {
            throw new IllegalStateException(linear.describe() + ", " + packing + ": max error " + err);
        }
        runtime.releaseAll(out, NONE);
    }

    private static double[] fill(SplittableRandom random, double[] a, double bound) {
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextDouble(-bound, bound);
        }
        return a;
    }

    /** A checksum of every residue of every input, to check that the layer leaves its inputs alone. */
    private static long checksum(Ciphertext[] cts) {
        long h = 0;
        for (Ciphertext c : cts) {
            for (int p = 0; p < c.size(); p++) {
                for (int l = 0; l < c.part(p).limbCount(); l++) {
                    h = 31 * h + Arrays.hashCode(c.part(p).limb(l));
                }
            }
        }
        return h;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
        if (checksum(input) != inputChecksum) {
            throw new IllegalStateException("the layer changed its inputs");
        }
    }

    /**
     * One encrypted layer on the whole batch; the outputs go back to the limb pool. Returns the output count (the
     * outputs are consumed by the release, which JMH cannot see: the work writes to heap arrays that stay
     * reachable from the pool, so it is not dead code).
     */
    @Benchmark
    public int forward(Elements counter) {
        Ciphertext[] out = rows == 32 ? linear.forward(compactInput, runtime) : linear.forward(input, runtime);
        int n = out.length;
        runtime.releaseAll(out, NONE);
        counter.element += n;
        return n;
    }
}
