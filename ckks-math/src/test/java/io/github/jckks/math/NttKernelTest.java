package io.github.jckks.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Correctness of the NTT kernels: ring products against a naive negacyclic convolution, round trips, and
 * bit-identity of the Vector API kernel with the scalar kernel for every prime it supports.
 */
class NttKernelTest {
    private static final int[] BITS = {17, 24, 30, 40, 50, 60, 61};
    private static final int[] VECTOR_BITS = {17, 20, 24, 28, 29, 30};
    private static final SplittableRandom RANDOM = new SplittableRandom(20261125);

    private static List<NttKernel> kernels() {
        List<NttKernel> list = new ArrayList<>();
        list.add(NttKernels.scalar());
        NttKernels.vector().ifPresent(list::add);
        return list;
    }

    private static Optional<Long> prime(int bits, int logN, int index) {
        if (bits < logN + 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(Primes.nttPrimes(bits, logN, index + 1, List.of())[index]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Uniform residues in [0, q), with 0 and q - 1 planted at the ends and a few random places. */
    private static long[] randomPoly(int n, long q) {
        long[] a = new long[n];
        for (int j = 0; j < n; j++) {
            a[j] = RANDOM.nextLong(q);
        }
        a[0] = q - 1;
        a[n - 1] = 0;
        for (int k = 0; k < Math.min(8, n / 4); k++) {
            a[RANDOM.nextInt(n)] = q - 1;
            a[RANDOM.nextInt(n)] = 0;
        }
        return a;
    }

    private static long[] naiveNegacyclic(long[] a, long[] b, Modulus m) {
        int n = a.length;
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                long p = m.mul(a[i], b[j]);
                int k = i + j;
                if (k < n) {
                    c[k] = m.add(c[k], p);
                } else {
                    c[k - n] = m.sub(c[k - n], p);
                }
            }
        }
        return c;
    }

    @Test
    void productMatchesNaiveNegacyclicConvolution() {
        for (NttKernel kernel : kernels()) {
            for (int logN = 1; logN <= 8; logN++) {
                for (int bits : BITS) {
                    Optional<Long> p = prime(bits, logN, 0);
                    if (p.isEmpty()) {
                        continue;
                    }
                    Modulus m = new Modulus(p.get());
                    NttTables tables = new NttTables(m, logN);
                    int n = 1 << logN;
                    long[] a = randomPoly(n, m.value());
                    long[] b = randomPoly(n, m.value());
                    long[] expected = naiveNegacyclic(a, b, m);
                    kernel.forward(a, tables);
                    kernel.forward(b, tables);
                    for (int j = 0; j < n; j++) {
                        a[j] = m.mul(a[j], b[j]);
                    }
                    kernel.inverse(a, tables);
                    assertArrayEquals(expected, a, kernel.name() + " N=2^" + logN + " q=" + m);
                }
            }
        }
    }

    @Test
    void inverseUndoesForward() {
        for (NttKernel kernel : kernels()) {
            for (int logN = 1; logN <= 14; logN++) {
                for (int bits : BITS) {
                    Optional<Long> p = prime(bits, logN, 0);
                    if (p.isEmpty()) {
                        continue;
                    }
                    roundTrip(kernel, new NttTables(new Modulus(p.get()), logN));
                }
            }
            roundTrip(kernel, new NttTables(new Modulus(Primes.nttPrimes(30, 17, 1, List.of())[0]), 17));
        }
    }

    /** forward takes residues only reduced into [0, 4q): the same output as their reduced values. */
    @Test
    void forwardTakesInputsBelowFourQ() {
        List<NttKernel> all = new ArrayList<>(kernels());
        all.addAll(vectorKernels());
        SplittableRandom rnd = new SplittableRandom(41);
        for (NttKernel kernel : all) {
            for (int logN : new int[] {4, 10, 13}) {
                for (int bits : new int[] {17, 24, 30, 40, 61}) {
                    Optional<Long> p = prime(bits, logN, 0);
                    if (p.isEmpty() || (bits > 30 && !kernel.supports(new Modulus(p.get())) && kernel != NttKernels.scalar())) {
                        continue;
                    }
                    long q = p.get();
                    if (4 * q < 0) {
                        continue;
                    }
                    NttTables tables = new NttTables(new Modulus(q), logN);
                    long[] a = randomPoly(tables.n(), q);
                    long[] lazy = a.clone();
                    for (int j = 0; j < lazy.length; j++) {
                        lazy[j] += q * rnd.nextInt(4); // in [0, 4q)
                    }
                    lazy[0] = a[0] + 3 * q;
                    kernel.forward(a, tables);
                    kernel.forward(lazy, tables);
                    assertArrayEquals(a, lazy, kernel.name() + " N=" + tables.n() + " q=" + q);
                }
            }
        }
    }

    private static void roundTrip(NttKernel kernel, NttTables tables) {
        long q = tables.modulus().value();
        long[] a = randomPoly(tables.n(), q);
        long[] copy = a.clone();
        kernel.forward(a, tables);
        for (long x : a) {
            assertTrue(x >= 0 && x < q, "forward output not reduced");
        }
        kernel.inverse(a, tables);
        assertArrayEquals(copy, a, kernel.name() + " N=" + tables.n() + " q=" + tables.modulus());
    }

    /** The active vector kernel and the alternative implementations of the vector package. */
    private static List<NttKernel> vectorKernels() {
        List<NttKernel> list = new ArrayList<>();
        NttKernels.vector().ifPresent(list::add);
        if (!list.isEmpty()) {
            for (String name : new String[] {"IntLaneNttKernel"}) {
                try {
                    Class<?> c = Class.forName("io.github.jckks.math.vector." + name);
                    list.add((NttKernel) c.getField("INSTANCE").get(null));
                } catch (ReflectiveOperationException e) {
                    // an alternative that no longer exists
                }
            }
        }
        return list;
    }

    @Test
    void vectorKernelIsBitIdenticalToScalar() {
        List<NttKernel> vectors = vectorKernels();
        assumeTrue(!vectors.isEmpty(), "jdk.incubator.vector not readable");
        NttKernel scalar = NttKernels.scalar();
        for (NttKernel vectorKernel : vectors) {
            Optional<NttKernel> vector = Optional.of(vectorKernel);
        for (int logN : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17}) {
            for (int bits : VECTOR_BITS) {
                for (int index = 0; index < (logN <= 14 ? 2 : 1); index++) {
                    Optional<Long> p = prime(bits, logN, index);
                    if (p.isEmpty()) {
                        continue;
                    }
                    Modulus m = new Modulus(p.get());
                    assertTrue(vector.get().supports(m));
                    NttTables tables = new NttTables(m, logN);
                    int n = tables.n();
                    long q = m.value();
                    List<long[]> inputs = List.of(randomPoly(n, q), constant(n, q - 1), constant(n, 0));
                    for (long[] in : inputs) {
                        String where = vectorKernel.name() + " N=2^" + logN + " q=" + m;
                        long[] s = in.clone();
                        long[] v = in.clone();
                        scalar.forward(s, tables);
                        vector.get().forward(v, tables);
                        assertArrayEquals(s, v, "forward " + where);
                        s = in.clone();
                        v = in.clone();
                        scalar.inverse(s, tables);
                        vector.get().inverse(v, tables);
                        assertArrayEquals(s, v, "inverse " + where);
                    }
                }
            }
        }
        }
    }

