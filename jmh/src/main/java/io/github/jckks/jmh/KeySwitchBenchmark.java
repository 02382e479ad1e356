package io.github.jckks.jmh;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.math.RnsPoly;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Key switching with the CryptoNets parameters ({@link CkksParameters#cryptoNets()}: N = 8192, data primes
 * {30, 25, 24, 25, 24, 25}, one 30-bit special prime, so one prime per digit), on a ciphertext at the level the
 * network's squares meet ({@code level}, default 4: five primes, five digits): {@code conjugate} (one key switch),
 * {@code relinearize} (one key switch on a three-part product), and the complex-packed square
 * ({@link Evaluator#squareComplexPackedInto}: one conjugation and one product) next to the real square it replaces
 * per two images ({@link Evaluator#squareInto}). One thread.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar jmh/target/benchmarks.jar KeySwitchBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KeySwitchBenchmark {
    @Param({"4"})
    public int level;

    private Evaluator evaluator;
    private Ciphertext fresh;
    private Ciphertext product;
    private RnsPoly[] out;

    @Setup
    public void setup() {
        CkksParameters params = CkksParameters.cryptoNets();
        CkksContext context = new CkksContext(params);
        KeyGenerator keyGen = new KeyGenerator(context);
        evaluator = new Evaluator(context, keyGen.evaluationKeys(true, true));
        CkksEncoder encoder = new CkksEncoder(context);
        SplittableRandom r = new SplittableRandom(1);
        double[] re = new double[params.slots()];
        double[] im = new double[params.slots()];
        for (int i = 0; i < re.length; i++) {
            re[i] = r.nextDouble(-1, 1);
            im[i] = r.nextDouble(-1, 1);
        }
        Encryptor encryptor = new Encryptor(context, keyGen.secretKey());
        fresh = encryptor.encrypt(encoder.encodeComplexPacked(re, im, level, params.defaultScale()));
        product = evaluator.square(fresh);
        out = new RnsPoly[3];
        for (int i = 0; i < 3; i++) {
            out[i] = context.ringQ().newPoly(level + 1, true);
        }
    }

    @Benchmark
    public Ciphertext conjugate() {
        return evaluator.conjugate(fresh);
    }

    @Benchmark
    public Ciphertext relinearize() {
        return evaluator.relinearize(product);
    }

    @Benchmark
    public Ciphertext squareComplexPacked() {
        return evaluator.squareComplexPackedInto(fresh, out);
    }

    @Benchmark
    public Ciphertext squareReal() {
        return evaluator.squareInto(fresh, out);
    }
}
