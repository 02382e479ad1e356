package io.github.jckks.jmh;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.Primes;
import io.github.jckks.nn.MacKernel;
import io.github.jckks.nn.MacKernels;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The multiply-accumulate kernels of the CryptoNets linear layers on batch-packed ciphertexts, for one
 * ciphertext part and one prime (N = 8192 slots): the dense layer 845 -&gt; 100 ({@code dense}: 845 x 100
 * weights, 692,224,000 multiply-accumulates per call) and the 5 x 5 stride-2 convolution 28 x 28 -&gt; 5 x 13 x 13
 * as a sparse layer 784 -&gt; 845 with 25 taps per output ({@code sparse}: taps in the padding get weight 0;
 * 173,056,000 multiply-accumulates per call), and that convolution for a 24-bit and then a 30-bit prime
 * ({@code sparseMixed}, 346,112,000 multiply-accumulates per call, whatever {@code bits} says), as a CryptoNets layer
 * meets them: kernels that see several primes in one JVM must stay as fast and allocation-free as with one. The
 * primary score is layer calls per second; the secondary scores {@code macs} and {@code cpuMacs} are
 * multiply-accumulates (weights x slots) per second of wall-clock and of CPU time (see {@link Macs}).
 * {@code rows} = 64 reads the inputs as 64-bit limbs ({@code RnsPoly}), 32 as 32-bit ones ({@code CompactRnsPoly}, as a
 * network holds the ciphertexts it receives): the same results, half the input bytes.
 * Single-threaded: per-core numbers. Run e.g.
 * {@code java --add-modules jdk.incubator.vector -jar jmh/target/benchmarks.jar LayerMacBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1}
 * (add {@code -prof gc} to see that neither kernel allocates).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class LayerMacBenchmark {
    static final int N = 8192;
    static final int IN = 845;
    static final int OUT = 100;
    static final int IMAGE = 28;
    static final int CHANNELS = 5;
    static final int GRID = 13;
    static final int KERNEL = 5;
    static final int STRIDE = 2;

    @Param({"scalar", "vector"})
    public String kernel;

    @Param({"24", "30"})
    public int bits;

    /** The width of the input rows' residues: 64 (long[] limbs) or 32 (int[] limbs). */
    @Param({"64", "32"})
    public int rows;

    private MacKernel mac;
    private Modulus q;
    private long[][] denseIn;
    private long[][] denseW;
    private long[][] denseOut;
    private long[][] convIn;
    private int[][] convIdx;
    private long[][] convW;
    private long[][] convOut;
    private Modulus q24;
    private Modulus q30;
    private long[][] convIn24;
    private long[][] convW24;
    private long[][] convIn30;
    private long[][] convW30;
    private int[][] denseIn32;
    private int[][] convIn32;
    private int[][] convIn24x32;
    private int[][] convIn30x32;

    /**
     * Secondary scores: {@code macs}, multiply-accumulates (weights x slots) per second of wall-clock time, and
     * {@code cpuMacs}, multiply-accumulates per second of this thread's CPU time (each call's count scaled by its
     * wall / CPU time ratio, so that JMH's per-wall-second rate becomes a per-CPU-second one): on a shared,
     * loaded machine the latter is the per-core figure, unaffected by time slicing (though not by the other
     * tenants' use of caches, memory bandwidth and the boost clock).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Macs {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        public long macs;
        public double cpuMacs;
        private long wall;
        private long cpu;

        @Setup(Level.Iteration)
        public void reset() {
            macs = 0;
            cpuMacs = 0;
        }

        void start() {
            wall = System.nanoTime();
            cpu = THREADS.getCurrentThreadCpuTime();
        }

        void stop(long count) {
            long cpuTime = THREADS.getCurrentThreadCpuTime() - cpu;
            long wallTime = System.nanoTime() - wall;
            macs += count;
            cpuMacs += cpuTime > 0 ? (double) count * wallTime / cpuTime : count;
        }
    }

    @Setup
    public void setup() {
        mac = MacKernels.byName(kernel);
        q = new Modulus(Primes.nttPrimes(bits, 13, 1, List.of())[0]);
        SplittableRandom random = new SplittableRandom(7);
        denseIn = residues(random, IN, N);
        denseW = residues(random, OUT, IN);
        denseOut = new long[OUT][N];
        convIn = residues(random, IMAGE * IMAGE, N);
        convIdx = new int[CHANNELS * GRID * GRID][KERNEL * KERNEL];
        convW = new long[CHANNELS * GRID * GRID][KERNEL * KERNEL];
        long[][] filters = residues(random, CHANNELS, KERNEL * KERNEL);
        for (int c = 0, o = 0; c < CHANNELS; c++) {
            for (int i = 0; i < GRID; i++) {
                for (int j = 0; j < GRID; j++, o++) {
                    for (int di = 0, t = 0; di < KERNEL; di++) {
                        for (int dj = 0; dj < KERNEL; dj++, t++) {
                            int r = STRIDE * i + di;
                            int s = STRIDE * j + dj;
                            boolean inside = r < IMAGE && s < IMAGE; // the 29th row and column are padding
                            convIdx[o][t] = Math.min(r, IMAGE - 1) * IMAGE + Math.min(s, IMAGE - 1);
                            convW[o][t] = inside ? filters[c][t] : 0;
                        }
                    }
                }
            }
        }
        convOut = new long[convIdx.length][N];
        q24 = new Modulus(Primes.nttPrimes(24, 13, 1, List.of())[0]);
        q30 = new Modulus(Primes.nttPrimes(30, 13, 1, List.of())[0]);
        convIn24 = reduced(convIn, q24);
        convW24 = reduced(convW, q24);
        convIn30 = reduced(convIn, q30);
        convW30 = reduced(convW, q30);
        if (rows != 64 && rows != 32) {
            throw new IllegalArgumentException("rows must be 64 or 32, got " + rows);
        }
        denseIn32 = ints(denseIn);
        convIn32 = ints(convIn);
        convIn24x32 = ints(convIn24);
        convIn30x32 = ints(convIn30);
    }

    /** @return the residues (below 2^31) as ints, as a CompactRnsPoly holds them */
    private static int[][] ints(long[][] m) {
        int[][] r = new int[m.length][];
        for (int i = 0; i < m.length; i++) {
            r[i] = new int[m[i].length];
            for (int k = 0; k < r[i].length; k++) {
                r[i][k] = Math.toIntExact(m[i][k]);
            }
        }
        return r;
    }

    /** @return the residues of m modulo p (for the mixed-prime benchmark: the same layer for another prime) */
    private static long[][] reduced(long[][] m, Modulus p) {
        long[][] r = new long[m.length][];
        for (int i = 0; i < m.length; i++) {
            r[i] = m[i].clone();
            for (int k = 0; k < r[i].length; k++) {
                r[i][k] %= p.value();
            }
        }
        return r;
    }

    private long[][] residues(SplittableRandom random, int rows, int cols) {
        long[][] m = new long[rows][cols];
        for (long[] row : m) {
            for (int k = 0; k < cols; k++) {
                row[k] = random.nextLong(q.value());
            }
        }
        return m;
    }

    /** The dense layer 845 -&gt; 100 at N = 8192: 845 x 100 x 8192 multiply-accumulates. */
    @Benchmark
    public long[][] dense(Macs counter) {
        counter.start();
        if (rows == 32) {
            mac.dense(denseIn32, denseW, denseOut, N, q);
        } else {
            mac.dense(denseIn, denseW, denseOut, N, q);
        }
        counter.stop((long) IN * OUT * N);
        return denseOut;
    }

    /** The convolution as a sparse layer 784 -&gt; 845, 25 taps, at N = 8192: 845 x 25 x 8192 multiply-accumulates. */
    @Benchmark
    public long[][] sparse(Macs counter) {
        counter.start();
        if (rows == 32) {
            mac.sparse(convIn32, convIdx, convW, convOut, N, q);
        } else {
            mac.sparse(convIn, convIdx, convW, convOut, N, q);
        }
        counter.stop((long) convIdx.length * KERNEL * KERNEL * N);
        return convOut;
    }

    /**
     * The convolution for a 24-bit and then a 30-bit prime (CryptoNets' moduli alternate between the two):
     * 2 x 845 x 25 x 8192 multiply-accumulates per call, independent of {@code bits}.
     */
    @Benchmark
    public long[][] sparseMixed(Macs counter) {
        counter.start();
        if (rows == 32) {
            mac.sparse(convIn24x32, convIdx, convW24, convOut, N, q24);
            mac.sparse(convIn30x32, convIdx, convW30, convOut, N, q30);
        } else {
            mac.sparse(convIn24, convIdx, convW24, convOut, N, q24);
            mac.sparse(convIn30, convIdx, convW30, convOut, N, q30);
        }
        counter.stop(2L * convIdx.length * KERNEL * KERNEL * N);
        return convOut;
    }
}
