package io.github.jckks.jmh;

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
import io.github.jckks.ckks.Serialization;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CKKS operations on one thread, at SEAL's benchmark sizes so that the figures compare with
 * {@code /work/shared/ANCHORS.md}: logN 13 is {@link CkksParameters#seal8192()} ({60, 40, 40} + {60}, scale
 * 2<sup>40</sup>, ciphertexts at the top level: 3 primes) and logN 14 is {@link CkksParameters#general16384()}
 * ({60, 40 x 6} + {60}: 7 primes) with {@code chain=seal}; with {@code chain=composite} the same levels and scale
 * on primes of at most 30 bits, two per rescale ({@link CkksParameters#seal8192Composite()}: 6 + 2 primes,
 * {@link CkksParameters#general16384Composite()}: 14 + 2). Operands are made in {@code @Setup}; each method returns its result (JMH
 * consumes it). Each operation is measured as SEAL's own benchmark (sealbench, {@code native/bench/ckks.cpp})
 * calls it (except add, see there): add, add_plain, multiply, multiply_plain, square, rotate and decrypt into a reused
 * destination ({@code *Into} with preallocated polynomials); relinearize and rescale in place on an operand refilled
 * outside the timer.
 *
 * <p>{@link #main} prints the precision of multiply + relinearize + rescale at N = 8192 instead of
 * benchmarking: {@code java -cp jmh/target/benchmarks.jar io.github.jckks.jmh.SchemeBenchmark [trials [seal|composite]]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SchemeBenchmark {
    @Param({"13", "14"})
    public int logN;

    /**
     * {@code seal}: SEAL's chains as they are ({60, 40, 40} + {60}; {60, 40 x 6} + {60}; primes above 30 bits run on
     * the scalar kernels). {@code composite}: the same levels, scale and about the same total bits on primes of at
     * most 30 bits, two per rescale ({@link CkksParameters#seal8192Composite()},
     * {@link CkksParameters#general16384Composite()}), so everything runs on the SIMD kernels. {@code balanced}
     * (logN 14 only; not run by default): {@link CkksParameters#general16384CompositeBalanced()}, the composite chain
     * with five key-switching digits balanced by bits instead of seven pairs (faster key switching, noisier
     * rotations).
     */
    @Param({"composite", "seal"})
    public String chain;

    private CkksEncoder encoder;
    private Encryptor publicEncryptor;
    private Encryptor secretEncryptor;
    private Decryptor decryptor;
    private Evaluator evaluator;
    private KeyGenerator keyGen;
    private double[] values;
    private Plaintext plain;
    private Ciphertext a;
    private Ciphertext b;
    private Ciphertext product3;
    private Ciphertext product2;
    private RnsRing ring;
    /** Reused destinations, as sealbench's ct[2] and pt. */
    private RnsPoly[] dest2;
    private RnsPoly destPlain;
    private RnsPoly[] dest3;

    static CkksParameters parameters(int logN, String chain) {
        if (chain.equals("balanced")) {
            if (logN != 14) {
                throw new IllegalArgumentException("chain balanced: logN 14 only");
            }
            return CkksParameters.general16384CompositeBalanced();
        }
        boolean composite = switch (chain) {
            case "composite" -> true;
            case "seal" -> false;
            default -> throw new IllegalArgumentException("chain " + chain + ": composite, seal or balanced");
        };
        return switch (logN) {
            case 13 -> composite ? CkksParameters.seal8192Composite() : CkksParameters.seal8192();
            case 14 -> composite ? CkksParameters.general16384Composite() : CkksParameters.general16384();
            default -> throw new IllegalArgumentException("logN " + logN + ": 13 or 14");
        };
    }

    @Setup
    public void setup() {
        CkksParameters params = parameters(logN, chain);
        CkksContext context = new CkksContext(params);
        encoder = new CkksEncoder(context);
        keyGen = new KeyGenerator(context);
        publicEncryptor = new Encryptor(context, keyGen.publicKey());
        secretEncryptor = new Encryptor(context, keyGen.secretKey());
        decryptor = new Decryptor(context, keyGen.secretKey());
        EvaluationKeys keys = keyGen.evaluationKeys(true, true, 1);
        evaluator = new Evaluator(context, keys);
        values = random(params.slots(), 1);
        plain = encoder.encode(values);
        a = publicEncryptor.encrypt(plain);
        b = publicEncryptor.encrypt(encoder.encode(random(params.slots(), 2)));
        product3 = evaluator.multiply(a, b);
        product2 = evaluator.relinearize(product3);
        ring = context.ringQ();
        int k = a.level() + 1;
        dest2 = new RnsPoly[] {ring.newPoly(k, true), ring.newPoly(k, true)};
        destPlain = ring.newPoly(k, true);
        dest3 = new RnsPoly[] {ring.newPoly(k, true), ring.newPoly(k, true), ring.newPoly(k, true)};
    }

    static double[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return v;
    }

    /** Encodes a full real vector (N/2 values) at the top level. */
    @Benchmark
    public Plaintext encode() {
        return encoder.encode(values);
    }

    /** Decodes a top-level plaintext to N/2 complex slots. */
    @Benchmark
    public double[][] decode() {
        return encoder.decodeComplex(plain);
    }

    /** Public-key encryption of an encoded plaintext. */
    @Benchmark
    public Ciphertext encryptPublic() {
        return publicEncryptor.encrypt(plain);
    }

    /** Secret-key encryption (the uniform part expanded from a fresh seed). */
    @Benchmark
    public Ciphertext encryptSecret() {
        return secretEncryptor.encrypt(plain);
    }

    /** Decryption into a reused plaintext (no decoding; sealbench: {@code decrypt(ct[0], pt)}). */
    @Benchmark
    public Plaintext decrypt() {
        return decryptor.decryptInto(a, destPlain);
    }

    /**
     * ct + ct into a reused destination. (sealbench adds into a fresh {@code Ciphertext}, which SEAL's memory pool
     * serves from recycled memory; a fresh Java ciphertext is zeroed memory from the heap, about as costly as the
     * addition itself, so the figure that compares is the one without it: {@link #addFresh} gives it with.)
     */
    @Benchmark
    public Ciphertext add() {
        return evaluator.addInto(a, b, dest2);
    }

    /** ct + ct into fresh polynomials ({@link Evaluator#add}). */
    @Benchmark
    public Ciphertext addFresh() {
        return evaluator.add(a, b);
    }

    /** ct + pt into a reused destination (sealbench: {@code add_plain(ct[0], pt, ct[2])}). */
    @Benchmark
    public Ciphertext addPlain() {
        return evaluator.addPlainInto(a, plain, dest2);
    }

    /** ct + c for a real constant (scalar encoding: one residue per prime), into a reused destination. */
    @Benchmark
    public Ciphertext addScalar() {
        return evaluator.addScalarInto(a, 0.37, dest2);
    }

    /** ct * pt (no rescale) into a reused destination (sealbench: {@code multiply_plain(ct[0], pt, ct[2])}). */
    @Benchmark
    public Ciphertext multiplyPlain() {
        return evaluator.multiplyPlainInto(a, plain, dest2);
    }

    /**
     * ct * c for a real constant, encoded on the fly at the rescale's divisor (no encoder, no NTT; no rescale), into a
     * reused destination.
     */
    @Benchmark
    public Ciphertext multiplyScalar() {
        return evaluator.multiplyScalarInto(a, 0.37, evaluator.rescaleDivisor(a.level()), dest2);
    }

    /** ct * ct to three parts, no relinearization, into a reused destination (sealbench: {@code multiply(.., ct[2])}). */
    @Benchmark
    public Ciphertext multiply() {
        return evaluator.multiplyInto(a, b, dest3);
    }

    /** ct^2 to three parts into a reused destination (sealbench: {@code square(ct[0], ct[2])}). */
    @Benchmark
    public Ciphertext square() {
        return evaluator.squareInto(a, dest3);
    }

    /**
     * Relinearization of a three-part product in place (one hybrid key switch; sealbench: {@code relinearize_inplace}
     * on a ciphertext refilled before each call, as here).
     */
    @Benchmark
    public Ciphertext relinearize(Refill fresh) {
        evaluator.relinearizeInPlace(fresh.product3);
        return fresh.product3;
    }

    /** Rescale of a two-part product in place (sealbench: {@code rescale_to_next_inplace}, refilled before each call). */
    @Benchmark
    public Ciphertext rescale(Refill fresh) {
        evaluator.rescaleInPlace(fresh.product2);
        return fresh.product2;
    }

    /**
     * The full product, fused: multiply into a reused destination, then relinearize and rescale in one step
     * ({@link Evaluator#relinearizeAndRescaleInPlace}: one division by P q<sub>l</sub>).
     */
    @Benchmark
    public Ciphertext multiplyRelinRescale() {
        Ciphertext p = evaluator.multiplyInto(a, b, dest3);
        evaluator.relinearizeAndRescaleInPlace(p);
        return p;
    }

    /** The full product in three steps (SEAL's way): multiply into a reused destination, relinearize, rescale. */
    @Benchmark
    public Ciphertext multiplyRelinRescaleTwoSteps() {
        Ciphertext p = evaluator.multiplyInto(a, b, dest3);
        evaluator.relinearizeInPlace(p);
        evaluator.rescaleInPlace(p);
        return p;
    }

    /** Rotation of the slots by one step (automorphism and key switch), into a reused destination (as sealbench). */
    @Benchmark
    public Ciphertext rotate() {
        return evaluator.rotateInto(a, 1, dest2);
    }

    /** Complex conjugation of every slot, into a reused destination. */
    @Benchmark
    public Ciphertext conjugate() {
        return evaluator.conjugateInto(a, dest2);
    }

    /** ct - ct into a reused destination. */
    @Benchmark
    public Ciphertext sub() {
        return evaluator.subInto(a, b, dest2);
    }

    /** -ct (a new ciphertext). */
    @Benchmark
    public Ciphertext negate() {
        return evaluator.negate(a);
    }

    /** ct - pt (a new ciphertext). */
    @Benchmark
    public Ciphertext subPlain() {
        return evaluator.subPlain(a, plain);
    }

    /** Dropping one rescale's worth of primes (a new, smaller ciphertext: a copy of the kept limbs). */
    @Benchmark
    public Ciphertext dropLevel() {
        return evaluator.dropLevel(a, a.level() - evaluator.context().parameters().compositeDegree());
    }

    /** ct * 3 exactly, scale unchanged (the integer path: one Shoup product per residue, no encoding). */
    @Benchmark
    public Ciphertext multiplyInteger() {
        return evaluator.multiplyInteger(a, 3);
    }

    /** A dot product of 8 ciphertext-plaintext products, lazily reduced, unrescaled (per call: 8 products). */
    @Benchmark
    public Ciphertext dotPlain8(Dot dot) {
        return evaluator.dotPlain(dot.cts, dot.pts);
    }

    /**
     * A weighted sum of 32 ciphertexts with real weights (scalar encoding), lazily reduced, unrescaled
     * ({@link Evaluator#dotScalar}); {@link #multiplyScalarAdd32} is the same sum reduced term by term.
     */
    @Benchmark
    public Ciphertext dotScalar32(Dot dot) {
        return evaluator.dotScalar(dot.many, dot.weights, dot.divisor);
    }

    /** The sum of {@link #dotScalar32} by 31 calls of {@link Evaluator#multiplyScalarAddInPlace} (a reduction per term). */
    @Benchmark
    public Ciphertext multiplyScalarAdd32(Dot dot) {
        Ciphertext acc = evaluator.multiplyScalar(dot.many[0], dot.weights[0], dot.divisor);
        for (int i = 1; i < dot.many.length; i++) {
            evaluator.multiplyScalarAddInPlace(dot.many[i], dot.weights[i], dot.divisor, acc);
        }
        return acc;
    }

    /** A sum of 8 ciphertext products, lazily reduced, neither relinearized nor rescaled ({@link Evaluator#dot}). */
    @Benchmark
    public Ciphertext dot8(Dot dot) {
        return evaluator.dot(dot.cts, dot.others);
    }

    /** Rotations of one ciphertext by the 8 steps 1..8 with one shared decomposition ({@link Evaluator#rotateHoisted}). */
    @Benchmark
    public Ciphertext[] rotateHoisted8(Rotations r) {
        return r.evaluator.rotateHoisted(a, Rotations.STEPS);
    }

    /** The same 8 rotations one by one ({@link Evaluator#rotate}): what {@link #rotateHoisted8} saves. */
    @Benchmark
    public Ciphertext[] rotate8(Rotations r) {
        Ciphertext[] out = new Ciphertext[Rotations.STEPS.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = r.evaluator.rotate(a, Rotations.STEPS[i]);
        }
        return out;
    }

    /** The sum of all N/2 slots into every slot: log2(N/2) rotations and additions. */
    @Benchmark
    public Ciphertext sumSlots(SumKeys keys) {
        return keys.evaluator.sumSlots(a);
    }

    /** Serializing a seeded (secret-key) ciphertext: c0 packed at the primes' widths and the 32-byte seed. */
    @Benchmark
    public byte[] serializeSeeded(Wire wire) {
        return Serialization.write(wire.context, wire.seeded);
    }

    /** Parsing it back, with every check, and re-expanding c1 from the seed. */
    @Benchmark
    public Ciphertext deserializeSeeded(Wire wire) {
        return Serialization.readCiphertext(wire.context, wire.seededBytes);
    }

    /** Serializing a computed (full) ciphertext. */
    @Benchmark
    public byte[] serializeFull(Wire wire) {
        return Serialization.writeFull(wire.context, a);
    }

    /** Generating a relinearization key (the client's cost per session). */
    @Benchmark
    public Object relinearizationKeyGen(Wire wire) {
        return wire.keyGen.relinearizationKey();
    }

    /**
     * Operands of the dot products: 8 ciphertexts with 8 plaintexts ({@link #dotPlain8}) or 8 other ciphertexts
     * ({@link #dot8}), and 32 ciphertexts (the 8 distinct ones, repeated) with 32 weights ({@link #dotScalar32}), all at the
     * top level.
     */
    @State(Scope.Thread)
    public static class Dot {
        Ciphertext[] cts;
        Plaintext[] pts;
        Ciphertext[] others;
        Ciphertext[] many;
        double[] weights;
        double divisor;

        @Setup(Level.Trial)
        public void make(SchemeBenchmark b) {
            cts = new Ciphertext[8];
            pts = new Plaintext[8];
            others = new Ciphertext[8];
            for (int i = 0; i < 8; i++) {
                cts[i] = b.secretEncryptor.encrypt(b.encoder.encode(random(b.values.length, 10 + i)));
                pts[i] = b.encoder.encode(random(b.values.length, 20 + i));
                others[i] = b.secretEncryptor.encrypt(b.encoder.encode(random(b.values.length, 30 + i)));
            }
            many = new Ciphertext[32];
            weights = new double[32];
            for (int i = 0; i < 32; i++) {
                many[i] = i < 8 ? cts[i] : many[i % 8];
                weights[i] = (i % 5 - 2) / 4.0 + 0.01;
            }
            divisor = b.evaluator.rescaleDivisor(cts[0].level());
        }
    }

    /** An evaluator with the Galois keys of steps 1..8 ({@link #rotateHoisted8}, {@link #rotate8}). */
    @State(Scope.Thread)
    public static class Rotations {
        static final int[] STEPS = {1, 2, 3, 4, 5, 6, 7, 8};
        Evaluator evaluator;

        @Setup(Level.Trial)
        public void make(SchemeBenchmark b) {
            evaluator = new Evaluator(b.evaluator.context(), b.keyGen.evaluationKeys(false, false, STEPS));
        }
    }

    /** An evaluator with the Galois keys of steps 1, 2, 4, ..., N/4 ({@link #sumSlots} only: generated on demand). */
    @State(Scope.Thread)
    public static class SumKeys {
        Evaluator evaluator;

        @Setup(Level.Trial)
        public void make(SchemeBenchmark b) {
            int slots = b.values.length;
            int[] steps = new int[Integer.numberOfTrailingZeros(slots)];
            for (int i = 0; i < steps.length; i++) {
                steps[i] = 1 << i;
            }
            evaluator = new Evaluator(b.evaluator.context(), b.keyGen.evaluationKeys(false, false, steps));
        }
    }

    /** Serialization operands. */
    @State(Scope.Thread)
    public static class Wire {
        CkksContext context;
        KeyGenerator keyGen;
        Ciphertext seeded;
        byte[] seededBytes;

        @Setup(Level.Trial)
        public void make(SchemeBenchmark b) {
            context = b.evaluator.context();
            keyGen = b.keyGen;
            seeded = b.secretEncryptor.encrypt(b.plain);
            seededBytes = Serialization.write(context, seeded);
        }
    }

    /**
     * Operands of the in-place benchmarks, restored before each call from the trial's products (JMH
     * {@code Level.Invocation}: a copy outside the measured time, as sealbench pauses its timer to refill).
     */
    @State(Scope.Thread)
    public static class Refill {
        Ciphertext product3;
        Ciphertext product2;
        private RnsPoly[] polys3;
        private RnsPoly[] polys2;
        private SchemeBenchmark source;

        /** Allocates the working polynomials once. */
        @Setup(Level.Trial)
        public void allocate(SchemeBenchmark b) {
            source = b;
            int k = b.a.level() + 1;
            polys3 = new RnsPoly[] {b.ring.newPoly(k, true), b.ring.newPoly(k, true), b.ring.newPoly(k, true)};
            polys2 = new RnsPoly[] {b.ring.newPoly(k, true), b.ring.newPoly(k, true)};
        }

        /** Copies the products into the working polynomials. */
        @Setup(Level.Invocation)
        public void refill() {
            for (int i = 0; i < 3; i++) {
                polys3[i].copyFrom(source.product3.part(i));
            }
            for (int i = 0; i < 2; i++) {
                polys2[i].copyFrom(source.product2.part(i));
            }
            product3 = new Ciphertext(polys3.clone(), source.product3.scale());
            product2 = new Ciphertext(polys2.clone(), source.product2.scale());
        }
    }

    /**
     * Precision of multiply + relinearize + rescale at N = 8192 (seal8192, scale 2<sup>40</sup>): inputs uniform
     * in [-1, 1] in all 4096 slots, encrypted with the public key (as SEAL's examples do) and with the secret key;
     * the maximum absolute error of x * y over the slots, for {@code trials} fresh key sets (args[0], default 5).
     */
    public static void main(String[] args) {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        CkksParameters params = parameters(13, args.length > 1 ? args[1] : "seal");
        CkksContext context = new CkksContext(params);
        CkksEncoder encoder = new CkksEncoder(context);
        System.out.println(params);
        double[] worst = new double[2];
        double[] sumMax = new double[2];
        double[] sumMean = new double[2];
        double worstFused = 0;
        for (int t = 0; t < trials; t++) {
            KeyGenerator keyGen = new KeyGenerator(context);
            Evaluator ev = new Evaluator(context, keyGen.evaluationKeys(true, false));
            Decryptor dec = new Decryptor(context, keyGen.secretKey());
            Encryptor[] encryptors = {new Encryptor(context, keyGen.publicKey()), new Encryptor(context, keyGen.secretKey())};
            double[] x = random(params.slots(), 10 + t);
            double[] y = random(params.slots(), 100 + t);
            double[] xy = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                xy[i] = x[i] * y[i];
            }
            for (int e = 0; e < 2; e++) {
                Ciphertext cx = encryptors[e].encrypt(encoder.encode(x));
                Ciphertext cy = encryptors[e].encrypt(encoder.encode(y));
                Ciphertext p = ev.multiplyRelin(cx, cy);
                ev.rescaleInPlace(p);
                PrecisionStats st = PrecisionStats.of(xy, encoder.decode(dec.decrypt(p)));
                System.out.printf(Locale.ROOT, "trial %d, %s-key encryption: %s%n", t, e == 0 ? "public" : "secret", st);
                worst[e] = Math.max(worst[e], st.maxError());
                sumMax[e] += st.maxError();
                sumMean[e] += st.meanError();
                Ciphertext f = ev.multiply(cx, cy);
                ev.relinearizeAndRescaleInPlace(f);
                worstFused = Math.max(worstFused, PrecisionStats.of(xy, encoder.decode(dec.decrypt(f))).maxError());
            }
        }
        for (int e = 0; e < 2; e++) {
            System.out.printf(Locale.ROOT,
                    "%s-key inputs: max abs error of x*y (mult+relin+rescale), mean over %d trials %.2e, worst %.2e;"
                            + " mean abs error %.2e%n",
                    e == 0 ? "public" : "secret", trials, sumMax[e] / trials, worst[e], sumMean[e] / trials);
        }
        System.out.printf(Locale.ROOT, "fused relinearize and rescale (one division by P q_l): worst max abs error %.2e%n",
                worstFused);
    }
}
