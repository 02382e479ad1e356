package io.github.jckks.jmh;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.NttKernel;
import io.github.jckks.math.NttKernels;
import io.github.jckks.math.NttTables;
import io.github.jckks.math.Primes;
import java.util.List;
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
 * One negacyclic NTT of one limb (N = 2<sup>logN</sup> residues modulo one prime of {@code bits} bits), forward
 * and inverse, with the scalar or the Vector API kernel. The limb is transformed in place over and over (the
 * output of either transform is a valid, fully reduced input), so nothing is allocated or copied in the
 * measured method. The vector kernel hands primes it does not support to the scalar kernel, so
 * (kernel = vector, bits = 60) measures the fallback. Run e.g.
 * {@code java --add-modules jdk.incubator.vector -jar jmh/target/benchmarks.jar NttBenchmark.forward -p logN=13,14}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class NttBenchmark {
    @Param({"12", "13", "14", "15", "16"})
    public int logN;

    @Param({"30", "50", "60"})
    public int bits;

    @Param({"scalar", "vector"})
    public String kernel;

    private NttKernel ntt;
    private NttTables tables;
    private long[] a;

    @Setup
    public void setup() {
        ntt = NttKernels.byName(kernel);
        long q = Primes.nttPrimes(bits, logN, 1, List.of())[0];
        tables = new NttTables(new Modulus(q), logN);
        SplittableRandom random = new SplittableRandom(42);
        a = new long[1 << logN];
        for (int j = 0; j < a.length; j++) {
            a[j] = random.nextLong(q);
        }
        // build lazily computed tables outside the measurement
        ntt.forward(a, tables);
        ntt.inverse(a, tables);
    }

    /** Forward NTT of one limb, in place. */
    @Benchmark
    public long[] forward() {
        ntt.forward(a, tables);
        return a;
    }

    /** Inverse NTT of one limb, in place (including the factor 1/N). */
    @Benchmark
    public long[] inverse() {
        ntt.inverse(a, tables);
        return a;
    }
}
