package io.github.jckks.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SIMD pointwise kernel equals the scalar loops bit for bit (when the JVM runs the vector kernels). */
class PointwiseKernelTest {
    @ParameterizedTest
    @ValueSource(ints = {17, 20, 24, 25, 29, 30})
    void vectorEqualsScalar(int bits) {
        PointwiseKernel fast = ModArith.fast();
        assumeTrue(fast != null, "vector kernels not active in this JVM");
        Random r = new Random(bits);
        for (int logN : new int[] {3, 10, 13}) {
            int n = 1 << logN;
            long qv = Primes.nttPrimes(bits, 1, 1, java.util.Set.of())[0];
            Modulus q = new Modulus(qv);
            long[] x = new long[n + 3];
            long[] y = new long[n + 3];
            for (int j = 0; j < x.length; j++) {
                x[j] = j % 7 == 0 ? qv - 1 : j % 11 == 0 ? 0 : Math.floorMod(r.nextLong(), qv);
                y[j] = j % 5 == 0 ? qv - 1 : Math.floorMod(r.nextLong(), qv);
            }
            long[] expected = new long[x.length];
            long[] actual = new long[x.length];
            for (int j = 0; j < x.length; j++) {
                expected[j] = q.mul(x[j], y[j]);
            }
            fast.mul(x, y, actual, q);
            assertArrayEquals(expected, actual, "mul, " + bits + " bits");
            long[] acc = y.clone();
            for (int j = 0; j < x.length; j++) {
                expected[j] = q.add(y[j], q.mul(x[j], y[j]));
            }
            fast.mulAdd(x, y, acc, q);
            assertArrayEquals(expected, acc, "mulAdd, " + bits + " bits");
            long[] into = new long[x.length];
            fast.mulAdd(x, y, y, into, q); // z = y + x y into a third array, y unchanged
            assertArrayEquals(expected, into, "mulAdd into z, " + bits + " bits");
            long w = Math.floorMod(r.nextLong(), qv);
            for (int j = 0; j < x.length; j++) {
                expected[j] = q.mul(q.sub(x[j], y[j]), w);
            }
            fast.subMulScalar(x, y, w, actual, q);
            assertArrayEquals(expected, actual, "subMulScalar, " + bits + " bits");
            long[] addend = new long[x.length];
            long[] withAddend = new long[x.length];
            for (int j = 0; j < x.length; j++) {
                addend[j] = j % 5 == 0 ? qv - 1 : Math.floorMod(r.nextLong(), qv);
                withAddend[j] = q.add(addend[j], expected[j]);
            }
            fast.subMulScalarAdd(x, y, w, addend, actual, q);
            assertArrayEquals(withAddend, actual, "subMulScalarAdd, " + bits + " bits");
            fast.subMulScalarAdd(x, y, w, addend, addend, q); // z aliasing the addend
            assertArrayEquals(withAddend, addend, "subMulScalarAdd into its addend, " + bits + " bits");
            for (long pv : new long[] {qv, Primes.nttPrimes(Math.min(30, bits + 3), 1, 1, java.util.Set.of())[0],
                    Primes.nttPrimes(Math.max(16, bits - 4), 1, 1, java.util.Set.of())[0]}) {
                long[] v = new long[x.length];
                for (int j = 0; j < v.length; j++) {
                    v[j] = j % 9 == 0 ? pv - 1 : j % 13 == 0 ? pv / 2 : j % 17 == 0 ? pv / 2 + 1 : Math.floorMod(r.nextLong(), pv);
                }
                for (int j = 0; j < v.length; j++) {
                    long centred = v[j] > pv / 2 ? v[j] - pv : v[j];
                    expected[j] = q.reduceSigned(centred);
                }
                fast.centredReduce(v, pv, actual, q);
                assertArrayEquals(expected, actual, "centredReduce from " + pv + " to " + qv);
            }
            // the twisted butterfly against its definition, also with lo aliasing y
            long[] lo = new long[x.length];
            long[] hi = new long[x.length];
            long[] expLo = new long[x.length];
            long[] expHi = new long[x.length];
            for (int j = 0; j < x.length; j++) {
                long u = q.add(x[j], y[j]);
                long v = q.mul(q.sub(x[j], y[j]), x[(j * 7) % x.length]);
                expLo[j] = q.sub(u, v);
                expHi[j] = q.add(u, v);
            }
            long[] tw = new long[x.length];
            for (int j = 0; j < x.length; j++) {
                tw[j] = x[(j * 7) % x.length];
            }
            fast.twistedButterfly(x, y, tw, lo, hi, q);
            assertArrayEquals(expLo, lo, "twistedButterfly lo, " + bits + " bits");
            assertArrayEquals(expHi, hi, "twistedButterfly hi, " + bits + " bits");
            long[] yy = y.clone();
            fast.twistedButterfly(x, yy, tw, yy, hi, q);
            assertArrayEquals(expLo, yy, "twistedButterfly with lo = y");
            // the tensor product against its definition, also in place over b
            long[] c0 = new long[x.length];
            long[] c1 = new long[x.length];
            long[] c2 = new long[x.length];
            long[] e0 = new long[x.length];
            long[] e1 = new long[x.length];
            long[] e2 = new long[x.length];
            for (int j = 0; j < x.length; j++) {
                e0[j] = q.mul(x[j], tw[j]);
                e1[j] = q.add(q.mul(x[j], y[j]), q.mul(y[j], tw[j]));
                e2[j] = q.mul(y[j], y[j]);
            }
            fast.tensor(x, y, tw, y, c0, c1, c2, q);
            assertArrayEquals(e0, c0, "tensor c0, " + bits + " bits");
            assertArrayEquals(e1, c1, "tensor c1, " + bits + " bits");
            assertArrayEquals(e2, c2, "tensor c2, " + bits + " bits");
            long[] b0 = tw.clone();
            long[] b1 = y.clone();
            fast.tensor(x, y, b0, b1, b0, b1, c2, q);
            assertArrayEquals(e0, b0, "tensor c0 over b0");
            assertArrayEquals(e1, b1, "tensor c1 over b1");
            // lazy accumulation of as many products as fit below 2^63, then one reduction; also extreme sums
            int terms = (int) Math.min(64, Long.MAX_VALUE / (qv * qv));
            long[] lazy = new long[x.length];
            long[] reference = new long[x.length];
            for (int t = 0; t < terms; t++) {
                fast.mulAddLazy(x, y, lazy);
                for (int j = 0; j < x.length; j++) {
                    reference[j] = q.add(reference[j], q.mul(x[j], y[j]));
                }
            }
            fast.reduce(lazy, q);
            assertArrayEquals(reference, lazy, "mulAddLazy x " + terms + " then reduce, " + bits + " bits");
            long[] l0 = new long[x.length];
            long[] l1 = new long[x.length];
            fast.mulAddLazy2(x, y, tw, l0, l1, false);
            fast.mulAddLazy2(x, y, tw, l0, l1, false);
            fast.reduce(l0, q);
            fast.reduce(l1, q);
            for (int j = 0; j < x.length; j++) {
                assertEquals(q.mul(2, q.mul(x[j], y[j])), l0[j], "mulAddLazy2 first");
                assertEquals(q.mul(2, q.mul(x[j], tw[j])), l1[j], "mulAddLazy2 second");
            }
            // 32-bit operands are read as unsigned: values with bit 31 set, small x so that the products fit
            int[] high = new int[x.length];
            long[] small = new long[x.length];
            for (int j = 0; j < x.length; j++) {
                high[j] = (int) (0x80000000L + (r.nextLong() >>> 33));
                small[j] = j % 7;
            }
            long[] h0 = new long[x.length];
            long[] h1 = new long[x.length];
            fast.mulAddLazy2(small, high, high, h0, h1, true);
            fast.mulAddLazy2(small, high, high, h0, h1, false);
            for (int j = 0; j < x.length; j++) {
                assertEquals(2 * small[j] * Integer.toUnsignedLong(high[j]), h0[j], "unsigned 32-bit operand at " + j);
                assertEquals(h0[j], h1[j]);
            }
            // the same with the second operands in 32 bits (compact key-switching keys), tail included
            int[] y32 = new int[x.length];
            int[] tw32 = new int[x.length];
            for (int j = 0; j < x.length; j++) {
                y32[j] = (int) y[j];
                tw32[j] = (int) tw[j];
            }
            long[] m0 = new long[x.length];
            long[] m1 = new long[x.length];
            for (int t = 0; t < terms; t++) {
                fast.mulAddLazy2(x, y32, tw32, m0, m1, false);
            }
            fast.reduce(m0, q);
            fast.reduce(m1, q);
            for (int j = 0; j < x.length; j++) {
                assertEquals(q.mul(terms, q.mul(x[j], y[j])), m0[j], "compact mulAddLazy2 first x " + terms);
                assertEquals(q.mul(terms, q.mul(x[j], tw[j])), m1[j], "compact mulAddLazy2 second x " + terms);
            }
            long[] big = new long[x.length];
            for (int j = 0; j < big.length; j++) {
                big[j] = j % 3 == 0 ? Long.MAX_VALUE - j : j % 3 == 1 ? j : r.nextLong() >>> 1;
                expected[j] = q.reduce(big[j]);
            }
            fast.reduce(big, q);
            assertArrayEquals(expected, big, "reduce of 63-bit values, " + bits + " bits");
            // the encoder's reduction of integral doubles below 2^52 in magnitude
            double[] coeffs = new double[x.length];
            for (int j = 0; j < coeffs.length; j++) {
                long v = switch (j % 8) {
                    case 0 -> (1L << 52) - 1 - j;
                    case 1 -> -((1L << 52) - 1) + j;
                    case 2 -> (long) qv * (j - 500);
                    case 3 -> (long) qv * j + qv / 2;
                    case 4 -> -(qv / 2) - j;
                    default -> r.nextLong() >> 12;
                };
                coeffs[j] = v;
                expected[j] = q.reduceSigned(v);
            }
            fast.reduceIntegralDoubles(coeffs, actual, q);
            assertArrayEquals(expected, actual, "reduceIntegralDoubles, " + bits + " bits");
            // Garner's step: (x - t) w with t any value below 2^30
            long[] t = new long[x.length];
            for (int j = 0; j < t.length; j++) {
                t[j] = j % 3 == 0 ? (1L << 30) - 1 - j : j % 3 == 1 ? j : r.nextLong() >>> 34;
            }
            long wg = Math.floorMod(r.nextLong(), qv);
            for (int j = 0; j < x.length; j++) {
                expected[j] = q.mul(q.sub(x[j], q.reduce(t[j])), wg);
            }
            fast.subAnyMulScalar(x, t, wg, actual, q);
            assertArrayEquals(expected, actual, "subAnyMulScalar, " + bits + " bits");
            // scalar products (Shoup), also for w = 0, 1, q - 1, and in place
            for (long w2 : new long[] {0, 1, qv - 1, Math.floorMod(r.nextLong(), qv)}) {
                for (int j = 0; j < x.length; j++) {
                    expected[j] = q.mul(x[j], w2);
                }
                fast.mulScalar(x, w2, actual, q);
                assertArrayEquals(expected, actual, "mulScalar by " + w2 + ", " + bits + " bits");
                long[] inPlace = x.clone();
                fast.mulScalar(inPlace, w2, inPlace, q);
                assertArrayEquals(expected, inPlace, "mulScalar in place");
                long[] sum = y.clone();
                for (int j = 0; j < x.length; j++) {
                    expected[j] = q.add(y[j], q.mul(x[j], w2));
                }
                fast.mulScalarAdd(x, w2, sum, q);
                assertArrayEquals(expected, sum, "mulScalarAdd by " + w2 + ", " + bits + " bits");
            }
        }
    }

