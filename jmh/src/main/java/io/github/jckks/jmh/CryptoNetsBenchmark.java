package io.github.jckks.jmh;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.SecretKey;
import io.github.jckks.cryptonets.CryptoNetsClient;
import io.github.jckks.cryptonets.EncryptedCryptoNets;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.Sequential;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
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
 * One full batch of the CryptoNets (SQUARE) network on encrypted data, the measure of issue #5 and of the
 * paper (a batch of 4,096 images in 2.05 s): the shipped model, {@code CkksParameters.cryptoNets()} (N = 8192,
 * 128-bit), a batch that fills the slots (8,192 images complex-packed, 4,096 real-packed), on a pool of
 * {@code threads} threads. {@code serverBatch} times the server: the encrypted network on the 784 input
 * ciphertexts; {@code endToEndBatch} adds the client: encrypting the 784 columns and decrypting the 10 outputs
 * (one process, no serialization). Images per second = batch size / the time per operation. Pixel values are
 * random in [0, 1] (the time does not depend on them; accuracy is the program's business, see
 * mnist-cryptonets/README.md). Single-shot iterations, one batch each (2-5 s); quote the median of the
 * iterations. Run: {@code java --add-modules jdk.incubator.vector -jar jmh/target/benchmarks.jar CryptoNetsBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6)
@Measurement(iterations = 7)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms8g", "-Xmx8g", "-Xmn2g",
    "-XX:+UseParallelGC", "-XX:-UseAdaptiveSizePolicy", "-XX:+UseTransparentHugePages"})
public class CryptoNetsBenchmark {
    @Param({"complex", "real"})
    public String packing;

    @Param({"2"})
    public int threads;

    private CkksParameters params;
    private CkksContext ctx;
    private SecretKey sk;
    private CkksEncoder encoder;
    private Decryptor decryptor;
    private ForkJoinPool pool;
    private EncryptedRuntime runtime;
    private Sequential net;
    private double[][] columns;
    private Ciphertext[] encrypted;
    private Ciphertext[] input;
    private final ThreadLocal<Encryptor> encryptors = new ThreadLocal<>();

    @Setup(Level.Trial)
    public void setup() {
        Packing p = Packing.valueOf(packing.toUpperCase(java.util.Locale.ROOT));
        CryptoNetsWeights weights = CryptoNetsWeights.loadBundled(Activation.SQUARE);
        params = EncryptedCryptoNets.parameters(Activation.SQUARE);
        ctx = new CkksContext(params);
        KeyGenerator kg = new KeyGenerator(ctx);
        sk = kg.secretKey();
        encoder = new CkksEncoder(ctx);
        decryptor = new Decryptor(ctx, sk);
        pool = new ForkJoinPool(threads);
        runtime = new EncryptedRuntime(new Evaluator(ctx, kg.evaluationKeys(true, p == Packing.COMPLEX)), MacKernels.get(),
                pool, p);
        net = EncryptedCryptoNets.build(weights);
        int batch = p.imagesPerCiphertext(params.slots());
        SplittableRandom r = new SplittableRandom(1);
        columns = new double[net.inputSize()][batch];
        for (double[] c : columns) {
            for (int i = 0; i < batch; i++) {
                c[i] = r.nextDouble();
            }
        }
        encrypted = encrypt();
    }

    /** The client's encryption of the batch: one column (pixel p of every image) per ciphertext, in parallel. */
    private Ciphertext[] encrypt() {
        Ciphertext[] x = new Ciphertext[columns.length];
        EncryptedRuntime.parallelFor(pool, columns.length, k -> {
            Encryptor e = encryptors.get();
            if (e == null) { // Encryptor owns a PRNG: one per thread
                e = new Encryptor(ctx, sk);
                encryptors.set(e);
            }
            x[k] = CryptoNetsClient.encryptColumn(e, encoder, params, columns[k]);
        });
        return x;
    }

    /** The network consumes its input: every invocation gets a fresh copy (not timed). */
    @Setup(Level.Invocation)
    public void copyInput() {
        input = new Ciphertext[encrypted.length];
        EncryptedRuntime.parallelFor(pool, encrypted.length, k -> input[k] = encrypted[k].copy());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
    }

    /** The server's work on one batch: the encrypted network (conv, squares, dense layers, relinearizations). */
    @Benchmark
    public Ciphertext[] serverBatch() {
        return net.forward(input, runtime);
    }

    /** Client encryption of the batch, the server's network, and the client's decryption of the 10 outputs. */
    @Benchmark
    public double[][] endToEndBatch() {
        Ciphertext[] out = net.forward(encrypt(), runtime);
        double[][] logits = new double[out.length][];
        EncryptedRuntime.parallelFor(pool, out.length, k -> logits[k] = encoder.decodeComplex(decryptor.decrypt(out[k]))[0]);
        return logits;
    }
}
