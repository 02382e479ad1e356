package io.github.jckks.ckks.examples;

import static io.github.jckks.ckks.examples.ExampleSupport.log2;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Plaintext;
import io.github.jckks.ckks.PrecisionStats;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Random;

/**
 * Example 4: rescaling and levels, with the CryptoNets parameters (N = 8192, data primes {30, 24 x 5}, scale
 * 2<sup>24</sup>: five levels). Shows what every product does to the scale, why constants are encoded at the
 * last prime, lazy rescaling (one rescale for a whole dot product, as nGraph-HE2), depth-aware plaintext
 * encoding, automatic level matching, and what happens when the levels run out.
 */
public final class Example4RescalingAndLevels {
    private Example4RescalingAndLevels() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the example, printing to {@code out}. */
    public static void run(PrintStream out) {
        out.println("== Example 4: rescaling, levels, lazy rescaling and depth-aware encoding ==");
        CkksParameters params = CkksParameters.cryptoNets();
        CkksContext context = new CkksContext(params);
        CkksEncoder encoder = new CkksEncoder(context);
        KeyGenerator keyGen = new KeyGenerator(context);
        Encryptor encryptor = new Encryptor(context, keyGen.publicKey());
        Decryptor decryptor = new Decryptor(context, keyGen.secretKey());
        Evaluator ev = new Evaluator(context, keyGen.evaluationKeys(true, false));
        out.println(params);
        for (int l = params.maxLevel(); l >= 0; l--) {
            out.printf(Locale.ROOT, "  level %d: last prime q_%d = %d (2^%.4f)%n", l, l, (long) ev.lastPrime(l),
                    log2(ev.lastPrime(l)));
        }

        int slots = encoder.slots();
        Random r = new Random(4);
        double[] x = new double[slots];
        for (int i = 0; i < slots; i++) {
            x[i] = r.nextDouble();
        }
        Ciphertext cx = encryptor.encrypt(encoder.encode(x));

        // 1. A constant is encoded at the scale of the prime the next rescale removes, q_l, so after the rescale
        //    the scale is Delta again, exactly: results of different branches stay addable.
        out.println("-- scalar encoding at the last prime");
        out.println("fresh: " + describe(cx));
        Ciphertext half = ev.multiplyScalar(cx, 0.5);
        out.println("after multiplyScalar(0.5): " + describe(half) + " = Delta * q_5");
        ev.rescaleInPlace(half);
        out.println("after rescale: " + describe(half));
        out.println("scale restored exactly: " + (half.scale() == cx.scale()));

        // 2. Lazy rescaling: a weighted sum of 16 ciphertexts. Eager: rescale every product (16 rescales, each
        //    an inverse NTT and 5 forward NTTs per part). Lazy: accumulate the products at scale Delta * q_5 and
        //    rescale once. Same result, same level, 16x fewer rescales.
        out.println("-- lazy rescaling");
        int terms = 16;
        Ciphertext[] in = new Ciphertext[terms];
        double[][] xs = new double[terms][];
        double[] w = new double[terms];
        double[] expected = new double[slots];
        for (int t = 0; t < terms; t++) {
            xs[t] = new double[slots];
            for (int i = 0; i < slots; i++) {
                xs[t][i] = r.nextDouble();
            }
            w[t] = r.nextDouble() - 0.5;
            in[t] = encryptor.encrypt(encoder.encode(xs[t]));
            for (int i = 0; i < slots; i++) {
                expected[i] += w[t] * xs[t][i];
            }
        }
        long t0 = System.nanoTime();
        Ciphertext eager = null;
        for (int t = 0; t < terms; t++) {
            Ciphertext term = ev.multiplyScalar(in[t], w[t]);
            ev.rescaleInPlace(term);
            if (eager == null) {
                eager = term;
            } else {
                ev.addInPlace(eager, term);
            }
        }
        long t1 = System.nanoTime();
        double qLast = ev.lastPrime(params.maxLevel());
        Ciphertext lazy = ev.multiplyScalar(in[0], w[0]);
        for (int t = 1; t < terms; t++) {
            ev.multiplyScalarAddInPlace(in[t], w[t], qLast, lazy);
        }
        ev.rescaleInPlace(lazy);
        long t2 = System.nanoTime();
        PrecisionStats se = PrecisionStats.of(expected, encoder.decode(decryptor.decrypt(eager)));
        PrecisionStats sl = PrecisionStats.of(expected, encoder.decode(decryptor.decrypt(lazy)));
        out.printf(Locale.ROOT, "eager: %d rescales, %s, %.1f ms%n", terms, describe(eager), (t1 - t0) / 1e6);
        out.printf(Locale.ROOT, "lazy: 1 rescale, %s, %.1f ms%n", describe(lazy), (t2 - t1) / 1e6);
        out.println("eager error: " + se);
        out.println("lazy error: " + sl);
        out.println("both match the plaintext dot product within 2e-2: " + (se.within(2e-2) && sl.within(2e-2)));

        // 3. Depth-aware encoding: a plaintext must be at the ciphertext's level (or above). Encode it there,
        //    at the scale q_l, and the rescale after multiplyPlain restores Delta exactly.
        out.println("-- depth-aware encoding");
        int level = half.level();
        Plaintext w2 = encoder.encode(xs[0], level, ev.lastPrime(level));
        Ciphertext masked = ev.multiplyPlain(half, w2);
        ev.rescaleInPlace(masked);
        out.println("plaintext made at " + w2 + ", product rescaled: " + describe(masked));
        try {
            ev.multiplyPlain(half, encoder.encode(xs[0], level - 1, params.defaultScale()));
            out.println("accepted (unexpected)");
        } catch (IllegalArgumentException e) {
            out.println("refused: " + e.getMessage());
        }

        // 4. Level matching: operands at different levels are matched by dropping primes of the higher one.
        out.println("-- level matching");
        Ciphertext sum = ev.add(cx, half); // level 5 + level 4, both at scale Delta
        out.println("level 5 + level 4 -> " + describe(sum));
        double[] sumExpected = new double[slots];
        for (int i = 0; i < slots; i++) {
            sumExpected[i] = 1.5 * x[i];
        }
        out.println("x + 0.5 x: " + PrecisionStats.of(sumExpected, encoder.decode(decryptor.decrypt(sum))));

        // 5. Running out of levels: square and rescale until level 0. Then no prime is left to divide by, and a
        //    further product would overflow q_0: decrypt (or refresh) instead. The square is relinearized and
        //    rescaled in one step: relinearizeAndRescaleInPlace divides the key switch's result by P q_l at once,
        //    instead of by P (relinearizeInPlace) and then by q_l (rescaleInPlace): one rounding, fewer NTTs.
        out.println("-- running out of levels");
        Ciphertext acc = cx;
        while (acc.level() > 0) {
            acc = ev.square(acc);
            ev.relinearizeAndRescaleInPlace(acc);
            out.println("squared and rescaled: " + describe(acc));
        }
        final Ciphertext last = acc;
        try {
            ev.rescale(last);
        } catch (IllegalArgumentException e) {
            out.println("rescale refused: " + e.getMessage());
        }
        try {
            ev.multiply(last, last);
        } catch (IllegalArgumentException e) {
            out.println("product refused: " + e.getMessage());
        }

        // 6. Per-level scales. The primes are only near 2^24, so a chain of products drifts: each rescale turns a
        //    scale s into s^2 / q_l, doubling the offset it had and adding q_l's. context.levelScale(l) is the
        //    scale that lands exactly on levelScale(l - 1) (sqrt of levelScale(l - 1) q_l, from Delta at the bottom):
        //    encode the inputs there and the chain ends at Delta. On chains whose primes sit far from the scale
        //    (general16384Composite: pairs up to 0.9 bits off 2^40), this is the difference between x^64 at scale
        //    2^32.3 with max error 2.9e-6 and at 2^40 with 5.9e-7.
        out.println("-- per-level scales");
        int top = params.maxLevel();
        Ciphertext z = encryptor.encrypt(encoder.encode(x, top, context.levelScale(top)));
        out.printf(Locale.ROOT, "levelScale(%d) = 2^%.6f%n", top, log2(z.scale()));
        while (z.level() > 0) {
            z = ev.square(z);
            ev.relinearizeAndRescaleInPlace(z);
        }
        out.printf(Locale.ROOT, "squares from the default scale end at 2^%.6f, from levelScale at 2^%.6f (Delta exactly: "
                + "%b)%n", log2(last.scale()), log2(z.scale()), Math.abs(z.scale() / params.defaultScale() - 1) < 1e-12);
    }

    private static String describe(Ciphertext ct) {
        return String.format(Locale.ROOT, "level %d, scale 2^%.4f", ct.level(), log2(ct.scale()));
    }
}
