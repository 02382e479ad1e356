package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.examples.Example1Parameters;
import io.github.jckks.ckks.examples.Example2Encoding;
import io.github.jckks.ckks.examples.Example3BasicArithmetic;
import io.github.jckks.ckks.examples.Example4RescalingAndLevels;
import io.github.jckks.ckks.examples.Example5Rotations;
import io.github.jckks.ckks.examples.Example6Serialization;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Runs every example and checks that its output holds the expected result lines, so the examples never rot. */
class ExamplesTest {

    private static String run(Consumer<PrintStream> example) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            example.accept(out);
        }
        String s = bytes.toString(StandardCharsets.UTF_8);
        if (Boolean.getBoolean("jckks.test.verbose")) {
            System.out.println(s);
        }
        return s;
    }

    private static void contains(String output, String... lines) {
        for (String line : lines) {
            assertTrue(output.contains(line), "missing '" + line + "' in:\n" + output);
        }
    }

    @Test
    void example1Parameters() {
        String out = run(Example1Parameters::run);
        contains(out,
                "seal8192: CKKS(N=2^13, data primes {60,41,40} bits, special {60}",
                "security 128-bit), 4096 slots, 2 levels",
                "cryptoNets: CKKS(N=2^13",
                "5 levels",
                "general16384: CKKS(N=2^14",
                "N = 8192, so 4096 complex slots per ciphertext",
                "N = 2^13 allows at most 218 bits at 128-bit security (152 at 192, 118 at 256)",
                "N = 2^15 allows at most 881 bits",
                "custom: CKKS(N=2^14",
                "refused: parameters below 128-bit security: log2(QP) = 272 bits exceeds the HomomorphicEncryption.org bound of 218 bits",
                "insecure test ring: CKKS(N=2^10",
                "NONE (insecure)",
                "192-bit request: CKKS(N=2^13",
                "security 192-bit",
                "general16384Composite: 7 digits of [2, 2, 2, 2, 2, 2, 2] primes",
                "general16384CompositeBalanced: 5 digits of [2, 3, 3, 3, 3] primes",
                "relinearization key of 8 primes: 3 digits, 32-bit residues, 1.57 MB",
                "relinearization key of 4 primes: 3 digits, 64-bit residues, 1.57 MB",
                "context ready: N = 8192, max level 2");
    }

    @Test
    void example2Encoding() {
        String out = run(Example2Encoding::run);
        contains(out,
                "4096 slots; default scale 2^40",
                "plaintext: Plaintext(level 2, scale 2^40.00)",
                "decoded: [1.500000, -2.250000, 3.000000, 0.125000, 0.000000]",
                "round-trip error below N / (2 scale) = 3.7e-9: true",
                "decoded: (1.000000+2.000000i) (3.000000-4.000000i)",
                "batch a (real parts): [1.0000, 2.0000, 3.0000]",
                "batch b (imaginary parts): [10.0000, 20.0000, 30.0000]",
                "2a: [2.0000, 4.0000, 6.0000]  2b: [20.0000, 40.0000, 60.0000]",
                "residue polynomials at level 2: 3, at level 0: 1",
                "decoded at level 0: [1.500000, -2.250000, 3.000000, 0.125000]",
                "refused: encoding overflow",
                "decryption error below 1e-6: true");
    }

    @Test
    void example3BasicArithmetic() {
        String out = run(Example3BasicArithmetic::run);
        contains(out,
                "x + y = [5.0000, 7.0000, 9.0000]",
                "x - y = [-3.0000, -3.0000, -3.0000]",
                "-x = [-1.0000, -2.0000, -3.0000]",
                "x + 0.5 = [1.5000, 2.5000, 3.5000]",
                "3x (integer, scale unchanged) = [3.0000, 6.0000, 9.0000]",
                "x + plain y = [5.0000, 7.0000, 9.0000]",
                "x * y: Ciphertext(3 parts, level 2, scale 2^80.00)",
                "relinearized: Ciphertext(2 parts, level 2, scale 2^80.00)",
                "rescaled: Ciphertext(2 parts, level 1",
                "x * y = [4.0000, 10.0000, 18.0000]",
                "x * plain y = [4.0000, 10.0000, 18.0000]",
                "0.25 x = [0.2500, 0.5000, 0.7500]",
                "pi x: Ciphertext(2 parts, level 1, scale 2^40.00)",
                "pi x^3: Ciphertext(2 parts, level 0",
                "f(0) = 1.0000 (expected 1.0000)",
                "f(1) = 4.5416 (expected 4.5416)",
                "max error below 1e-5: true");
    }

    @Test
    void example4RescalingAndLevels() {
        String out = run(Example4RescalingAndLevels::run);
        contains(out,
                "CKKS(N=2^13, data primes {30,25,24,25,24,25} bits, special {30}",
                "fresh: level 5, scale 2^24.0000",
                "after rescale: level 4, scale 2^24.0000",
                "scale restored exactly: true",
                "eager: 16 rescales, level 4, scale 2^24.0000",
                "lazy: 1 rescale, level 4, scale 2^24.0000",
                "both match the plaintext dot product within 2e-2: true",
                "product rescaled: level 3, scale 2^24.0000",
                "refused: plaintext at level 3 cannot meet a ciphertext at level 4",
                "level 5 + level 4 -> level 4, scale 2^24.0000",
                "squared and rescaled: level 0",
                "rescale refused: cannot rescale",
                "product refused: product scale",
                "levelScale(5) = 2^",
                "(Delta exactly: true)");
    }

    @Test
    void example5Rotations() {
        String out = run(Example5Rotations::run);
        contains(out,
                "rotation by 1 uses g = 5, by -1 g = ",
                "conjugation g = 16383 (mod 2N = 16384)",
                "x: [0.000, 1.000, 2.000, 3.000, 4.000]",
                "rotate 1: [1.000, 2.000, 3.000, 4.000, 5.000]",
                "rotate 3: [3.000, 4.000, 5.000, 6.000, 7.000]",
                "rotate -1: [4095.000, 0.000, 1.000, 2.000, 3.000]",
                "rotate 5 refused: no Galois key for rotation by 5",
                "hoisted 1, 3, -1: [1.000, 2.000, 3.000] [3.000, 4.000, 5.000] [4095.000, 0.000, 1.000]",
                "hoisted rotation by 3 equals rotate(ct, 3): true",
                "conj((1+2i), (-3+0.5i)) = (1.000-2.000i) (-3.000-0.500i)",
                "sum of slots 0 + 1 + ... + 4095 = 8386560.00 (expected 8386560.00), in every slot: 8386560.00",
                "inner product within 1e-4: true",
                "x*u = [0.5000, -2.0000, 6.0000]",
                "y*v = [40.0000, 0.5000, -6.0000]",
                "max error below 1e-5: true");
    }

    @Test
    void example6Serialization() {
        String out = run(Example6Serialization::run);
        contains(out,
                "parameters: ",
                "ciphertext x, seeded: 142.1 KB (in full: 284.1 KB)",
                "-- the server computed x * y: level 3",
                "x * y = [0.000000, 0.001000, 0.002000] (expected [0.000000, 0.001000, 0.002000])",
                "truncated: refused, total length",
                "one bit flipped: refused, ", // by the checksum, or first by a residue the flip pushed over its prime
                "parameters of another set: refused, parameter fingerprint",
                "not a jckks object: refused, magic");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("max error ([0-9.e+-]+)").matcher(out);
        assertTrue(m.find(), out);
        // mul + relin + rescale at 2^40 from secret-key inputs: about 7e-9 (README: 8.0e-9 over five key sets)
        assertTrue(Double.parseDouble(m.group(1)) < 1e-7, out);
        assertTrue(!out.contains("ACCEPTED"), out);
    }
}
