package io.github.jckks.jmh;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.Primes;
import io.github.jckks.nn.MacKernel;
import io.github.jckks.nn.MacKernels;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * An A/B in one JVM of the multiply-accumulate kernel on 64-bit and on 32-bit input rows (the CryptoNets layers of
 * {@link LayerMacBenchmark} at N = 8192): the two widths alternate, 3 calls each per round, thread CPU time; prints
 * each width's median call, its rate, and the median over rounds of the per-round time ratio (64-bit / 32-bit), so
 * that the host's phases, which move both widths alike, cancel out. Checks that both widths give the same sums.
 * Usage: {@code java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar
 * io.github.jckks.jmh.MacRowWidthAB [rounds=30] [bits=24] [sparse|dense]}.
 */
public final class MacRowWidthAB {
    private MacRowWidthAB() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int bits = args.length > 1 ? Integer.parseInt(args[1]) : 24;
        boolean dense = args.length > 2 && args[2].equals("dense");
        int n = LayerMacBenchmark.N;
        Modulus q = new Modulus(Primes.nttPrimes(bits, 13, 1, List.of())[0]);
        MacKernel mac = MacKernels.vector().orElseThrow(() -> new IllegalStateException(
                "the vector MAC kernel is unavailable: start the JVM with --add-modules jdk.incubator.vector"));
        SplittableRandom r = new SplittableRandom(1);
        int nIn = dense ? LayerMacBenchmark.IN : LayerMacBenchmark.IMAGE * LayerMacBenchmark.IMAGE;
        int nOut = dense ? LayerMacBenchmark.OUT : 845;
        long[][] in64 = new long[nIn][n];
        int[][] in32 = new int[nIn][n];
        for (int i = 0; i < nIn; i++) {
            for (int k = 0; k < n; k++) {
                in64[i][k] = r.nextLong(q.value());
                in32[i][k] = (int) in64[i][k];
            }
        }
        int[][] idx = new int[nOut][25];
        long[][] w = new long[nOut][dense ? nIn : 25];
        long[][] filters = new long[5][25];
        for (long[] f : filters) {
            for (int t = 0; t < 25; t++) {
                f[t] = r.nextLong(q.value());
            }
        }
        for (int o = 0; o < nOut; o++) {
            for (int t = 0; t < w[o].length; t++) {
                w[o][t] = dense ? r.nextLong(q.value()) : filters[o / 169][t];
            }
        }
        for (int m = 0, o = 0; !dense && m < 5; m++) {
            for (int y = 0; y < 13; y++) {
                for (int x = 0; x < 13; x++, o++) {
                    for (int dy = 0, t = 0; dy < 5; dy++) {
                        for (int dx = 0; dx < 5; dx++, t++) {
                            idx[o][t] = Math.min(2 * y + dy, 27) * 28 + Math.min(2 * x + dx, 27);
                        }
                    }
                }
            }
        }
        long[][] out64 = new long[nOut][n];
        long[][] out32 = new long[nOut][n];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] ratio = new double[rounds];
        double[] t64 = new double[rounds];
        double[] t32 = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            long a = threads.getCurrentThreadCpuTime();
            for (int c = 0; c < 3; c++) {
                if (dense) {
                    mac.dense(in64, w, out64, n, q);
                } else {
                    mac.sparse(in64, idx, w, out64, n, q);
                }
            }
            long b = threads.getCurrentThreadCpuTime();
            for (int c = 0; c < 3; c++) {
                if (dense) {
                    mac.dense(in32, w, out32, n, q);
                } else {
                    mac.sparse(in32, idx, w, out32, n, q);
                }
            }
            long e = threads.getCurrentThreadCpuTime();
            t64[round] = (b - a) / 3e6;
            t32[round] = (e - b) / 3e6;
            ratio[round] = t64[round] / t32[round];
        }
        for (int o = 0; o < nOut; o++) {
            if (!Arrays.equals(out64[o], out32[o])) {
                throw new AssertionError("64- and 32-bit rows differ at output " + o);
            }
        }
        double macs = (double) nOut * w[0].length * n;
        Arrays.sort(ratio);
        Arrays.sort(t64);
        Arrays.sort(t32);
        System.out.printf(Locale.ROOT, "%s, %d-bit prime, %d rounds: 64-bit rows %.2f ms (%.2f x 10^9 MAC/s), 32-bit rows "
                        + "%.2f ms (%.2f x 10^9); time ratio 64/32 median %.3f (p25 %.3f, p75 %.3f)%n",
                dense ? "dense 845 -> 100" : "conv 5x5/2, 784 -> 845", q.bits(), rounds, t64[rounds / 2],
                macs / t64[rounds / 2] / 1e6, t32[rounds / 2], macs / t32[rounds / 2] / 1e6, ratio[rounds / 2],
                ratio[rounds / 4], ratio[3 * rounds / 4]);
    }
}
