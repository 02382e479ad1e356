package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.Primes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parameter validation and the HomomorphicEncryption.org security table. */
class ParametersTest {

    @Test
    void belowSecurityIsRefusedWithAMessageAndAcceptedWhenInsecureIsNamed() {
        CkksParameters.Builder b = CkksParameters.builder().logN(10).dataPrimeBits(50, 40, 40, 40).specialPrimeBits(51)
                .scale(0x1p40);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("below 128-bit security"), e.getMessage());
        assertTrue(e.getMessage().contains("bound of 27 bits for N = 2^10"), e.getMessage());
        assertTrue(e.getMessage().contains("INSECURE_TESTS_ONLY"), e.getMessage());
        CkksParameters p = b.insecureForTestsOnly().build();
        assertEquals(SecurityLevel.INSECURE_TESTS_ONLY, p.security());
        assertEquals(SecurityLevel.INSECURE_TESTS_ONLY, p.achievedSecurity());
        assertTrue(p.toString().contains("NONE (insecure)"), p.toString());
        // N outside the standard's table needs the explicit opt-out too
        CkksParameters.Builder tiny = CkksParameters.builder().logN(9).dataPrimeBits(20).specialPrimeBits(21).scale(0x1p10);
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, tiny::build);
        assertTrue(t.getMessage().contains("gives no 128-bit bound"), t.getMessage());
        tiny.insecureForTestsOnly().build();
    }

    @Test
    void securityTableMatchesTheStandard() {
        int[][] table = {
            {27, 54, 109, 218, 438, 881},
            {19, 37, 75, 152, 305, 611},
            {14, 29, 58, 118, 237, 476},
        };
        SecurityLevel[] levels = {SecurityLevel.BITS_128, SecurityLevel.BITS_192, SecurityLevel.BITS_256};
        for (int s = 0; s < 3; s++) {
            for (int logN = 10; logN <= 15; logN++) {
                assertEquals(table[s][logN - 10], levels[s].maxModulusBits(logN), levels[s] + " at 2^" + logN);
            }
            assertEquals(-1, levels[s].maxModulusBits(9));
            assertEquals(-1, levels[s].maxModulusBits(16));
        }
        assertEquals(SecurityLevel.BITS_128, SecurityLevel.of(13, 218));
        assertEquals(SecurityLevel.INSECURE_TESTS_ONLY, SecurityLevel.of(13, 219));
        assertEquals(SecurityLevel.BITS_192, SecurityLevel.of(13, 152));
        assertEquals(SecurityLevel.BITS_256, SecurityLevel.of(13, 118));
        assertEquals(SecurityLevel.BITS_128, SecurityLevel.of(13, 153));
    }

    @Test
    void n8192With218BitsIsAcceptedAnd219Refused() {
        // {60, 40, 40, 40} + {38} = 218 bits; scale 2^39 so no prime is drawn near 2^40 (which could have 41 bits)
        CkksParameters ok = CkksParameters.builder().logN(13).dataPrimeBits(60, 40, 40, 40).specialPrimeBits(38)
                .scale(0x1p39).build();
        assertEquals(218, ok.totalModulusBits());
        assertEquals(SecurityLevel.BITS_128, ok.achievedSecurity());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CkksParameters.builder().logN(13)
                .dataPrimeBits(60, 40, 40, 40).specialPrimeBits(39).scale(0x1p39).build());
        assertTrue(e.getMessage().contains("log2(QP) = 219 bits exceeds the HomomorphicEncryption.org bound of 218"),
                e.getMessage());
    }

    /** Every feasible cell of the table: a modulus of exactly the bound is accepted, one bit more is refused. */
    @Test
    void everyBoundIsEnforcedToTheBit() {
        int cells = 0;
        for (SecurityLevel level : new SecurityLevel[] {SecurityLevel.BITS_128, SecurityLevel.BITS_192, SecurityLevel.BITS_256}) {
            for (int logN = 10; logN <= 15; logN++) {
                int bound = level.maxModulusBits(logN);
                int minBits = logN + 4; // NTT-friendly primes of that size exist (q = 1 mod 2N)
                if (bound < 2 * minBits) {
                    continue;
                }
                for (int total : new int[] {bound, bound + 1}) {
                    int[] bits = split(total, minBits);
                    long[] primes = chain(logN, bits);
                    long[] data = java.util.Arrays.copyOf(primes, primes.length - 1);
                    long[] special = {primes[primes.length - 1]};
                    CkksParameters.Builder b = CkksParameters.builder().logN(logN).dataPrimes(data).specialPrimes(special)
                            .scale(0x1p8).security(level);
                    if (total == bound) {
                        CkksParameters p = b.build();
                        assertEquals(bound, p.totalModulusBits());
                        assertEquals(level, p.security());
                        assertTrue(p.achievedSecurity().bits() >= level.bits());
                    } else {
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build,
                                level + " N=2^" + logN + " " + total + " bits");
                        assertTrue(e.getMessage().contains("below " + level.bits() + "-bit security"), e.getMessage());
                    }
                }
                cells++;
            }
        }
        assertTrue(cells >= 14, "cells checked: " + cells);
    }

    /** Bit sizes of at most 60 (and at least minBits) summing to total, at least two of them. */
    private static int[] split(int total, int minBits) {
        int k = Math.max(2, (total + 59) / 60);
        int[] bits = new int[k];
        int rest = total;
        for (int i = 0; i < k; i++) {
            bits[i] = rest / (k - i);
            rest -= bits[i];
        }
        for (int b : bits) {
            assertTrue(b >= minBits && b <= 60, "split " + total + " -> " + java.util.Arrays.toString(bits));
        }
        return bits;
    }

    private static long[] chain(int logN, int[] bits) {
        Set<Long> used = new HashSet<>();
        long[] out = new long[bits.length];
        for (int i = 0; i < bits.length; i++) {
            out[i] = Primes.nttPrimes(bits[i], logN, 1, used)[0];
            used.add(out[i]);
        }
        return out;
    }

    @Test
    void presetsReport128BitSecurity() {
        List<CkksParameters> presets = new ArrayList<>(List.of(CkksParameters.seal8192(), CkksParameters.cryptoNets(),
                CkksParameters.clientAided4096(), CkksParameters.general16384()));
        int[] logN = {13, 13, 12, 14};
        int[] levels = {2, 5, 2, 6};
        double[] scales = {0x1p40, 0x1p24, 0x1p22, 0x1p40};
        for (int i = 0; i < presets.size(); i++) {
            CkksParameters p = presets.get(i);
            assertEquals(SecurityLevel.BITS_128, p.security(), p.toString());
            assertEquals(SecurityLevel.BITS_128, p.achievedSecurity(), p.toString());
            assertTrue(p.toString().contains("security 128-bit"), p.toString());
            assertEquals(logN[i], p.logN());
            assertEquals(levels[i], p.maxLevel());
            assertEquals(scales[i], p.defaultScale());
            assertEquals(1, p.specialPrimes().length);
            assertTrue(p.totalModulusBits() <= SecurityLevel.BITS_128.maxModulusBits(p.logN()));
        }
        // presets are deterministic: same primes, equal objects and fingerprints
        assertEquals(CkksParameters.seal8192(), CkksParameters.seal8192());
        assertArrayEquals(CkksParameters.cryptoNets().fingerprint(), CkksParameters.cryptoNets().fingerprint());
        assertNotEquals(CkksParameters.seal8192(), CkksParameters.cryptoNets());
    }

    @Test
    void keySwitchingDigitsMayDifferInWidth() {
        CkksParameters seal = CkksParameters.seal8192Composite();
        assertTrue(seal.uniformDigits());
        assertEquals(2, seal.digitSize());
        assertArrayEquals(new int[] {2, 2, 2}, seal.digitPrimeCounts());
        // the 16384 preset balances its digits by bits: q_0's two 30-bit primes, then four digits of three primes
        CkksParameters general = CkksParameters.general16384CompositeBalanced();
        assertArrayEquals(java.util.Arrays.stream(CkksParameters.general16384Composite().dataPrimes()).sorted().toArray(),
                java.util.Arrays.stream(general.dataPrimes()).sorted().toArray(), "the same primes, reordered");
        assertFalse(general.uniformDigits());
        assertEquals(3, general.digitSize());
        assertEquals(5, general.digitCount());
        assertArrayEquals(new int[] {2, 3, 3, 3, 3}, general.digitPrimeCounts());
        assertTrue(general.toString().contains("digits [2, 3, 3, 3, 3]"), general.toString());
        double log2P = 0;
        for (long p : general.specialPrimes()) {
            log2P += Math.log(p) / Math.log(2);
        }
        long[] q = general.dataPrimes();
        for (int j = 0; j < general.digitCount(); j++) {
            double log2Digit = 0;
            for (int i = general.digitStart(j); i < general.digitEnd(j); i++) {
                log2Digit += Math.log(q[i]) / Math.log(2);
            }
            assertTrue(log2Digit > 59.9 && log2Digit < log2P + 1, "digit " + j + " spans 2^" + log2Digit);
        }
        // explicit counts that form the uniform layout are the uniform parameters (same identity)
        CkksParameters.Builder b = CkksParameters.builder().logN(11).dataPrimeBits(30, 20, 20, 20, 20).specialPrimeBits(30, 30)
                .scale(0x1p20).insecureForTestsOnly();
        CkksParameters uniform = b.digitSize(2).build();
        CkksParameters same = b.digitPrimeCounts(2, 2, 1).build();
        assertEquals(uniform, same);
        assertArrayEquals(uniform.fingerprint(), same.fingerprint());
        CkksParameters other = b.digitPrimeCounts(1, 2, 2).build();
        assertNotEquals(uniform, other);
        assertFalse(java.util.Arrays.equals(uniform.fingerprint(), other.fingerprint()));
        assertEquals(other, Serialization.readParameters(Serialization.write(other), SecurityLevel.INSECURE_TESTS_ONLY));
        // bad layouts are named
        for (int[] bad : new int[][] {{2, 2}, {2, 2, 2}, {5, 0}, {6}, {Integer.MAX_VALUE, Integer.MAX_VALUE, 7}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.digitPrimeCounts(bad).build());
            assertTrue(e.getMessage().contains("key-switching digits"), e.getMessage());
        }
        for (int alpha : new int[] {0, 6}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.digitSize(alpha).build());
            assertTrue(e.getMessage().contains("digit size " + alpha), e.getMessage());
        }
        for (int j : new int[] {-1, 3}) { // three digits: 0, 1, 2
            assertThrows(IllegalArgumentException.class, () -> other.digitStart(j));
            assertThrows(IllegalArgumentException.class, () -> other.digitEnd(j));
        }
        // a digit much wider than P would swamp the result with key-switching noise: key generation refuses it
        CkksParameters wide = b.digitPrimeCounts(4, 1).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new KeyGenerator(new CkksContext(wide), new io.github.jckks.math.Prng(new byte[32])).relinearizationKey());
        assertTrue(e.getMessage().contains("digit 0 spans"), e.getMessage());
    }

    @Test
    void compositePresetsMirrorSealsChainsOnPrimesOfAtMost30Bits() {
        CkksParameters[] composite = {CkksParameters.seal8192Composite(), CkksParameters.general16384Composite()};
        CkksParameters[] seal = {CkksParameters.seal8192(), CkksParameters.general16384()};
        for (int c = 0; c < 2; c++) {
            CkksParameters p = composite[c];
            assertEquals(SecurityLevel.BITS_128, p.achievedSecurity(), p.toString());
            assertEquals(2, p.compositeDegree());
            assertEquals(seal[c].logN(), p.logN());
            assertEquals(seal[c].defaultScale(), p.defaultScale());
            // twice SEAL's primes, the same number of rescales (two primes each), about the same total bits
            assertEquals(2 * (seal[c].maxLevel() + 1), p.maxLevel() + 1);
            assertEquals(2, p.specialPrimes().length);
            assertTrue(Math.abs(p.totalModulusBits() - seal[c].totalModulusBits()) <= 2 * seal[c].maxLevel(), p.toString());
            long[] q = p.dataPrimes();
            for (long x : q) {
                assertTrue(x < (1L << 30), p + ": prime " + x + " above 30 bits");
            }
            // each rescale divides by a pair near 2^40: within 0.01 bits at N = 8192; at N = 16384 there are too few
            // primes of 17 to 24 bits (q = 1 mod 2^15) for six close pairs, and the worst is 0.9 bits off
            double tolerance = p.logN() == 13 ? 0.01 : 0.9;
            for (int l = p.maxLevel(); l >= 3; l -= 2) {
                double log2Pair = Math.log((double) q[l] * q[l - 1]) / Math.log(2);
                assertEquals(40, log2Pair, tolerance, p + ": primes " + q[l - 1] + ", " + q[l]);
            }
            assertTrue(p.toString().contains("composite degree 2"), p.toString());
        }
        // the composite degree is part of the identity of the parameters
        CkksParameters.Builder b = CkksParameters.builder().logN(11).dataPrimeBits(30, 30, 20, 20).specialPrimeBits(30, 30)
                .scale(0x1p40).insecureForTestsOnly();
        CkksParameters one = b.build();
        CkksParameters two = b.dataPrimes(one.dataPrimes()).specialPrimes(one.specialPrimes()).compositeDegree(2).build();
        assertArrayEquals(one.dataPrimes(), two.dataPrimes(), "same chain");
        assertNotEquals(one, two);
        assertFalse(java.util.Arrays.equals(one.fingerprint(), two.fingerprint()));
        assertEquals(two, Serialization.readParameters(Serialization.write(two), SecurityLevel.INSECURE_TESTS_ONLY));
        for (int d : new int[] {0, -1, 4}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.compositeDegree(d).build());
            assertTrue(e.getMessage().contains("composite degree " + d), e.getMessage());
        }
    }

    @Test
    void higherSecurityLevelsCanBeRequested() {
        // the CryptoNets chain (about 180 bits at N = 8192) is 128-bit but not 192-bit secure (bound 152)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CkksParameters.builder().logN(13)
                .dataPrimeBits(30, 24, 24, 24, 24, 24).specialPrimeBits(30).scale(0x1p24).security(SecurityLevel.BITS_192)
                .build());
        assertTrue(e.getMessage().contains("below 192-bit security"), e.getMessage());
        CkksParameters p = CkksParameters.builder().logN(13).dataPrimeBits(30, 24, 24, 24).specialPrimeBits(30)
                .scale(0x1p24).security(SecurityLevel.BITS_192).build();
        assertEquals(SecurityLevel.BITS_192, p.security());
    }

    /**
     * Without an explicit scale, &Delta; is 2 to the size of q1 for sized primes, and the power of two nearest q1 for
     * explicit ones (it was 2^(bit length - 1): 2^39 for a prime just below 2^40, half of it).
     */
    @Test
    void defaultScaleFollowsTheFirstRescalePrime() {
        CkksParameters sized = CkksParameters.builder().logN(13).dataPrimeBits(50, 40, 40).specialPrimeBits(50).build();
        assertEquals(0x1p40, sized.defaultScale());
        long below = Primes.nttPrimes(40, 13, 1, List.of())[0]; // the largest NTT prime below 2^40
        long q0 = Primes.nttPrimes(50, 13, 1, List.of())[0];
        long p = Primes.nttPrimes(50, 13, 2, List.of())[1];
        CkksParameters explicit = CkksParameters.builder().logN(13).dataPrimes(q0, below).specialPrimes(p).build();
        assertEquals(0x1p40, explicit.defaultScale());
        long small = Primes.nttPrimes(36, 13, 1, List.of())[0]; // just below 2^36: nearest 2^36
        assertEquals(0x1p36, CkksParameters.builder().logN(13).dataPrimes(q0, small).specialPrimes(p).build()
                .defaultScale());
    }

    @Test
    void builderChecks() {
        assertThrows(IllegalArgumentException.class, () -> CkksParameters.builder().dataPrimeBits(40).specialPrimeBits(40).build());
        assertThrows(IllegalArgumentException.class, () -> CkksParameters.builder().logN(13).specialPrimeBits(40).build());
        assertThrows(IllegalArgumentException.class, () -> CkksParameters.builder().logN(13).dataPrimeBits(40).build());
        long q = Primes.nttPrimes(40, 13, 1, List.of())[0];
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> CkksParameters.builder().logN(13).dataPrimes(q).specialPrimes(q).build());
        assertTrue(dup.getMessage().contains("twice"), dup.getMessage());
        IllegalArgumentException notNtt = assertThrows(IllegalArgumentException.class,
                () -> CkksParameters.builder().logN(13).dataPrimes(1_000_003L).specialPrimes(q).insecureForTestsOnly().build());
        assertTrue(notNtt.getMessage().contains("NTT-friendly"), notNtt.getMessage());
        IllegalArgumentException scale = assertThrows(IllegalArgumentException.class,
                () -> CkksParameters.builder().logN(13).dataPrimeBits(30).specialPrimeBits(40).scale(0x1p40).build());
        assertTrue(scale.getMessage().contains("does not fit"), scale.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> CkksParameters.builder().logN(13).dataPrimeBits(30, 30).specialPrimeBits(40).digitSize(3).build());
        // default scale: 2 to the size of q_1
        assertEquals(0x1p24, CkksParameters.builder().logN(13).dataPrimeBits(30, 24, 24).specialPrimeBits(30).build()
                .defaultScale());
    }
}
