package io.github.jckks.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The 32-bit at-rest form of RnsPoly: exact round trips, including residues above 2^31, and refusals. */
class CompactRnsPolyTest {
    private static RnsRing ring(int logN, int... bits) {
        long[] primes = new long[bits.length];
        List<Long> taken = new java.util.ArrayList<>();
        for (int i = 0; i < bits.length; i++) {
            primes[i] = Primes.nttPrimes(bits[i], logN, 1, taken)[0];
            taken.add(primes[i]);
        }
        return new RnsRing(logN, new RnsBasis(primes));
    }

    @Test
    void roundTripIsExactForEveryResidueUpToTheLargestPrimeBelow2To32() {
        SplittableRandom rnd = new SplittableRandom(7);
        RnsRing r = ring(13, 30, 24, 31, 32); // a 32-bit prime has residues above 2^31: stored unsigned
        for (boolean ntt : new boolean[] {false, true}) {
            RnsPoly a = MathTestSupport.randomPoly(r, 4, ntt, rnd);
            for (int i = 0; i < 4; i++) { // the extremes of each limb's range
                a.limb(i)[0] = 0;
                a.limb(i)[1] = r.modulus(i).value() - 1;
            }
            CompactRnsPoly c = r.compact(a);
            assertEquals(ntt, c.isNtt());
            assertEquals(4, c.limbCount());
            assertEquals(4L * 8192 * 4, c.residueBytes());
            assertEquals(r.modulus(3).value() - 1, c.residue(3, 1));
            RnsPoly back = r.newPoly(4, !ntt);
            r.expand(c, back);
            assertEquals(ntt, back.isNtt());
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(a.limb(i), back.limb(i), "limb " + i);
            }
            RnsPoly fresh = r.expand(c);
            assertArrayEquals(a.limb(3), fresh.limb(3));
        }
    }

    @Test
    void aLowerLevelCompactsItsOwnLimbsOnly() {
        RnsRing r = ring(10, 30, 30, 50); // the third prime does not fit, the first two do
        assertTrue(r.fitsCompact(2));
        assertFalse(r.fitsCompact(3));
        RnsPoly two = MathTestSupport.randomPoly(r, 2, true, new SplittableRandom(1));
        assertArrayEquals(two.limb(1), r.expand(r.compact(two)).limb(1));
        RnsPoly three = r.newPoly(3, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.compact(three));
        assertTrue(e.getMessage().contains("2^32"), e.getMessage());
    }

    @Test
    void expandRefusesAMismatchedTarget() {
        RnsRing r = ring(10, 30, 30);
        CompactRnsPoly c = r.compact(r.newPoly(2, false));
        assertThrows(IllegalArgumentException.class, () -> r.expand(c, r.newPoly(1, false)));
        RnsRing other = ring(11, 30, 30);
        assertThrows(IllegalArgumentException.class, () -> other.expand(c, other.newPoly(2, false)));
    }
}
