package io.github.jckks.jmh;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.NttKernel;
import io.github.jckks.math.NttKernels;
import io.github.jckks.math.NttTables;
import io.github.jckks.math.Primes;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A plain timing loop for shared, noisy machines, where JMH averages absorb the time slices lost to other
 * processes: after a long warm-up it times {@code reps} samples of 5 back-to-back forward (then inverse)
 * NTTs of one limb and prints the minimum and the median per transform, for each logN and kernel. Usage:
 * {@code java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar io.github.jckks.jmh.NttMinTiming
 * 13,14 30 vector,scalar [reps]}. Cost: about reps x 10 transforms per configuration, twice.
 */
public final class NttMinTiming {
    private NttMinTiming() {
    }

    /** @param args logN list, prime bits, kernel list (scalar, vector), optional sample count (default 300) */
    public static void main(String[] args) {
        int[] logNs = Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        int bits = Integer.parseInt(args[1]);
        String[] kernels = args[2].split(",");
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        for (int round = 0; round < 2; round++) {
            for (int logN : logNs) {
                for (String k : kernels) {
                    NttKernel ntt = NttKernels.byName(k);
                    long q = Primes.nttPrimes(bits, logN, 1, List.of())[0];
                    NttTables t = new NttTables(new Modulus(q), logN);
                    long[] a = new long[1 << logN];
                    SplittableRandom r = new SplittableRandom(1);
                    for (int j = 0; j < a.length; j++) {
                        a[j] = r.nextLong(q);
                    }
                    for (int w = 0; w < Math.max(200, 20000 >> Math.max(0, logN - 10)); w++) {
                        ntt.forward(a, t);
                        ntt.inverse(a, t);
                    }
                    long[] f = new long[reps];
                    long[] iv = new long[reps];
                    for (int i = 0; i < reps; i++) {
                        long s = System.nanoTime();
                        for (int z = 0; z < 5; z++) {
                            ntt.forward(a, t);
                        }
                        long m = System.nanoTime();
                        for (int z = 0; z < 5; z++) {
                            ntt.inverse(a, t);
                        }
                        long e = System.nanoTime();
                        f[i] = (m - s) / 5;
                        iv[i] = (e - m) / 5;
                    }
                    Arrays.sort(f);
                    Arrays.sort(iv);
                    if (round == 1) {
                        System.out.printf("logN=%d bits=%d %-6s forward min %.1f median %.1f | inverse min %.1f median %.1f us%n",
                                logN, bits, k, f[0] / 1e3, f[reps / 2] / 1e3, iv[0] / 1e3, iv[reps / 2] / 1e3);
                    }
                }
            }
        }
    }
}
