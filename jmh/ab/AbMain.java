import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Compares two builds of jckks in one JVM: each build's classes in their own class loader, the same
 * {@code AbOps} (compiled once against the public API) loaded by both, calls alternated build by build,
 * thread CPU time. The host's phases, which move absolute times by 1.3-2x within minutes on these machines,
 * cancel in the per-round ratio new/old. An A/A run (one build against itself) showed the other bias of a
 * one-JVM comparison: the instance created second ran 1.03-1.15x slower at N = 16384 (1.01x at 8192), whichever
 * ran first in a round. So each operation is measured twice, old created first and then new created first
 * (fresh instances), and the figure to quote is the geometric mean of the two median ratios, in which a bias
 * of the creation order cancels. Run through {@code bin/ab}.
 *
 * <p>Arguments: opsDir logN ops(comma-separated) oldClasspath newClasspath [rounds].
 */
public final class AbMain {
    private AbMain() {
    }

    public static void main(String[] args) throws Exception {
        File opsDir = new File(args[0]);
        int logN = Integer.parseInt(args[1]);
        String[] ops = args[2].split(",");
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 16;
        double[][] medians = new double[ops.length][2];
        double[][] times = new double[ops.length][4];
        for (int order = 0; order < 2; order++) {
            // order 0: old created first; order 1: new created first
            ToLongFunction<String> first = side(opsDir, args[order == 0 ? 3 : 4], logN);
            ToLongFunction<String> second = side(opsDir, args[order == 0 ? 4 : 3], logN);
            ToLongFunction<String> old = order == 0 ? first : second;
            ToLongFunction<String> neu = order == 0 ? second : first;
            for (int o = 0; o < ops.length; o++) {
                List<Long> to = new ArrayList<>();
                List<Long> tn = new ArrayList<>();
                List<Double> ratio = new ArrayList<>();
                for (int k = 0; k < rounds; k++) {
                    long a = old.applyAsLong(ops[o]);
                    long b = neu.applyAsLong(ops[o]);
                    if (k >= 4) {
                        to.add(a);
                        tn.add(b);
                        ratio.add((double) b / a);
                    }
                }
                Collections.sort(to);
                Collections.sort(tn);
                Collections.sort(ratio);
                medians[o][order] = ratio.get(ratio.size() / 2);
                times[o][2 * order] = to.get(to.size() / 2) / 1e3;
                times[o][2 * order + 1] = tn.get(tn.size() / 2) / 1e3;
            }
            first = null;
            second = null;
            System.gc();
        }
        for (int o = 0; o < ops.length; o++) {
            System.out.printf("N=2^%d %-14s old %9.1f / %9.1f us  new %9.1f / %9.1f us  new/old %.3f (%.3f old first, %.3f new first)%n",
                    logN, ops[o], times[o][0], times[o][2], times[o][1], times[o][3],
                    Math.sqrt(medians[o][0] * medians[o][1]), medians[o][0], medians[o][1]);
        }
    }

    @SuppressWarnings("unchecked")
    private static ToLongFunction<String> side(File opsDir, String classpath, int logN) throws Exception {
        String[] jars = classpath.split(File.pathSeparator);
        URL[] urls = new URL[jars.length + 1];
        urls[0] = opsDir.toURI().toURL();
        for (int j = 0; j < jars.length; j++) {
            urls[j + 1] = new File(jars[j]).toURI().toURL();
        }
        URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
        return (ToLongFunction<String>) loader.loadClass("AbOps").getConstructor(Integer.class).newInstance(logN);
    }
}
