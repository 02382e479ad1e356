package io.github.jckks.ckks.examples;

import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.KeySwitchKey;
import io.github.jckks.ckks.SecurityLevel;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Example 1: choosing parameters. A CKKS parameter set fixes the ring degree N (N/2 complex slots), a chain of
 * data primes q<sub>0</sub>&hellip;q<sub>L</sub> (each rescale consumes the last one: L levels of
 * multiplication), the special primes used by key switching, and the default scale &Delta; (about as many bits
 * of fixed-point precision as log2 &Delta;, minus the noise). Security limits the total bit count of all primes
 * for a given N; {@link CkksParameters} refuses any set below 128-bit security unless you name
 * {@link SecurityLevel#INSECURE_TESTS_ONLY}.
 */
public final class Example1Parameters {
    private Example1Parameters() {
    }

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the example, printing to {@code out}. */
    public static void run(PrintStream out) {
        out.println("== Example 1: parameters, security and the builder ==");

        // 1. Presets. Each is 128-bit secure; pick the one whose depth and precision fit your circuit.
        out.println("-- presets");
        describe(out, "seal8192", CkksParameters.seal8192());
        describe(out, "cryptoNets", CkksParameters.cryptoNets());
        describe(out, "clientAided4096", CkksParameters.clientAided4096());
        describe(out, "general16384", CkksParameters.general16384());

        // 2. What the numbers mean, for SEAL's default set {60, 40, 40} + {60}, scale 2^40.
        out.println("-- anatomy of seal8192");
        CkksParameters p = CkksParameters.seal8192();
        out.printf("N = %d, so %d complex slots per ciphertext%n", p.n(), p.slots());
        out.printf("levels: a fresh ciphertext is at level %d; each rescale drops one data prime, down to level 0%n",
                p.maxLevel());
        long[] q = p.dataPrimes();
        for (int l = q.length - 1; l >= 0; l--) {
            out.printf("  q_%d = %d (%d bits)%n", l, q[l], 64 - Long.numberOfLeadingZeros(q[l]));
        }
        out.printf("special prime P = %d (key switching only; never holds data)%n", p.specialPrimes()[0]);
        out.printf("q_0 (%d bits) bounds the final result: |value| * scale must stay below q_0 / 2%n",
                64 - Long.numberOfLeadingZeros(q[0]));

        // 3. Security: the HomomorphicEncryption.org bound on log2(QP) for each N.
        out.println("-- security");
        for (int logN = 12; logN <= 15; logN++) {
            out.printf("N = 2^%d allows at most %d bits at 128-bit security (%d at 192, %d at 256)%n", logN,
                    SecurityLevel.BITS_128.maxModulusBits(logN), SecurityLevel.BITS_192.maxModulusBits(logN),
                    SecurityLevel.BITS_256.maxModulusBits(logN));
        }

        // 4. The builder: primes by bit size (generated deterministically, NTT-friendly, scale-sized ones near
        //    2^bits so that rescaling keeps the scale close to Delta) or given explicitly.
        out.println("-- builder");
        CkksParameters deep = CkksParameters.builder().logN(14).dataPrimeBits(60, 50, 50, 50, 50, 50)
                .specialPrimeBits(60).scale(0x1p50).build();
        out.println("custom: " + deep);
        try {
            CkksParameters.builder().logN(13).dataPrimeBits(60, 50, 50, 50).specialPrimeBits(60).scale(0x1p50).build();
            out.println("accepted (unexpected)");
        } catch (IllegalArgumentException e) {
            out.println("refused: " + e.getMessage());
        }
        CkksParameters tiny = CkksParameters.builder().logN(10).dataPrimeBits(50, 40, 40).specialPrimeBits(51)
                .scale(0x1p40).insecureForTestsOnly().build();
        out.println("insecure test ring: " + tiny);
        CkksParameters strong = CkksParameters.builder().logN(13).dataPrimeBits(30, 24, 24, 24).specialPrimeBits(30)
                .scale(0x1p24).security(SecurityLevel.BITS_192).build();
        out.println("192-bit request: " + strong);

        // 5. Key switching (relinearization, rotations) splits a polynomial into digits of data primes and extends
        //    each to the special primes P. Each digit costs a basis extension, NTTs and key products; a digit much
        //    wider than P costs precision. digitSize(alpha) groups alpha primes per digit (SEAL: one), and
        //    digitPrimeCounts(...) takes any widths, e.g. digits balanced by bits.
        out.println("-- key-switching digits");
        CkksParameters uniform = CkksParameters.general16384Composite();
        CkksParameters balanced = CkksParameters.general16384CompositeBalanced();
        out.printf("general16384Composite: %d digits of %s primes%n", uniform.digitCount(),
                Arrays.toString(uniform.digitPrimeCounts()));
        out.printf("general16384CompositeBalanced: %d digits of %s primes (about 60 bits each, as P): about 0.88x the "
                + "key-switching time, rotations about 1.7 bits less precise%n", balanced.digitCount(),
                Arrays.toString(balanced.digitPrimeCounts()));
        // Keys of chains whose primes are below 2^31 keep 32-bit residues: seal8192Composite's relinearization key
        // (twice SEAL's primes) takes what SEAL's 64-bit key of seal8192 takes.
        for (CkksParameters kp : new CkksParameters[] {CkksParameters.seal8192Composite(), p}) {
            KeySwitchKey relin = new KeyGenerator(new CkksContext(kp)).relinearizationKey();
            out.printf("relinearization key of %s primes: %d digits, %s residues, %.2f MB%n",
                    kp.maxLevel() + 1 + kp.specialPrimes().length, relin.digits(), relin.isCompact() ? "32-bit" : "64-bit",
                    relin.residueBytes() / 1e6);
        }

        // 6. The context precomputes NTT tables and key-switching constants once: share it.
        CkksContext context = new CkksContext(p);
        out.printf("context ready: N = %d, max level %d%n", context.n(), context.maxLevel());
    }

    private static void describe(PrintStream out, String name, CkksParameters p) {
        out.printf("%s: %s, %d slots, %d levels%n", name, p, p.slots(), p.maxLevel());
    }
}
