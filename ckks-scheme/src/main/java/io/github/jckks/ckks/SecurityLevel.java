package io.github.jckks.ckks;

/**
 * Security levels of the HomomorphicEncryption.org standard (Albrecht et al., 2018) for ternary secrets
 * against classical attacks, with the largest total modulus log2(QP) each allows per ring degree, as SEAL
 * enforces them. {@link #INSECURE_TESTS_ONLY} disables the check and must be asked for by name.
 */
public enum SecurityLevel {
    /** 128-bit classical security. */
    BITS_128(128, new int[] {27, 54, 109, 218, 438, 881}),
    /** 192-bit classical security. */
    BITS_192(192, new int[] {19, 37, 75, 152, 305, 611}),
    /** 256-bit classical security. */
    BITS_256(256, new int[] {14, 29, 58, 118, 237, 476}),
    /** No security: for unit tests with tiny rings only. Never use it for data that matters. */
    INSECURE_TESTS_ONLY(0, null);

    private final int bits;
    /** Bounds for N = 1024 .. 32768. */
    private final int[] maxModulusBits;

    SecurityLevel(int bits, int[] maxModulusBits) {
        this.bits = bits;
        this.maxModulusBits = maxModulusBits;
    }

    /** @return the security in bits, 0 for {@link #INSECURE_TESTS_ONLY} */
    public int bits() {
        return bits;
    }

    /**
     * @return the largest total modulus bit count (data and special primes together) allowed for N =
     * 2<sup>logN</sup>, or -1 if the standard gives none (N below 1024 or above 32768)
     */
    public int maxModulusBits(int logN) {
        if (maxModulusBits == null || logN < 10 || logN > 15) {
            return -1;
        }
        return maxModulusBits[logN - 10];
    }

    /**
     * @return the highest standard level met by a modulus of {@code totalBits} bits at N = 2<sup>logN</sup>, or
     * {@link #INSECURE_TESTS_ONLY} if none is
     */
    public static SecurityLevel of(int logN, int totalBits) {
        for (SecurityLevel s : new SecurityLevel[] {BITS_256, BITS_192, BITS_128}) {
            int max = s.maxModulusBits(logN);
            if (max > 0 && totalBits <= max) {
                return s;
            }
        }
        return INSECURE_TESTS_ONLY;
    }
}
