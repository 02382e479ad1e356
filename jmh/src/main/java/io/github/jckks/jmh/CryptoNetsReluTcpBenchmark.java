package io.github.jckks.jmh;

import io.github.jckks.cryptonets.CryptoNetsClient;
import io.github.jckks.cryptonets.CryptoNetsServer;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.clientaided.MaskMode;
import io.github.jckks.nn.clientaided.MaskingConfig;
import io.github.jckks.nn.clientaided.TcpTransport;
import io.github.jckks.nn.clientaided.TransportLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
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
 * One full batch of the CryptoNets-ReLU network end to end over loopback TCP, issue #5's measure for that network:
 * the client encrypts a batch of random images (784 ciphertexts), the server runs conv, the masked client-aided ReLU
 * rounds (the client decrypts, applies ReLU and encrypts fresh), dense layers, and the client decrypts the 10 logits;
 * every message is serialized, framed, sent, parsed. Client and server are in this JVM, each with a pool of
 * {@code threads} (they share the machine's cores, as {@code bin/cryptonets --mode tcp} runs them), in one session
 * opened at set-up. Masks per ciphertext (folded into the weights); {@code packing} coefficient (N = 2048, one 30-bit
 * prime, no rescale) or complex (N = 2048, primes {30, 24}), both 2,048 images a batch. Images per second = 2,048 /
 * the time per operation; quote the median of the single-shot iterations. The JVM is given the launcher's
 * {@code -XX:CompileThresholdScaling=0.25}.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar jmh/target/benchmarks.jar CryptoNetsReluTcpBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 25)
@Measurement(iterations = 15)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms4g", "-Xmx4g", "-Xmn1g",
    "-XX:+UseParallelGC", "-XX:-UseAdaptiveSizePolicy", "-XX:CompileThresholdScaling=0.25"})
public class CryptoNetsReluTcpBenchmark {
    @Param({"coefficient", "complex"})
    public String packing;

    @Param({"2"})
    public int threads;

    private ForkJoinPool serverPool;
    private ForkJoinPool clientPool;
    private CryptoNetsServer.Listener listener;
    private CryptoNetsClient.Session session;
    private double[][] columns;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Packing p = Packing.valueOf(packing.toUpperCase(Locale.ROOT));
        MaskingConfig masking = MaskingConfig.defaults().withMode(MaskMode.PER_CIPHERTEXT);
        serverPool = new ForkJoinPool(threads);
        clientPool = new ForkJoinPool(threads);
        CryptoNetsServer server = new CryptoNetsServer(CryptoNetsWeights.loadBundled(Activation.RELU), masking,
                serverPool, p);
        CryptoNetsClient client = new CryptoNetsClient(Activation.RELU, MaskMode.PER_CIPHERTEXT, clientPool, p);
        TransportLimits limits = TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(600));
        InetAddress loopback = InetAddress.getLoopbackAddress();
        listener = server.listen(loopback, 0, 1, limits, (peer, stats, sent, received, failure) -> { });
        session = client.open(TcpTransport.connect(loopback.getHostAddress(), listener.port(), client.context(), limits,
                clientPool, Duration.ofSeconds(10)));
        int batch = client.batchSize();
        SplittableRandom r = new SplittableRandom(1);
        columns = new double[784][batch];
        for (double[] c : columns) {
            for (int i = 0; i < batch; i++) {
                c[i] = r.nextDouble();
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        listener.close();
        serverPool.shutdown();
        clientPool.shutdown();
    }

    /** One batch of 2,048 images end to end: encryption, the server's network with its two rounds, decryption. */
    @Benchmark
    public CryptoNetsClient.Batch endToEndBatch() {
        return session.infer(columns);
    }
}
