package io.github.jckks.ckks.examples;

import static io.github.jckks.ckks.examples.ExampleSupport.complex;
import static io.github.jckks.ckks.examples.ExampleSupport.head;

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
import java.util.Random;

/**
 * Example 2: encoding. The encoder maps a vector of up to N/2 complex numbers to a polynomial with integer
 * coefficients (the inverse canonical embedding, scaled by &Delta; and rounded). Real vectors use the real
 * parts of the slots; complex packing stores a second real vector in the imaginary parts, so one ciphertext
 * carries N real values. Encoding is approximate: the rounding error is at most N / (2&Delta;) per slot.
 */
public final class Example2Encoding {
    private Example2Encoding() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the example, printing to {@code out}. */
    public static void run(PrintStream out) {
        out.println("== Example 2: encoding real, complex and complex-packed vectors ==");
        CkksParameters params = CkksParameters.seal8192();
        CkksContext context = new CkksContext(params);
        CkksEncoder encoder = new CkksEncoder(context);
        out.printf("%d slots; default scale 2^%.0f%n", encoder.slots(), ExampleSupport.log2(params.defaultScale()));

        // 1. Real values: short vectors are padded with zeros. encode(values) uses the top level and the default
        //    scale; the plaintext remembers both.
        out.println("-- real");
        double[] values = {1.5, -2.25, 3.0, 0.125};
        Plaintext p = encoder.encode(values);
        out.println("plaintext: " + p);
        out.println("decoded: " + head(encoder.decode(p), 5, 6));

        // A full random vector: the round trip is exact to about 2^-40 * N.
        Random r = new Random(2);
        double[] full = new double[encoder.slots()];
        for (int i = 0; i < full.length; i++) {
            full[i] = 2 * r.nextDouble() - 1;
        }
        PrecisionStats roundTrip = PrecisionStats.of(full, encoder.decode(encoder.encode(full)));
        out.println("round trip of 4096 random values: " + roundTrip);
        out.println("round-trip error below N / (2 scale) = 3.7e-9: " + roundTrip.within(8192 / 2.0 / 0x1p40));

        // 2. Complex values: re[] and im[].
        out.println("-- complex");
        Plaintext pc = encoder.encode(new double[] {1, 3}, new double[] {2, -4}, params.maxLevel(), params.defaultScale());
        double[][] dc = encoder.decodeComplex(pc);
        out.println("decoded: " + complex(dc[0][0], dc[1][0], 6) + " " + complex(dc[0][1], dc[1][1], 6));

        // 3. Complex packing: two real batches a and b as a + i b. Additions and products by real constants act
        //    on both batches at once; products of two packed ciphertexts need Evaluator.multiplyComplexPacked.
        out.println("-- complex packing");
        double[] a = {1, 2, 3};
        double[] b = {10, 20, 30};
        Plaintext packed = encoder.encodeComplexPacked(a, b, params.maxLevel(), params.defaultScale());
        double[][] dp = encoder.decodeComplex(packed);
        out.println("batch a (real parts): " + head(dp[0], 3, 4));
        out.println("batch b (imaginary parts): " + head(dp[1], 3, 4));

        KeyGenerator keys = new KeyGenerator(context);
        Encryptor encryptor = new Encryptor(context, keys.publicKey());
        Decryptor decryptor = new Decryptor(context, keys.secretKey());
        Evaluator evaluator = new Evaluator(context);
        Ciphertext ct = encryptor.encrypt(packed);
        Ciphertext doubled = evaluator.multiplyScalar(ct, 2.0);
        evaluator.rescaleInPlace(doubled);
        double[][] dd = encoder.decodeComplex(decryptor.decrypt(doubled));
        out.println("2a: " + head(dd[0], 3, 4) + "  2b: " + head(dd[1], 3, 4));

        // 4. Depth-aware encoding: encode at the level the plaintext will meet. A level-0 plaintext has one
        //    residue polynomial instead of three: cheaper to make, store and multiply.
        out.println("-- levels");
        Plaintext top = encoder.encode(values, params.maxLevel(), params.defaultScale());
        Plaintext bottom = encoder.encode(values, 0, params.defaultScale());
        out.printf("residue polynomials at level %d: %d, at level 0: %d%n", top.level(), top.poly().limbCount(),
                bottom.poly().limbCount());
        out.println("decoded at level 0: " + head(encoder.decode(bottom), 4, 6));

        // 5. Values times the scale must fit below Q_l / 2: encoding refuses what would wrap around.
        try {
            double[] huge = new double[encoder.slots()];
            java.util.Arrays.fill(huge, 1e6);
            encoder.encode(huge, 0, params.defaultScale());
            out.println("encoded (unexpected)");
        } catch (IllegalArgumentException e) {
            out.println("refused: " + e.getMessage());
        }

        // 6. Encrypt and decrypt: the result carries the encryption noise too.
        Ciphertext c = encryptor.encrypt(encoder.encode(full));
        PrecisionStats afterDecrypt = PrecisionStats.of(full, encoder.decode(decryptor.decrypt(c)));
        out.println("encrypt + decrypt: " + afterDecrypt);
        out.println("decryption error below 1e-6: " + afterDecrypt.within(1e-6));
    }
}
