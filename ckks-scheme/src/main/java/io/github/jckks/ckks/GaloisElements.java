package io.github.jckks.ckks;

/**
 * Galois elements of the CKKS slot permutations: rotating the N/2 slots left by k is X -&gt; X<sup>g</sup> with
 * g = 5<sup>k</sup> mod 2N (slot j holds m(&zeta;<sup>5<sup>j</sup></sup>)); complex conjugation of every slot is
 * g = 2N - 1.
 */
public final class GaloisElements {
    private GaloisElements() {
    }

    /** @return 5<sup>k mod N/2</sup> mod 2N for a left rotation by k slots (k may be negative) */
    public static int forRotation(int n, int k) {
        int slots = n / 2;
        int e = Math.floorMod(k, slots);
        long m = 2L * n;
        long g = 1;
        long base = 5;
        while (e > 0) {
            if ((e & 1) != 0) {
                g = g * base % m;
            }
            base = base * base % m;
            e >>>= 1;
        }
        return (int) g;
    }

    /** @return 2N - 1, the element of complex conjugation */
    public static int conjugation(int n) {
        return 2 * n - 1;
    }
}
