package io.github.jckks.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Prng} (AES-256-CTR against an AES-ECB reference) and {@link RlweSampler} (uniform, ternary, Hamming
 * weight and Gaussian distributions). Seeds are fixed, so the statistical tests are deterministic; their
 * thresholds are chosen so that a correct sampler fails them with probability below about 10^-4 for a seed.
 */
class SamplerTest {
    private static final double MIN_P_VALUE = 1e-4;
    private static final ChiSquareTest CHI_SQUARE = new ChiSquareTest();

    private static byte[] seed(int tag) {
        byte[] s = new byte[Prng.SEED_BYTES];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (tag * 31 + i * 7);
        }
        return s;
    }

    /** The AES-256-CTR key stream computed block by block with AES-ECB: E_k(0), E_k(1), ... (128-bit big-endian counter). */
    private static byte[] referenceKeyStream(byte[] key, int bytes) throws Exception {
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        byte[] out = new byte[bytes];
        byte[] counter = new byte[16];
        for (int off = 0; off < bytes; off += 16) {
            byte[] block = ecb.doFinal(counter);
            System.arraycopy(block, 0, out, off, Math.min(16, bytes - off));
            for (int i = 15; i >= 0 && ++counter[i] == 0; i--) {
                // carry
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ Prng

    @Test
    void prngIsAes256Ctr() throws Exception {
        // FIPS-197-style known answer: AES-256 of the zero block under the zero key
        Prng zero = new Prng(new byte[32]);
        byte[] first = new byte[16];
        zero.nextBytes(first);
        assertEquals("dc95c078a2408989ad48a21492842087", HexFormat.of().formatHex(first));
        for (int tag : new int[] {0, 1, 2}) {
            byte[] key = seed(tag);
            byte[] expected = referenceKeyStream(key, 3 * 4096 + 100);
            byte[] got = new byte[expected.length];
            new Prng(key).nextBytes(got);
            assertArrayEquals(expected, got, "byte stream, seed " + tag);
            // nextLong consumes the same stream 8 bytes at a time, in one fixed byte order
            Prng p = new Prng(key);
            Boolean littleEndian = null;
            for (int i = 0; i + 8 <= expected.length; i += 8) {
                long be = 0;
                long le = 0;
                for (int b = 0; b < 8; b++) {
                    be = (be << 8) | (expected[i + b] & 0xFF);
                    le |= (expected[i + b] & 0xFFL) << (8 * b);
                }
                long v = p.nextLong();
                if (littleEndian == null) {
                    assertTrue(v == le || v == be, "nextLong is not the first 8 bytes of the key stream");
                    littleEndian = v == le;
                }
                assertEquals(littleEndian ? le : be, v, "nextLong at byte " + i);
            }
            // nextInt consumes 4 bytes in the same byte order
            Prng pi = new Prng(key);
            for (int i = 0; i + 4 <= expected.length; i += 4) {
                int be = 0;
                int le = 0;
                for (int b = 0; b < 4; b++) {
                    be = (be << 8) | (expected[i + b] & 0xFF);
                    le |= (expected[i + b] & 0xFF) << (8 * b);
                }
                assertEquals(littleEndian ? le : be, pi.nextInt(), "nextInt at byte " + i);
            }
        }
    }

    @Test
    void reseedGivesTheStreamOfAFreshGenerator() {
        Prng p = new Prng(seed(7));
        long[] skip = new long[777];
        p.nextLongs(skip, 0, skip.length); // part of a buffer consumed: none of it may leak into the next stream
        p.nextByte();
        for (int tag : new int[] {8, 9, 8}) {
            p.reseed(seed(tag));
            Prng fresh = new Prng(seed(tag));
            long[] x = new long[5000];
            long[] y = new long[5000];
            p.nextLongs(x, 0, x.length);
            fresh.nextLongs(y, 0, y.length);
            assertArrayEquals(y, x, "seed " + tag);
        }
        assertThrows(IllegalArgumentException.class, () -> p.reseed(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> p.reseed(null));
    }

    @Test
    void sameSeedSameStreamDifferentSeedsDiffer() {
        byte[] s = seed(5);
        Prng a = new Prng(s);
        Prng b = new Prng(s.clone());
        for (int i = 0; i < 20_000; i++) {
            if (i % 3 == 0) {
                assertEquals(a.nextByte(), b.nextByte());
            } else if (i % 3 == 1) {
                assertEquals(a.nextLong(), b.nextLong());
            } else {
                assertEquals(a.nextLong(1000 + i), b.nextLong(1000 + i));
            }
        }
        // flipping a single seed bit changes the stream
        byte[] t = s.clone();
        t[31] ^= 1;
        long[] x = new long[64];
        long[] y = new long[64];
        Prng c = new Prng(s);
        Prng d = new Prng(t);
        for (int i = 0; i < x.length; i++) {
            x[i] = c.nextLong();
            y[i] = d.nextLong();
        }
        assertFalse(Arrays.equals(x, y));
        int equalWords = 0;
        for (int i = 0; i < x.length; i++) {
            equalWords += x[i] == y[i] ? 1 : 0;
        }
        assertEquals(0, equalWords);
        // the seed array is not retained: changing it afterwards does not change the stream
        byte[] u = seed(6);
        Prng e = new Prng(u);
        long e0 = e.nextLong();
        Arrays.fill(u, (byte) 0);
        assertEquals(e0, new Prng(seed(6)).nextLong());
    }

    @Test
    void seedLengthIsValidated() {
        for (byte[] bad : new byte[][] {null, new byte[0], new byte[16], new byte[31], new byte[33], new byte[64]}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Prng(bad));
            assertTrue(e.getMessage().contains("32"), e.getMessage());
        }
    }

    @Test
    void freshSeedsAreFreshAndTheRightLength() {
        byte[] a = Prng.freshSeed();
        byte[] b = Prng.freshSeed();
        assertEquals(Prng.SEED_BYTES, a.length);
        assertFalse(Arrays.equals(a, b));
        assertNotEquals(Prng.fromSecureRandom().nextLong(), Prng.fromSecureRandom().nextLong());
    }

    @Test
    void boundedNextLongIsInRangeAndUniform() {
        Prng p = new Prng(seed(7));
        assertThrows(IllegalArgumentException.class, () -> p.nextLong(0));
        assertThrows(IllegalArgumentException.class, () -> p.nextLong(-3));
        for (int i = 0; i < 100; i++) {
            assertEquals(0, p.nextLong(1));
            long v = p.nextLong(Long.MAX_VALUE);
            assertTrue(v >= 0);
        }
        for (long bound : new long[] {2, 3, 10, 64, 100}) {
            int buckets = (int) bound;
            long[] counts = new long[buckets];
            int samples = 200 * buckets;
            for (int i = 0; i < samples; i++) {
                long v = p.nextLong(bound);
                assertTrue(v >= 0 && v < bound);
                counts[(int) v]++;
            }
            double[] expected = new double[buckets];
            Arrays.fill(expected, (double) samples / buckets);
            assertTrue(CHI_SQUARE.chiSquareTest(expected, counts) > MIN_P_VALUE, "bound " + bound + ": " + Arrays.toString(counts));
        }
    }

    // ------------------------------------------------------------------------------------------ uniform

    @Test
    void uniformResiduesAreInRangeAndPassChiSquare() {
        int logN = 12;
        // primes just above a power of two (about half the draws are rejected), of 30, 32 (below 2^32), 45, 61 bits
        long[] primes = {Primes.nttPrimesNear(40, logN, 1, List.of())[0], Primes.nttPrimes(30, logN, 1, List.of())[0],
            Primes.nttPrimes(61, logN, 1, List.of())[0], Primes.nttPrimes(45, logN, 1, List.of())[0],
            Primes.nttPrimes(32, logN, 1, List.of())[0], Primes.nttPrimesNear(31, logN, 1, List.of())[0]};
        assertTrue(primes[4] < (1L << 32) && primes[5] > (1L << 31));
        assertTrue(primes[0] > (1L << 40));
        RnsRing ring = new RnsRing(logN, new RnsBasis(primes));
        Prng prng = new Prng(seed(8));
        int polys = 4;
        int buckets = 64;
        long[][] high = new long[primes.length][buckets];
        long[][] low = new long[primes.length][buckets];
        for (int t = 0; t < polys; t++) {
            RnsPoly p = ring.newPoly(primes.length, t % 2 == 0);
            RlweSampler.uniform(prng, ring, p);
            assertEquals(t % 2 == 0, p.isNtt(), "the form tag is left as it is");
            for (int i = 0; i < primes.length; i++) {
                long q = primes[i];
                for (long r : p.limb(i)) {
                    assertTrue(r >= 0 && r < q, "residue " + r + " not in [0, " + q + ")");
                    high[i][(int) (BigInteger.valueOf(r).shiftLeft(6).divide(BigInteger.valueOf(q)).longValue())]++;
                    low[i][(int) (r & (buckets - 1))]++;
                }
            }
        }
        long samples = (long) polys * ring.n();
        for (int i = 0; i < primes.length; i++) {
            long q = primes[i];
            double[] expectedHigh = new double[buckets];
            double[] expectedLow = new double[buckets];
            for (int b = 0; b < buckets; b++) {
                // exact share of [0, q) in each bucket
                long start = ceilDiv(BigInteger.valueOf(q).multiply(BigInteger.valueOf(b)), 64);
                long end = ceilDiv(BigInteger.valueOf(q).multiply(BigInteger.valueOf(b + 1)), 64);
                expectedHigh[b] = samples * (double) (end - start) / q;
                expectedLow[b] = samples * (double) (q / buckets + (b < q % buckets ? 1 : 0)) / q;
            }
            double pHigh = CHI_SQUARE.chiSquareTest(expectedHigh, high[i]);
            double pLow = CHI_SQUARE.chiSquareTest(expectedLow, low[i]);
            assertTrue(pHigh > MIN_P_VALUE, "high buckets mod " + q + ": p = " + pHigh);
            assertTrue(pLow > MIN_P_VALUE, "low bits mod " + q + ": p = " + pLow);
        }
        // fewer limbs: only those are filled
        RnsPoly two = ring.newPoly(2, false);
        RlweSampler.uniform(prng, ring, two);
        assertEquals(2, two.limbCount());
        // deterministic
        RnsPoly a = ring.newPoly(4, false);
        RnsPoly b = ring.newPoly(4, false);
        RlweSampler.uniform(new Prng(seed(9)), ring, a);
        RlweSampler.uniform(new Prng(seed(9)), ring, b);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(a.limb(i), b.limb(i));
        }
        // the bulk expansion is the documented one-draw-at-a-time rule (SERIALIZATION.md): u32 draws r in stream
        // order, accepted below floor(2^32 / q) q, residue r mod q; also across buffer refills and after a byte
        RnsRing small = new RnsRing(logN, new RnsBasis(new long[] {Primes.nttPrimes(30, logN, 1, List.of())[0],
            Primes.nttPrimes(25, logN, 1, List.of())[0], Primes.nttPrimes(32, logN, 1, List.of())[0]}));
        RnsPoly expanded = small.newPoly(3, true);
        RlweSampler.uniform(new Prng(seed(9)), small, expanded);
        Prng reference = new Prng(seed(9));
        for (int i = 0; i < 3; i++) {
            long q = small.modulus(i).value();
            long t = (1L << 32) / q * q;
            for (int j = 0; j < expanded.limb(i).length; j++) {
                long r;
                do {
                    r = reference.nextInt() & 0xFFFFFFFFL;
                } while (r >= t);
                assertEquals(r % q, expanded.limb(i)[j], "limb " + i + " residue " + j);
            }
        }
        Prng bulk = new Prng(seed(10));
        Prng single = new Prng(seed(10));
        bulk.nextByte();
        single.nextByte();
        int[] ints = new int[3000];
        bulk.nextInts(ints, 0, ints.length);
        for (int v : ints) {
            assertEquals(single.nextInt(), v, "nextInts equals repeated nextInt");
        }
    }

    private static long ceilDiv(BigInteger a, long b) {
        BigInteger[] qr = a.divideAndRemainder(BigInteger.valueOf(b));
        return qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
    }

    // ------------------------------------------------------------------------------------------ ternary

    @Test
    void ternaryIsUniformOverMinusOneZeroOne() {
        int n = 300_000;
        long[] s = RlweSampler.ternary(new Prng(seed(10)), n);
        assertEquals(n, s.length);
        long[] counts = new long[3];
        long sum = 0;
        for (long v : s) {
            assertTrue(v >= -1 && v <= 1, "value " + v);
            counts[(int) v + 1]++;
            sum += v;
        }
        // each value: mean n/3, standard deviation sqrt(n (1/3)(2/3)) ~ 258; allow 5 standard deviations
        double sd = Math.sqrt(n * (1.0 / 3) * (2.0 / 3));
        for (long c : counts) {
            assertEquals(n / 3.0, c, 5 * sd, Arrays.toString(counts));
        }
        // mean: standard deviation sqrt(2/3 / n) ~ 0.0015
        assertEquals(0, (double) sum / n, 5 * Math.sqrt(2.0 / 3 / n));
        assertTrue(CHI_SQUARE.chiSquareTest(new double[] {n / 3.0, n / 3.0, n / 3.0}, counts) > MIN_P_VALUE);
        assertArrayEquals(s, RlweSampler.ternary(new Prng(seed(10)), n), "deterministic");
        assertEquals(0, RlweSampler.ternary(new Prng(seed(10)), 0).length);
    }

    @Test
    void bulkDrawsEqualOneDrawAtATime() {
        // nextLongs / nextBytes across buffer refills, from an odd starting offset in the key stream
        Prng bulk = new Prng(seed(11));
        Prng single = new Prng(seed(11));
        assertEquals(single.nextInt(), bulk.nextInt());
        long[] longs = new long[1500];
        bulk.nextLongs(longs, 3, 1490);
        for (int i = 3; i < 1493; i++) {
            assertEquals(single.nextLong(), longs[i], "nextLongs equals repeated nextLong at " + i);
        }
        assertEquals(0, longs[0] | longs[1] | longs[2] | longs[1493]);
        byte[] bytes = new byte[9000];
        bulk.nextBytes(bytes, 1, 8998);
        for (int i = 1; i < 8999; i++) {
            assertEquals(single.nextByte(), bytes[i] & 0xFF, "nextBytes equals repeated nextByte at " + i);
        }
        assertEquals(single.nextLong(), bulk.nextLong(), "both streams at the same position afterwards");

        // ternary: one byte per coefficient, 255 rejected, b mod 3 - 1 (the bulk form follows this rule exactly)
        int n = 70_000; // about 274 rejections
        long[] t = new long[n];
        Prng p = new Prng(seed(12));
        p.nextByte();
        RlweSampler.ternary(p, t);
        Prng rule = new Prng(seed(12));
        rule.nextByte();
        int rejected = 0;
        for (int j = 0; j < n; j++) {
            int b;
            while ((b = rule.nextByte()) == 255) {
                rejected++;
            }
            assertEquals(b % 3 - 1, t[j], "ternary coefficient " + j);
        }
        assertTrue(rejected > 0, "the test must exercise a rejection");
        assertEquals(rule.nextLong(), p.nextLong(), "both streams at the same position afterwards");
    }

    @ParameterizedTest
    @CsvSource({"16, 0", "16, 1", "16, 8", "16, 16", "1024, 64", "4096, 192", "4096, 2048", "4096, 4096"})
    void hammingWeightIsExact(int n, int h) {
        Prng prng = new Prng(seed(11));
        for (int t = 0; t < 5; t++) {
            long[] s = RlweSampler.ternaryHammingWeight(prng, n, h);
            assertEquals(n, s.length);
            int nonZero = 0;
            for (long v : s) {
                assertTrue(v >= -1 && v <= 1, "value " + v);
                nonZero += v != 0 ? 1 : 0;
            }
            assertEquals(h, nonZero);
        }
    }

    @Test
    void hammingWeightPlacesAndSignsUniformly() {
        int n = 64;
        int h = 8;
        int trials = 4000;
        Prng prng = new Prng(seed(12));
        long[] hits = new long[n];
        long plus = 0;
        for (int t = 0; t < trials; t++) {
            long[] s = RlweSampler.ternaryHammingWeight(prng, n, h);
            for (int j = 0; j < n; j++) {
                if (s[j] != 0) {
                    hits[j]++;
                }
                if (s[j] == 1) {
                    plus++;
                }
            }
        }
        double[] expected = new double[n];
        Arrays.fill(expected, (double) trials * h / n);
        // positions within a trial are negatively correlated, which only makes this test conservative
        assertTrue(CHI_SQUARE.chiSquareTest(expected, hits) > MIN_P_VALUE, Arrays.toString(hits));
        long total = (long) trials * h;
        assertEquals(total / 2.0, plus, 5 * Math.sqrt(total / 4.0), "+1 among the non-zero entries");
        assertThrows(IllegalArgumentException.class, () -> RlweSampler.ternaryHammingWeight(prng, 16, -1));
        assertThrows(IllegalArgumentException.class, () -> RlweSampler.ternaryHammingWeight(prng, 16, 17));
    }

    // ------------------------------------------------------------------------------------------ Gaussian

    @Test
    void gaussianHasSigma32AndIsBoundedBy19() {
        int n = 1 << 20;
        long[] e = RlweSampler.gaussian(new Prng(seed(13)), n);
        assertEquals(n, e.length);
        int bound = RlweSampler.ERROR_BOUND;
        assertEquals(19, bound);
        // the exact distribution: P(k) proportional to exp(-k^2 / (2 sigma^2)), |k| <= 19
        double sigma = RlweSampler.SIGMA;
        double[] pmf = new double[2 * bound + 1];
        double total = 0;
        for (int k = -bound; k <= bound; k++) {
            pmf[k + bound] = Math.exp(-(double) k * k / (2 * sigma * sigma));
            total += pmf[k + bound];
        }
        double variance = 0;
        double fourth = 0;
        for (int k = -bound; k <= bound; k++) {
            pmf[k + bound] /= total;
            variance += pmf[k + bound] * k * k;
            fourth += pmf[k + bound] * Math.pow(k, 4);
        }
        assertEquals(sigma * sigma, variance, 1e-6, "a discrete Gaussian of parameter 3.2 has variance 3.2^2");

        long[] counts = new long[2 * bound + 1];
        double sum = 0;
        double sumSquares = 0;
        for (long v : e) {
            assertTrue(Math.abs(v) <= bound, "|e| = " + Math.abs(v) + " > 19");
            counts[(int) v + bound]++;
            sum += v;
            sumSquares += (double) v * v;
        }
        double mean = sum / n;
        double sampleVariance = sumSquares / n - mean * mean;
        // standard errors: sigma / sqrt(n) ~ 0.0031 for the mean, sqrt((m4 - var^2) / n) ~ 0.014 for the variance
        assertEquals(0, mean, 5 * sigma / Math.sqrt(n), "mean");
        assertEquals(variance, sampleVariance, 5 * Math.sqrt((fourth - variance * variance) / n), "variance");
        assertEquals(3.2, Math.sqrt(sampleVariance), 0.02, "standard deviation");

        // goodness of fit, tails |k| >= 12 pooled into one bucket each side (expected counts >= 5)
        int pool = 12;
        double[] expected = new double[2 * pool + 1];
        long[] observed = new long[2 * pool + 1];
        for (int k = -bound; k <= bound; k++) {
            int b = Math.max(-pool, Math.min(pool, k)) + pool;
            expected[b] += pmf[k + bound] * n;
            observed[b] += counts[k + bound];
        }
        double p = CHI_SQUARE.chiSquareTest(expected, observed);
        assertTrue(p > MIN_P_VALUE, "chi-square p = " + p + ", counts " + Arrays.toString(counts));

        // the array-filling form draws the same values
        long[] f = new long[1000];
        RlweSampler.gaussian(new Prng(seed(13)), f);
        assertArrayEquals(Arrays.copyOf(e, 1000), f);
        assertArrayEquals(e, RlweSampler.gaussian(new Prng(seed(13)), n), "deterministic");
    }

    @Test
    void gaussianNeverExceedsTheBoundOverManySeeds() {
        long max = 0;
        for (int t = 0; t < 16; t++) {
            for (long v : RlweSampler.gaussian(new Prng(seed(100 + t)), 1 << 15)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        assertTrue(max <= RlweSampler.ERROR_BOUND);
        assertTrue(max >= 12, "with 2^19 samples some |e| >= 12 is all but certain (P(|e| >= 12) ~ 2e-4)");
    }
}