    private static long[] constant(int n, long value) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    @Test
    void kernelsByName() {
        assertSame(ScalarNttKernel.INSTANCE, NttKernels.byName("scalar"));
        assertSame(NttKernels.scalar(), NttKernels.byName("SCALAR"));
        assertThrows(IllegalArgumentException.class, () -> NttKernels.byName("gpu"));
        Optional<NttKernel> vector = NttKernels.vector();
        if (vector.isPresent()) {
            assertSame(vector.get(), NttKernels.byName("vector"));
            assertEquals("vector", vector.get().name());
        } else {
            assertThrows(IllegalStateException.class, () -> NttKernels.byName("vector"));
        }
        NttKernel active = NttKernels.get();
        assertTrue(active == NttKernels.scalar() || active == vector.orElse(null));
    }

    @Test
    void supportsIsConsistent() {
        for (int bits = 2; bits <= Modulus.MAX_BITS; bits++) {
            Modulus m = new Modulus((1L << (bits - 1)) + 1);
            assertTrue(NttKernels.scalar().supports(m));
        }
        Optional<NttKernel> vector = NttKernels.vector();
        assumeTrue(vector.isPresent(), "jdk.incubator.vector not readable");
        assertTrue(vector.get().supports(new Modulus((1L << 30) - 35)));
        assertFalse(vector.get().supports(new Modulus((1L << 30) + 3)));
        assertFalse(vector.get().supports(new Modulus((1L << 60) + 33)));
        // a ring built with the vector kernel uses it exactly for the primes it supports
        long[] small = Primes.nttPrimes(30, 10, 1, List.of());
        long[] large = Primes.nttPrimes(50, 10, 1, List.of());
        RnsRing ring = new RnsRing(10, new RnsBasis(small[0], large[0]), vector.get());
        assertSame(vector.get(), ring.kernel(0));
        assertSame(NttKernels.scalar(), ring.kernel(1));
    }

    @Test
    void wrongLengthIsRejected() {
        NttTables tables = new NttTables(new Modulus(Primes.nttPrimes(30, 4, 1, List.of())[0]), 4);
        for (NttKernel kernel : kernels()) {
            assertThrows(IllegalArgumentException.class, () -> kernel.forward(new long[8], tables));
            assertThrows(IllegalArgumentException.class, () -> kernel.inverse(new long[32], tables));
        }
    }
}