    /**
     * The additive kernels take every prime of the engine (up to 61 bits), residues at their extremes included: below
     * 2<sup>31</sup> (31 bits) with unsigned 32-bit minima, from 2<sup>31</sup> (32 bits) on with sign masks.
     */
    @ParameterizedTest
    @ValueSource(ints = {17, 30, 31, 32, 40, 50, 60, 61})
    void additiveKernelsEqualScalar(int bits) {
        PointwiseKernel fast = ModArith.fast();
        assumeTrue(fast != null, "vector kernels not active in this JVM");
        Random r = new Random(bits);
        long qv = Primes.nttPrimes(bits, 1, 1, java.util.Set.of())[0];
        Modulus q = new Modulus(qv);
        int n = 1 << 10;
        long[] x = new long[n + 3];
        long[] y = new long[n + 3];
        for (int j = 0; j < x.length; j++) {
            x[j] = j % 7 == 0 ? qv - 1 : j % 11 == 0 ? 0 : Math.floorMod(r.nextLong(), qv);
            y[j] = j % 5 == 0 ? qv - 1 : j % 13 == 0 ? 0 : Math.floorMod(r.nextLong(), qv);
        }
        long[] expected = new long[x.length];
        long[] actual = new long[x.length];
        for (int j = 0; j < x.length; j++) {
            expected[j] = q.add(x[j], y[j]);
        }
        fast.add(x, y, actual, qv);
        assertArrayEquals(expected, actual, "add, " + bits + " bits");
        for (int j = 0; j < x.length; j++) {
            expected[j] = q.sub(x[j], y[j]);
        }
        fast.sub(x, y, actual, qv);
        assertArrayEquals(expected, actual, "sub, " + bits + " bits");
        long[] inPlace = x.clone();
        fast.sub(inPlace, y, inPlace, qv);
        assertArrayEquals(expected, inPlace, "sub in place");
        for (int j = 0; j < x.length; j++) {
            expected[j] = q.sub(0, x[j]);
        }
        fast.negate(x, actual, qv);
        assertArrayEquals(expected, actual, "negate, " + bits + " bits");
        for (long c : new long[] {0, 1, qv - 1, Math.floorMod(r.nextLong(), qv)}) {
            for (int j = 0; j < x.length; j++) {
                expected[j] = q.add(x[j], c);
            }
            fast.addScalar(x, c, actual, qv);
            assertArrayEquals(expected, actual, "addScalar " + c + ", " + bits + " bits");
        }
    }

