package io.github.jckks.ckks.examples;

import static io.github.jckks.ckks.examples.ExampleSupport.complex;
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
import io.github.jckks.ckks.GaloisElements;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.PrecisionStats;
import java.io.PrintStream;

/**
 * Example 5: rotations and conjugation. Rotating the N/2 slots by k is the Galois automorphism X -&gt;
 * X<sup>5<sup>k</sup></sup> followed by a key switch, so every step k needs its own Galois key (made by the
 * client, who holds the secret key); conjugation needs the key for X -&gt; X<sup>2N-1</sup>. Shows rotations
 * both ways, hoisted rotations (several steps sharing one decomposition), the sum of all slots (log2(N/2)
 * rotations), an inner product, and the product of two complex-packed ciphertexts, which is built on conjugation.
 */
public final class Example5Rotations {
    private Example5Rotations() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the example, printing to {@code out}. */
    public static void run(PrintStream out) {
        out.println("== Example 5: rotations, conjugation, sums and complex-packed products ==");
        CkksParameters params = CkksParameters.seal8192();
        CkksContext context = new CkksContext(params);
        CkksEncoder encoder = new CkksEncoder(context);
        KeyGenerator keyGen = new KeyGenerator(context);
        Encryptor encryptor = new Encryptor(context, keyGen.publicKey());
        Decryptor decryptor = new Decryptor(context, keyGen.secretKey());
        int n = params.n();
        int slots = params.slots();

        // Keys: relinearization, conjugation, steps 1, -1, 3 and the powers of two that sumSlots uses.
        int powers = Integer.numberOfTrailingZeros(slots);
        int[] steps = new int[powers + 2];
        for (int i = 0; i < powers; i++) {
            steps[i] = 1 << i;
        }
        steps[powers] = -1;
        steps[powers + 1] = 3;
        EvaluationKeys keys = keyGen.evaluationKeys(true, true, steps);
        Evaluator ev = new Evaluator(context, keys);
        out.printf("%d Galois keys; rotation by 1 uses g = %d, by -1 g = %d, conjugation g = %d (mod 2N = %d)%n",
                keys.galois().size(), GaloisElements.forRotation(n, 1), GaloisElements.forRotation(n, -1),
                GaloisElements.conjugation(n), 2 * n);

        // 1. Rotations: slot i of rotate(ct, k) holds slot i + k of ct (left rotation; negative k goes right).
        out.println("-- rotations");
        double[] x = new double[slots];
        for (int i = 0; i < slots; i++) {
            x[i] = i;
        }
        Ciphertext cx = encryptor.encrypt(encoder.encode(x));
        out.println("x: " + head(dec(encoder, decryptor, cx), 5, 3));
        out.println("rotate 1: " + head(dec(encoder, decryptor, ev.rotate(cx, 1)), 5, 3));
        out.println("rotate 3: " + head(dec(encoder, decryptor, ev.rotate(cx, 3)), 5, 3));
        out.println("rotate -1: " + head(dec(encoder, decryptor, ev.rotate(cx, -1)), 5, 3));
        try {
            ev.rotate(cx, 5);
        } catch (IllegalStateException e) {
            out.println("rotate 5 refused: " + e.getMessage());
        }
        // Several rotations of one ciphertext share one decomposition of c1 (hoisting): the same ciphertexts as
        // rotate, for less than the cost of separate key switches.
        Ciphertext[] hoisted = ev.rotateHoisted(cx, 1, 3, -1);
        out.println("hoisted 1, 3, -1: " + head(dec(encoder, decryptor, hoisted[0]), 3, 3) + " "
                + head(dec(encoder, decryptor, hoisted[1]), 3, 3) + " "
                + head(dec(encoder, decryptor, hoisted[2]), 3, 3));
        out.println("hoisted rotation by 3 equals rotate(ct, 3): " + sameResidues(hoisted[1], ev.rotate(cx, 3)));

        // 2. Conjugation of complex slots.
        out.println("-- conjugation");
        Ciphertext cz = encryptor.encrypt(encoder.encode(new double[] {1, -3}, new double[] {2, 0.5},
                params.maxLevel(), params.defaultScale()));
        double[][] conj = encoder.decodeComplex(decryptor.decrypt(ev.conjugate(cz)));
        out.println("conj((1+2i), (-3+0.5i)) = " + complex(conj[0][0], conj[1][0], 3) + " " + complex(conj[0][1], conj[1][1], 3));

        // 3. The sum of all slots: rotate by 1, 2, 4, ... and add, log2(N/2) = 12 rotations.
        out.println("-- sums and inner products");
        double[] total = dec(encoder, decryptor, ev.sumSlots(cx));
        out.println("sum of slots 0 + 1 + ... + 4095 = " + fmt(total[0], 2) + " (expected " + fmt(4095.0 * 4096 / 2, 2)
                + "), in every slot: " + fmt(total[slots - 1], 2));
        // inner product <a, b>: multiply, relinearize, rescale, sum the slots
        double[] a = new double[slots];
        double[] b = new double[slots];
        double expected = 0;
        for (int i = 0; i < slots; i++) {
            a[i] = Math.sin(i);
            b[i] = Math.cos(0.5 * i);
            expected += a[i] * b[i];
        }
        Ciphertext prod = ev.multiplyRelin(encryptor.encrypt(encoder.encode(a)), encryptor.encrypt(encoder.encode(b)));
        ev.rescaleInPlace(prod);
        double[] dot = dec(encoder, decryptor, ev.sumSlots(prod));
        out.println("<sin(i), cos(i/2)> = " + fmt(dot[0], 4) + " (expected " + fmt(expected, 4) + ")");
        out.println("inner product within 1e-4: " + (Math.abs(dot[0] - expected) < 1e-4));

        // 4. Complex packing doubles the batch (x + i y), but the slot-wise product of two packed ciphertexts is
        //    not the complex product: multiplyComplexPacked uses conjugation to return x u + i y v.
        out.println("-- complex-packed product");
        double[] px = {1, 2, 3};
        double[] py = {4, 5, 6};
        double[] pu = {0.5, -1, 2};
        double[] pv = {10, 0.1, -1};
        Ciphertext ca = encryptor.encrypt(encoder.encodeComplexPacked(px, py, params.maxLevel(), params.defaultScale()));
        Ciphertext cb = encryptor.encrypt(encoder.encodeComplexPacked(pu, pv, params.maxLevel(), params.defaultScale()));
        Ciphertext cp = ev.multiplyComplexPacked(ca, cb);
        ev.rescaleInPlace(cp);
        double[][] dp = encoder.decodeComplex(decryptor.decrypt(cp));
        out.println("x*u = " + head(dp[0], 3, 4) + " (expected [0.5000, -2.0000, 6.0000])");
        out.println("y*v = " + head(dp[1], 3, 4) + " (expected [40.0000, 0.5000, -6.0000])");
        double[] xu = new double[slots];
        double[] yv = new double[slots];
        for (int i = 0; i < 3; i++) {
            xu[i] = px[i] * pu[i];
            yv[i] = py[i] * pv[i];
        }
        PrecisionStats st = PrecisionStats.ofComplex(xu, yv, dp[0], dp[1]);
        out.println("complex-packed product over all slots: " + st);
        out.println("max error below 1e-5: " + st.within(1e-5));
    }

    /** @return whether a and b hold the same residues in every limb of every part */
    private static boolean sameResidues(Ciphertext a, Ciphertext b) {
        if (a.size() != b.size() || a.level() != b.level()) {
            return false;
        }
        for (int p = 0; p < a.size(); p++) {
            for (int i = 0; i <= a.level(); i++) {
                if (!java.util.Arrays.equals(a.part(p).limb(i), b.part(p).limb(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static double[] dec(CkksEncoder encoder, Decryptor decryptor, Ciphertext ct) {
        return encoder.decode(decryptor.decrypt(ct));
    }
}
