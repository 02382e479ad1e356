package io.github.jckks.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link RnsPoly}: shape validation, deep copies versus views, copyFrom and clear. */
class RnsPolyTest {
    private static RnsPoly filled(int n, int limbs, boolean ntt) {
        RnsPoly p = new RnsPoly(n, limbs, ntt);
        for (int i = 0; i < limbs; i++) {
            for (int j = 0; j < n; j++) {
                p.limb(i)[j] = 1000L * i + j;
            }
        }
        return p;
    }

    @Test
    void shapeValidation() {
        assertThrows(IllegalArgumentException.class, () -> new RnsPoly(1, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new RnsPoly(0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new RnsPoly(12, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new RnsPoly(16, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new RnsPoly(new long[0][], false));
        assertThrows(IllegalArgumentException.class, () -> new RnsPoly(new long[][] {new long[8], new long[16]}, false));
        RnsPoly p = new RnsPoly(16, 3, true);
        assertEquals(16, p.n());
        assertEquals(3, p.limbCount());
        assertTrue(p.isNtt());
        p.setNtt(false);
        assertFalse(p.isNtt());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(new long[16], p.limb(i));
        }
    }

    @Test
    void wrapDoesNotCopy() {
        long[][] limbs = {new long[8], new long[8]};
        RnsPoly p = new RnsPoly(limbs, true);
        assertSame(limbs[1], p.limb(1));
        assertEquals(8, p.n());
    }

    @Test
    void copiesAreDeepViewsShare() {
        RnsPoly p = filled(16, 3, true);
        RnsPoly c = p.copy();
        RnsPoly c2 = p.copy(2);
        RnsPoly v = p.view(2);
        assertEquals(3, c.limbCount());
        assertEquals(2, c2.limbCount());
        assertEquals(2, v.limbCount());
        assertTrue(c.isNtt() && c2.isNtt() && v.isNtt());
        for (int i = 0; i < 2; i++) {
            assertNotSame(p.limb(i), c.limb(i));
            assertNotSame(p.limb(i), c2.limb(i));
            assertSame(p.limb(i), v.limb(i));
            assertArrayEquals(p.limb(i), c.limb(i));
            assertArrayEquals(p.limb(i), c2.limb(i));
        }
        p.limb(0)[5] = -1;
        assertEquals(-1, v.limb(0)[5]);
        assertEquals(5, c.limb(0)[5]);
        assertEquals(5, c2.limb(0)[5]);
        assertThrows(IllegalArgumentException.class, () -> p.copy(0));
        assertThrows(IllegalArgumentException.class, () -> p.copy(4));
        assertThrows(IllegalArgumentException.class, () -> p.view(0));
        assertThrows(IllegalArgumentException.class, () -> p.view(4));
    }

    @Test
    void copyFromAndClear() {
        RnsPoly src = filled(16, 3, true);
        RnsPoly dst = new RnsPoly(16, 2, false);
        dst.copyFrom(src);
        assertTrue(dst.isNtt());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(src.limb(i), dst.limb(i));
            assertNotSame(src.limb(i), dst.limb(i));
        }
        assertThrows(IllegalArgumentException.class, () -> new RnsPoly(16, 4, false).copyFrom(src));
        assertThrows(IllegalArgumentException.class, () -> new RnsPoly(32, 2, false).copyFrom(src));
        dst.clear();
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(new long[16], dst.limb(i));
        }
        assertEquals(1001, src.limb(1)[1]);
    }
}
