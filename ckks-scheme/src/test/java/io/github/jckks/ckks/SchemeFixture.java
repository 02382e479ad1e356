package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.Prng;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A parameter set with its context, deterministic keys (seeded Prng), encoder, encryptors, decryptor and
 * evaluators, built once per JVM and shared by the test classes. Tolerances are absolute errors for slot
 * values in [-1, 1], stated per set: {@link #fresh} for a fresh encryption and linear operations on it,
 * {@link #product} for a product of two such ciphertexts after relinearization and rescaling.
 */
final class SchemeFixture {
    /** N = 2^10, {50, 40, 40, 40} + {51}, scale 2^40: insecure, fast. */
    static final String SMALL_40 = "N=2^10 {50,40,40,40}+{51} scale 2^40";
    /** N = 2^11, the CryptoNets chain {30, 24 x 5} + {30}, scale 2^24: insecure, fast. */
    static final String SMALL_24 = "N=2^11 {30,24x5}+{30} scale 2^24";
    /** CkksParameters.seal8192(): N = 2^13, {60, 40, 40} + {60}, scale 2^40, 128-bit secure. */
    static final String SEAL_8192 = "seal8192 N=2^13 {60,40,40}+{60} scale 2^40";

    /**
     * N = 2^11, composite scaling: {30, 30, 20 x 4} + {30, 30}, two primes per rescale, scale 2^40, key-switching
     * digits of different widths (2, 1 and 3 primes; the uniform layout is covered by the 8192 composite set).
     */
    static final String SMALL_COMPOSITE = "N=2^11 {30,30,20x4}+{30,30} d=2 digits {2,1,3} scale 2^40";
    /** CkksParameters.seal8192Composite(): seal8192's chain as 30- and 20-bit primes, d = 2, 128-bit secure. */
    static final String SEAL_8192_COMPOSITE = "seal8192Composite N=2^13 {30,30,20x4}+{30,30} d=2 scale 2^40";

    private static final Map<String, SchemeFixture> CACHE = new ConcurrentHashMap<>();

    final String name;
    final CkksParameters params;
    final CkksContext ctx;
    final KeyGenerator keyGen;
    final CkksEncoder encoder;
    final PublicKey publicKey;
    final Encryptor encryptor;
    final Encryptor symmetric;
    final Decryptor decryptor;
    final EvaluationKeys keys;
    final Evaluator ev;
    final Evaluator noKeys;
    final int slots;
    /** Stated bound on the absolute error of a fresh encryption (and of linear operations on a few of them). */
    final double fresh;
    /** Stated bound on the absolute error of x * y after relinearization and rescale. */
    final double product;
    /** Rotation steps with Galois keys. */
    final int[] steps;

    private SchemeFixture(String name) {
        this.name = name;
        switch (name) {
            case SMALL_40 -> {
                params = CkksParameters.builder().logN(10).dataPrimeBits(50, 40, 40, 40).specialPrimeBits(51)
                        .scale(0x1p40).insecureForTestsOnly().build();
                fresh = 1e-7;
                product = 1e-7;
            }
            case SMALL_24 -> {
                params = CkksParameters.builder().logN(11).dataPrimeBits(30, 24, 24, 24, 24, 24).specialPrimeBits(30)
                        .scale(0x1p24).insecureForTestsOnly().build();
                fresh = 5e-3;
                product = 1e-2;
            }
            case SEAL_8192 -> {
                params = CkksParameters.seal8192();
                fresh = 5e-7;
                product = 5e-7;
            }
            case SMALL_COMPOSITE -> {
                params = CkksParameters.builder().logN(11).dataPrimeBits(30, 30, 20, 20, 20, 20).specialPrimeBits(30, 30)
                        .digitPrimeCounts(2, 1, 3).compositeDegree(2).scale(0x1p40).insecureForTestsOnly().build();
                fresh = 1e-7;
                product = 1e-7;
            }
            case SEAL_8192_COMPOSITE -> {
                params = CkksParameters.seal8192Composite();
                fresh = 5e-7;
                product = 5e-7;
            }
            default -> throw new IllegalArgumentException(name);
        }
        ctx = new CkksContext(params);
        slots = params.slots();
        byte[] seed = new byte[Prng.SEED_BYTES];
        seed[0] = (byte) name.hashCode();
        keyGen = new KeyGenerator(ctx, new Prng(seed));
        encoder = new CkksEncoder(ctx);
        publicKey = keyGen.publicKey();
        byte[] seed2 = seed.clone();
        seed2[1] = 1;
        encryptor = new Encryptor(ctx, publicKey, null, new Prng(seed2));
        symmetric = new Encryptor(ctx, keyGen.secretKey());
        decryptor = new Decryptor(ctx, keyGen.secretKey());
        int powers = Integer.numberOfTrailingZeros(slots);
        steps = new int[powers + 5];
        for (int i = 0; i < powers; i++) {
            steps[i] = 1 << i;
        }
        System.arraycopy(new int[] {3, -1, -7, 5, -100}, 0, steps, powers, 5);
        keys = keyGen.evaluationKeys(true, true, steps);
        ev = new Evaluator(ctx, keys);
        noKeys = new Evaluator(ctx);
    }

    static SchemeFixture get(String name) {
        return CACHE.computeIfAbsent(name, SchemeFixture::new);
    }

    /** The sets every evaluator test runs at. */
    static Stream<String> all() {
        return Stream.of(SMALL_40, SMALL_24, SEAL_8192, SMALL_COMPOSITE, SEAL_8192_COMPOSITE);
    }

    /** The two small sets. */
    static Stream<String> small() {
        return Stream.of(SMALL_40, SMALL_24);
    }

    /** N/2 uniform values in [-1, 1]. */
    double[] random(long seed) {
        return random(seed, slots);
    }

    static double[] random(long seed, int count) {
        Random r = new Random(seed);
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return v;
    }

    int top() {
        return params.maxLevel();
    }

    /** @return the composite degree: primes per rescale */
    int d() {
        return params.compositeDegree();
    }

    /** @return the lowest level that holds a value at the default scale: d - 1 (level 0 for the usual chains) */
    int bottom() {
        return params.compositeDegree() - 1;
    }

    double scale() {
        return params.defaultScale();
    }

    Ciphertext encrypt(double[] re) {
        return encryptor.encrypt(encoder.encode(re, top(), scale()));
    }

    Ciphertext encrypt(double[] re, double[] im) {
        return encryptor.encrypt(encoder.encode(re, im, top(), scale()));
    }

    Ciphertext encrypt(double[] re, int level, double scale) {
        return encryptor.encrypt(encoder.encode(re, level, scale));
    }

    double[] decrypt(Ciphertext ct) {
        return encoder.decode(decryptor.decrypt(ct));
    }

    double[][] decryptComplex(Ciphertext ct) {
        return encoder.decodeComplex(decryptor.decrypt(ct));
    }

    /** Asserts every slot of ct's decryption is within tol of expected; returns the statistics. */
    PrecisionStats check(String what, double[] expected, Ciphertext ct, double tol) {
        PrecisionStats st = PrecisionStats.of(expected, decrypt(ct));
        report(what, st, tol);
        return st;
    }

    PrecisionStats checkComplex(String what, double[] re, double[] im, Ciphertext ct, double tol) {
        double[][] d = decryptComplex(ct);
        PrecisionStats st = PrecisionStats.ofComplex(re, im, d[0], d[1]);
        report(what, st, tol);
        return st;
    }

    void report(String what, PrecisionStats st, double tol) {
        if (Boolean.getBoolean("jckks.test.verbose")) {
            System.out.printf("%-45s %-30s %s%n", name, what, st);
        }
        assertTrue(st.within(tol), name + ": " + what + " exceeds the stated bound " + tol + ": " + st);
    }

    static double[] map(double[] a, java.util.function.DoubleUnaryOperator f) {
        return Arrays.stream(a).map(f).toArray();
    }

    static double[] zip(double[] a, double[] b, java.util.function.DoubleBinaryOperator f) {
        double[] r = new double[a.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.applyAsDouble(a[i], b[i]);
        }
        return r;
    }

    @Override
    public String toString() {
        return name;
    }
}
