package io.github.jckks.ckks.examples;

import static io.github.jckks.ckks.examples.ExampleSupport.head;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksFormatException;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.EvaluationKeys;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.PrecisionStats;
import io.github.jckks.ckks.Serialization;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Example 6: serialization, as a client and a server that share nothing but bytes. The client sends its
 * parameters, its evaluation keys and two <b>seeded</b> ciphertexts (c<sub>1</sub> replaced by the 32-byte seed it
 * was drawn from: about half the size); the server, which never sees the secret key, rebuilds the context from the
 * parameters (validated, refused below 128-bit security), multiplies, relinearizes, rescales and sends the result
 * back (in full: a computed c<sub>1</sub> has no seed); the client decrypts. Then what the reader does with damaged
 * or hostile bytes: one {@link CkksFormatException} naming the field, never a wrong object or an out-of-memory.
 * The format is documented in the module's {@code SERIALIZATION.md}.
 */
public final class Example6Serialization {
    private Example6Serialization() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the example, printing to {@code out}. */
    public static void run(PrintStream out) {
        out.println("== Example 6: serialization ==");
        // ---- client
        CkksParameters params = CkksParameters.seal8192Composite();
        CkksContext context = new CkksContext(params);
        KeyGenerator keyGen = new KeyGenerator(context);
        CkksEncoder encoder = new CkksEncoder(context);
        // the secret-key encryptor makes seeded ciphertexts: c1 = a is uniform, drawn from a 32-byte seed
        Encryptor encryptor = new Encryptor(context, keyGen.secretKey());
        double[] x = new double[params.slots()];
        double[] y = new double[params.slots()];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(0.001 * i);
            y[i] = Math.cos(0.002 * i);
        }
        Ciphertext cx = encryptor.encrypt(encoder.encode(x));
        byte[] paramBytes = Serialization.write(params);
        byte[] keyBytes = Serialization.write(context, keyGen.evaluationKeys(true, false));
        byte[] xBytes = Serialization.write(context, cx);
        byte[] yBytes = Serialization.write(context, encryptor.encrypt(encoder.encode(y)));
        out.println("-- the client sends");
        out.println("parameters: " + paramBytes.length + " bytes");
        out.println("relinearization key (32-bit residues): " + kb(keyBytes.length));
        out.println("ciphertext x, seeded: " + kb(xBytes.length) + " (in full: "
                + kb(Serialization.writeFull(context, cx).length) + ")");

        // ---- server: only bytes in, only bytes out
        CkksParameters serverParams = Serialization.readParameters(paramBytes);
        CkksContext serverContext = new CkksContext(serverParams);
        EvaluationKeys serverKeys = Serialization.readEvaluationKeys(serverContext, keyBytes);
        Evaluator ev = new Evaluator(serverContext, serverKeys);
        Ciphertext sx = Serialization.readCiphertext(serverContext, xBytes);
        Ciphertext sy = Serialization.readCiphertext(serverContext, yBytes);
        Ciphertext product = ev.multiplyRelin(sx, sy);
        ev.rescaleInPlace(product);
        byte[] resultBytes = Serialization.write(serverContext, product);
        out.println("-- the server computed x * y: level " + product.level() + ", sends " + kb(resultBytes.length)
                + " (no seed to send: c1 is computed)");

        // ---- client
        Decryptor decryptor = new Decryptor(context, keyGen.secretKey());
        double[] got = encoder.decode(decryptor.decrypt(Serialization.readCiphertext(context, resultBytes)));
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = x[i] * y[i];
        }
        out.println("x * y = " + head(got, 3, 6) + " (expected " + head(expected, 3, 6) + ")");
        out.println(String.format(Locale.ROOT, "max error %.1e", PrecisionStats.of(expected, got).maxError()));

        // ---- damaged and hostile bytes
        out.println("-- damaged bytes are refused");
        refuse(out, "truncated", () -> Serialization.readCiphertext(context, Arrays.copyOf(xBytes, xBytes.length - 100)));
        byte[] flipped = xBytes.clone();
        flipped[xBytes.length / 2] ^= 0x10;
        refuse(out, "one bit flipped", () -> Serialization.readCiphertext(context, flipped));
        byte[] otherParams = Serialization.write(CkksParameters.seal8192());
        refuse(out, "parameters of another set", () -> Serialization.readCiphertext(
                new CkksContext(Serialization.readParameters(otherParams)), xBytes));
        byte[] notCkks = "GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        refuse(out, "not a jckks object", () -> Serialization.readCiphertext(context, notCkks));
    }

    private static void refuse(PrintStream out, String what, Runnable read) {
        try {
            read.run();
            out.println(what + ": ACCEPTED (unexpected)");
        } catch (CkksFormatException e) {
            out.println(what + ": refused, " + e.getMessage());
        }
    }

    private static String kb(int bytes) {
        return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
}
