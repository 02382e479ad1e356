package io.github.jckks.ckks.examples;

import static io.github.jckks.ckks.examples.ExampleSupport.fmt;
import static io.github.jckks.ckks.examples.ExampleSupport.head;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.EvaluationKeys;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Plaintext;
import io.github.jckks.ckks.PrecisionStats;
import java.io.PrintStream;

/**
 * Example 3: basic arithmetic. Additions, plaintext and ciphertext products, relinearization and rescaling,
 * ending with SEAL's classic polynomial &pi;x<sup>3</sup> + 0.4x + 1 over 4096 points of [0, 1], evaluated with
 * exact scale management (no scale is ever overwritten by hand).
 */
public final class Example3BasicArithmetic {
    private Example3BasicArithmetic() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the example, printing to {@code out}. */
    public static void run(PrintStream out) {
        out.println("== Example 3: basic arithmetic ==");
        CkksParameters params = CkksParameters.seal8192();
        CkksContext context = new CkksContext(params);
        CkksEncoder encoder = new CkksEncoder(context);
        KeyGenerator keyGen = new KeyGenerator(context);
        Encryptor encryptor = new Encryptor(context, keyGen.publicKey());
        Decryptor decryptor = new Decryptor(context, keyGen.secretKey());
        // The server needs the relinearization key to multiply ciphertexts; no Galois keys here.
        EvaluationKeys evalKeys = keyGen.evaluationKeys(true, false);
        Evaluator ev = new Evaluator(context, evalKeys);

        // 1. Linear operations: free of levels, no rescale needed.
        out.println("-- linear");
        double[] x = {1, 2, 3};
        double[] y = {4, 5, 6};
        Ciphertext cx = encryptor.encrypt(encoder.encode(x));
        Ciphertext cy = encryptor.encrypt(encoder.encode(y));
        out.println("x + y = " + head(dec(encoder, decryptor, ev.add(cx, cy)), 3, 4));
        out.println("x - y = " + head(dec(encoder, decryptor, ev.sub(cx, cy)), 3, 4));
        out.println("-x = " + head(dec(encoder, decryptor, ev.negate(cx)), 3, 4));
        out.println("x + 0.5 = " + head(dec(encoder, decryptor, ev.addScalar(cx, 0.5)), 3, 4));
        out.println("3x (integer, scale unchanged) = " + head(dec(encoder, decryptor, ev.multiplyInteger(cx, 3)), 3, 4));
        Plaintext py = encoder.encode(y);
        out.println("x + plain y = " + head(dec(encoder, decryptor, ev.addPlain(cx, py)), 3, 4));

        // 2. Products multiply the scales: x * y has scale 2^80. Relinearize (3 parts -> 2), then rescale
        //    (divide by the last prime, about 2^40): back to scale ~2^40, one level lower.
        out.println("-- products");
        Ciphertext prod = ev.multiply(cx, cy);
        out.println("x * y: " + prod);
        ev.relinearizeInPlace(prod);
        out.println("relinearized: " + prod);
        ev.rescaleInPlace(prod);
        out.println("rescaled: " + prod);
        out.println("x * y = " + head(dec(encoder, decryptor, prod), 3, 4));
        Ciphertext pp = ev.multiplyPlain(cx, py);
        ev.rescaleInPlace(pp);
        out.println("x * plain y = " + head(dec(encoder, decryptor, pp), 3, 4));
        Ciphertext sc = ev.multiplyScalar(cx, 0.25);
        ev.rescaleInPlace(sc);
        out.println("0.25 x = " + head(dec(encoder, decryptor, sc), 3, 4));

        // 3. pi x^3 + 0.4 x + 1 on 4096 points of [0, 1]. Depth 2: x^2 (level 1), then pi x * x^2 (level 0).
        out.println("-- pi x^3 + 0.4 x + 1");
        int slots = encoder.slots();
        double[] xs = new double[slots];
        double[] expected = new double[slots];
        for (int i = 0; i < slots; i++) {
            xs[i] = i / (double) (slots - 1);
            expected[i] = Math.PI * xs[i] * xs[i] * xs[i] + 0.4 * xs[i] + 1;
        }
        Ciphertext ctx = encryptor.encrypt(encoder.encode(xs));
        out.println("x: " + ctx);
        // x^2: square, relinearize, rescale -> level 1, scale Delta^2 / q_2
        Ciphertext x2 = ev.square(ctx);
        ev.relinearizeInPlace(x2);
        ev.rescaleInPlace(x2);
        out.println("x^2: " + x2);
        // pi x: the constant is encoded at q_2 (the prime the rescale removes), so the scale comes back to Delta
        Ciphertext pix = ev.multiplyScalar(ctx, Math.PI);
        ev.rescaleInPlace(pix);
        out.println("pi x: " + pix);
        // pi x^3 -> level 0, scale s3 = (Delta^2 / q_2) * Delta / q_1
        Ciphertext pix3 = ev.multiplyRelin(x2, pix);
        ev.rescaleInPlace(pix3);
        out.println("pi x^3: " + pix3);
        // 0.4 x must land at level 0 with exactly s3: drop x to level 1 and encode 0.4 at s3 * q_1 / Delta, so
        // that the rescale by q_1 leaves Delta * (s3 * q_1 / Delta) / q_1 = s3.
        Ciphertext x1 = ev.dropLevel(ctx, 1);
        double q1 = ev.lastPrime(1);
        Ciphertext p4x = ev.multiplyScalar(x1, 0.4, pix3.scale() * q1 / x1.scale());
        ev.rescaleInPlace(p4x);
        out.println("0.4 x: " + p4x);
        Ciphertext result = ev.add(pix3, p4x);
        ev.addScalarInPlace(result, 1.0); // encoded at the ciphertext's own scale
        out.println("result: " + result);
        double[] got = dec(encoder, decryptor, result);
        int half = (slots - 1) / 2;
        out.println("f(0) = " + fmt(got[0], 4) + " (expected " + fmt(expected[0], 4) + ")");
        out.println("f(" + fmt(xs[half], 4) + ") = " + fmt(got[half], 4) + " (expected " + fmt(expected[half], 4) + ")");
        out.println("f(1) = " + fmt(got[slots - 1], 4) + " (expected " + fmt(expected[slots - 1], 4) + ")");
        PrecisionStats st = PrecisionStats.of(expected, got);
        out.println("all 4096 points: " + st);
        out.println("max error below 1e-5: " + st.within(1e-5));
    }

    private static double[] dec(CkksEncoder encoder, Decryptor decryptor, Ciphertext ct) {
        return encoder.decode(decryptor.decrypt(ct));
    }
}
