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
 * one-JVM comparison: the instance created second ran 1.09-1.15x slower at N = 16384 (1.01x at 8192). So two
 * pairs of instances are made, one with the old build created first and one with the new build first, every
 * operation is timed on both pairs, and the figure to quote is the geometric mean of the two median ratios, in
 * which a bias of the creation order cancels. Run through {@code bin/ab}.
 *
 * <p>Arguments: opsDir logN ops(comma-separated) oldClasspath newClasspath [rounds &gt; 4; the first 4 are not
 * counted]. An operation that one build lacks is reported as such and the others still run.
 */
public final class AbMain {
    private AbMain() {
    }

    public static void main(String[] args) throws Exception {
        File opsDir = new File(args[0]);
        int logN = Integer.parseInt(args[1]);
        String[] ops = args[2].split(",");
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 16;
        if (rounds <= 4) {
            throw new IllegalArgumentException("rounds " + rounds + ": the first 4 are warm-up, give more");
        }
        // pair 0: old created first; pair 1: new created first
        List<ToLongFunction<String>> old = new ArrayList<>();
        List<ToLongFunction<String>> neu = new ArrayList<>();
        old.add(side(opsDir, args[3], logN));
        neu.add(side(opsDir, args[4], logN));
        neu.add(side(opsDir, args[4], logN));
        old.add(side(opsDir, args[3], logN));
        for (String op : ops) {
            double[] median = new double[2];
            double[][] time = new double[2][2];
            try {
                for (int pair = 0; pair < 2; pair++) {
                    List<Long> to = new ArrayList<>();
                    List<Long> tn = new ArrayList<>();
                    List<Double> ratio = new ArrayList<>();
                    for (int k = 0; k < rounds; k++) {
                        long a = old.get(pair).applyAsLong(op);
                        long b = neu.get(pair).applyAsLong(op);
                        if (k >= 4) {
                            to.add(a);
                            tn.add(b);
                            ratio.add((double) b / a);
                        }
                    }
                    Collections.sort(to);
                    Collections.sort(tn);
                    Collections.sort(ratio);
                    median[pair] = ratio.get(ratio.size() / 2);
                    time[pair][0] = to.get(to.size() / 2) / 1e3;
                    time[pair][1] = tn.get(tn.size() / 2) / 1e3;
                }
            } catch (LinkageError | IllegalArgumentException e) {
                System.out.printf("N=2^%d %-14s not comparable: %s%n", logN, op, e);
                continue;
            }
            System.out.printf("N=2^%d %-14s old %9.1f / %9.1f us  new %9.1f / %9.1f us  new/old %.3f (%.3f old first, %.3f new first)%n",
                    logN, op, time[0][0], time[1][0], time[0][1], time[1][1], Math.sqrt(median[0] * median[1]), median[0],
                    median[1]);
        }
    }

    @SuppressWarnings("unchecked")
    private static ToLongFunction<String> side(File opsDir, String classpath, int logN) throws Exception {
        String[] jars = classpath.split(File.pathSeparator);
        URL[] urls = new URL[jars.length + 1];
        urls[0] = opsDir.toURI().toURL();
        for (int j = 0; j < jars.length; j++) {
            File jar = new File(jars[j]);
            if (!jar.isFile()) {
                throw new IllegalArgumentException("no such jar: " + jar);
            }
            urls[j + 1] = jar.toURI().toURL();
        }
        URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
        try {
            return (ToLongFunction<String>) loader.loadClass("AbOps").getConstructor(Integer.class).newInstance(logN);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalStateException("AbOps cannot run against " + classpath + " (the build lacks what it uses?)",
                    e.getCause());
        }
    }
}