    /** The FFT stages equal the scalar butterflies bit for bit (no fused multiply-add on either side). */
    @ParameterizedTest
    @ValueSource(ints = {4, 8, 64, 512})
    void fftStagesEqualScalarButterflies(int half) {
        PointwiseKernel fast = ModArith.fast();
        assumeTrue(fast != null, "vector kernels not active in this JVM");
        Random r = new Random(half);
        int size = 4 * half;
        double[] re = new double[size];
        double[] im = new double[size];
        double[] twRe = new double[half];
        double[] twIm = new double[half];
        for (int j = 0; j < size; j++) {
            re[j] = r.nextGaussian() * 1e6;
            im[j] = r.nextGaussian();
        }
        for (int j = 0; j < half; j++) {
            twRe[j] = Math.cos(0.1 * j + 0.3);
            twIm[j] = Math.sin(0.1 * j + 0.3);
        }
        for (boolean forward : new boolean[] {true, false}) {
            double[] eRe = re.clone();
            double[] eIm = im.clone();
            if (forward) {
                ComplexFft.scalarForwardStage(eRe, eIm, twRe, twIm, half);
            } else {
                ComplexFft.scalarInverseStage(eRe, eIm, twRe, twIm, half);
            }
            double[] aRe = re.clone();
            double[] aIm = im.clone();
            if (forward) {
                fast.fftForwardStage(aRe, aIm, twRe, twIm, half);
            } else {
                fast.fftInverseStage(aRe, aIm, twRe, twIm, half);
            }
            assertArrayEquals(eRe, aRe, (forward ? "forward" : "inverse") + " stage, real parts");
            assertArrayEquals(eIm, aIm, (forward ? "forward" : "inverse") + " stage, imaginary parts");
        }
        // malformed stages are refused (half 0 would never advance)
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> fast.fftForwardStage(re, im, twRe, twIm, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> fast.fftInverseStage(re, new double[size - 4], twRe, twIm, half));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> fast.fftForwardStage(re, im, new double[half - 4], twIm, half));
    }

    /** baseConvert at the edges of its bounds: the largest residues, weights and quotients, 1 to 4 sources. */
    @ParameterizedTest
    @ValueSource(ints = {17, 20, 24, 30})
    void baseConvertAtItsBounds(int bits) {
        PointwiseKernel fast = ModArith.fast();
        assumeTrue(fast != null, "vector kernels not active in this JVM");
        Modulus p = new Modulus(Primes.nttPrimes(bits, 1, 1, java.util.Set.of())[0]);
        long pv = p.value();
        Random r = new Random(bits);
        int n = 64 + 3;
        for (int k = 1; k <= 4; k++) {
            long[][] y = new long[k][n];
            long[] h = new long[k];
            long[] v = new long[n];
            for (int i = 0; i < k; i++) {
                h[i] = i == 0 ? pv - 1 : Math.floorMod(r.nextLong(), pv);
                for (int j = 0; j < n; j++) {
                    y[i][j] = j % 2 == 0 ? (1L << 30) - 1 : r.nextLong() >>> 34;
                }
            }
            for (int j = 0; j < n; j++) {
                v[j] = j % 3 == 0 ? k : r.nextInt(k + 1);
            }
            long c = pv - 1;
            long[] z = new long[n];
            fast.baseConvert(y, k, h, v, c, z, p);
            for (int j = 0; j < n; j++) {
                java.math.BigInteger sum = java.math.BigInteger.valueOf(v[j]).multiply(java.math.BigInteger.valueOf(c));
                for (int i = 0; i < k; i++) {
                    sum = sum.add(java.math.BigInteger.valueOf(y[i][j]).multiply(java.math.BigInteger.valueOf(h[i])));
                }
                assertEquals(sum.mod(java.math.BigInteger.valueOf(pv)).longValueExact(), z[j],
                        k + " sources, " + bits + "-bit target, slot " + j);
            }
        }
    }

    /**
     * The SIMD discrete Gaussian (cumulative table compared in 4 lanes) equals the scalar loop draw for draw: random
     * draws, draws whose 63 bits sit exactly at, just below and just above every threshold, with either sign bit, and
     * the extremes; lengths with and without a scalar tail.
     */
    @Test
    void cdtSampleEqualsScalar() {
        PointwiseKernel fast = ModArith.fast();
        assumeTrue(fast != null, "vector kernels not active in this JVM");
        long[] t = RlweSampler.THRESHOLDS;
        Random r = new Random(5);
        for (int n : new int[] {1, 4, 7, 2048, 4099}) {
            long[] draws = new long[n];
            for (int j = 0; j < n; j++) {
                long edge = t[r.nextInt(t.length)] + (r.nextInt(3) - 1); // r at, below or above a threshold
                draws[j] = switch (j % 4) {
                    case 0 -> r.nextLong();
                    case 1 -> (edge << 1) | r.nextInt(2);
                    case 2 -> j % 8 == 2 ? 0L : 1L; // r = 0, both signs
                    default -> j % 8 == 3 ? -1L : -2L; // r = 2^63 - 1, both signs
                };
            }
            long[] expected = draws.clone();
            RlweSampler.cdtSampleScalar(expected, t);
            long[] actual = draws.clone();
            fast.cdtSample(actual, t);
            assertArrayEquals(expected, actual, "n = " + n);
            for (int j = 0; j < n; j++) {
                assertTrue(Math.abs(actual[j]) <= RlweSampler.ERROR_BOUND, "sample " + actual[j]);
            }
        }
    }

    /**
     * The SIMD rejection loop of the uniform sampler equals the scalar one: the same residues at the same places and
     * the same end index. The first thousand draws are all accepted, edge values among them (0, q - 1, q, 2q, t - 1),
     * so the vector path reduces them; later come scattered rejections (at and above t), a run of them, and groups
     * mixing both. Primes of 16 to 30 bits (Barrett on 32-bit draws), a 12-bit one (scalar inside the kernel) and a
     * prime just above 2<sup>29</sup>, which rejects about an eighth of its draws (t = 7q).
     */
    @ParameterizedTest
    @ValueSource(ints = {12, 16, 20, 24, 30, -29})
    void acceptAndReduceEqualsScalar(int bits) {
        PointwiseKernel fast = ModArith.fast();
        assumeTrue(fast != null, "vector kernels not active in this JVM");
        long qv = bits > 0 ? Primes.nttPrimes(bits, 1, 1, java.util.Set.of())[0]
                : java.math.BigInteger.ONE.shiftLeft(-bits).nextProbablePrime().longValueExact();
        Modulus q = new Modulus(qv);
        long t = (1L << 32) / qv * qv;
        long[] edges = {0, qv - 1, qv, 2 * qv, t - 1};
        Random r = new Random(bits);
        for (int count : new int[] {3, 64, 2048, 2051}) {
            int[] draws = new int[count];
            for (int k = 0; k < count; k++) {
                long v;
                if (k < 1000) {
                    v = k % 9 == 0 ? edges[(k / 9) % edges.length] : r.nextLong(t);
                } else {
                    boolean reject = k % 97 == 5 || (k >= 1040 && k < 1046) || k % 31 == 2;
                    v = reject ? t + r.nextLong((1L << 32) - t) : k % 13 == 0 ? t - 1 : r.nextLong(t);
                }
                draws[k] = (int) v;
            }
            long[] expected = new long[count + 7];
            long[] actual = new long[count + 7];
            int je = RlweSampler.acceptAndReduce(draws, count, t, expected, 7, q);
            int ja = fast.acceptAndReduce(draws, count, t, actual, 7, q);
            assertEquals(je, ja, "end index, " + bits + " bits, " + count + " draws");
            assertArrayEquals(expected, actual, bits + " bits, " + count + " draws");
        }
    }

    /**
     * The SIMD signed addition of a rescale's error equals the scalar loop at every prime size, with both signs, and
     * reports the bound that the caller checks: e = q - 1 passes, e = q and Long.MIN_VALUE are reported.
     */
    @ParameterizedTest
    @ValueSource(ints = {17, 24, 30, 31, 40, 60})
    void addSignedEqualsScalar(int bits) {
        PointwiseKernel fast = ModArith.fast();
        assumeTrue(fast != null, "vector kernels not active in this JVM");
        long qv = Primes.nttPrimes(bits, 1, 1, java.util.Set.of())[0];
        Random r = new Random(bits);
        for (int n : new int[] {3, 2048, 2051}) {
            long[] z = new long[n];
            long[] e = new long[n];
            for (int j = 0; j < n; j++) {
                z[j] = j % 7 == 0 ? qv - 1 : j % 11 == 0 ? 0 : r.nextLong(qv);
                e[j] = j % 5 == 0 ? (j % 10 == 0 ? qv - 1 : 1 - qv) : r.nextInt(41) - 20;
            }
            for (int sign : new int[] {1, -1}) {
                long[] expected = z.clone();
                long[] actual = z.clone();
                long be = RnsRing.addSignedScalar(expected, e, sign, qv);
                long ba = fast.addSigned(actual, e, sign, qv);
                assertArrayEquals(expected, actual, bits + " bits, sign " + sign + ", n = " + n);
                assertEquals(be, ba, "bound");
                assertTrue(ba >= qv - 1 && ba < 2 * qv, "bound " + ba);
            }
        }
        long[] z = new long[8];
        long[] e = new long[8];
        e[5] = -qv;
        assertTrue(fast.addSigned(z.clone(), e, 1, qv) >= qv, "|e| = q reported");
        e[5] = Long.MIN_VALUE;
        assertTrue(fast.addSigned(z.clone(), e, 1, qv) < 0, "Long.MIN_VALUE reported");
    }
}
