package io.github.jckks.jmh;

import io.github.jckks.math.BasisExtension;
import io.github.jckks.math.Primes;
import io.github.jckks.math.RnsBasis;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
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
 * RNS polynomial arithmetic on {@code primes} limbs of {@code bits}-bit primes at N = 2<sup>logN</sup>, with
 * the JVM's active NTT kernel: pointwise product ({@link RnsRing#mulPointwise}), rescale in NTT form
 * ({@link RnsRing#rescale}: one inverse and primes - 1 forward NTTs) and fast basis extension
 * ({@link BasisExtension#convert}) from the {@code primes} primes to as many other primes. All operands are
 * built in {@code @Setup}; the measured methods write into preallocated outputs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RnsBenchmark {
    @Param({"13", "14"})
    public int logN;

    @Param({"3", "8"})
    public int primes;

    @Param({"30", "50"})
    public int bits;

    private RnsRing ring;
    private RnsPoly a;
    private RnsPoly b;
    private RnsPoly product;
    private RnsPoly rescaled;
    private RnsPoly coeff;
    private RnsPoly extended;
    private BasisExtension extension;

    @Setup
    public void setup() {
        long[] all = Primes.nttPrimes(bits, logN, 2 * primes, List.of());
        long[] from = java.util.Arrays.copyOf(all, primes);
        long[] to = java.util.Arrays.copyOfRange(all, primes, 2 * primes);
        RnsBasis basis = new RnsBasis(from);
        ring = new RnsRing(logN, basis);
        SplittableRandom random = new SplittableRandom(7);
        a = randomPoly(random, true);
        b = randomPoly(random, true);
        product = ring.newPoly(primes, true);
        rescaled = ring.newPoly(primes - 1, true);
        coeff = randomPoly(random, false);
        extension = new BasisExtension(basis, new RnsBasis(to));
        extended = new RnsPoly(1 << logN, primes, false);
    }

    private RnsPoly randomPoly(SplittableRandom random, boolean ntt) {
        RnsPoly p = ring.newPoly(primes, ntt);
        for (int i = 0; i < primes; i++) {
            long q = ring.modulus(i).value();
            long[] limb = p.limb(i);
            for (int j = 0; j < limb.length; j++) {
                limb[j] = random.nextLong(q);
            }
        }
        return p;
    }

    /** out = a &odot; b over all limbs. */
    @Benchmark
    public RnsPoly mulPointwise() {
        ring.mulPointwise(a, b, product);
        return product;
    }

    /** Divides an NTT-form polynomial by its last prime with rounding (drops one limb). */
    @Benchmark
    public RnsPoly rescale() {
        ring.rescale(a, rescaled);
        return rescaled;
    }

    /** Fast (approximate, HPS) basis extension of a coefficient-form polynomial to {@code primes} other primes. */
    @Benchmark
    public RnsPoly basisExtension() {
        extension.convert(coeff, extended);
        return extended;
    }
}
