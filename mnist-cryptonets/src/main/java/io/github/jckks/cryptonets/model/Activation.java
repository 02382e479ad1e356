package io.github.jckks.cryptonets.model;

/** The element-wise activation of the network: {@code x*x} (CKKS-friendly) or {@code max(0, x)}. */
public enum Activation {
    /** {@code f(x) = x * x}, evaluable under CKKS with one ciphertext multiplication. */
    SQUARE(0),
    /** {@code f(x) = max(0, x)}; plaintext reference only (not a polynomial). */
    RELU(1);

    private final int code;

    Activation(int code) {
        this.code = code;
    }

    /** The code stored in the weight file. */
    public int code() {
        return code;
    }

    /** The activation stored under {@code code} in a weight file. */
    public static Activation fromCode(int code) {
        for (Activation a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation code " + code + " (0 = SQUARE, 1 = RELU)");
    }

    /** {@code f(x)}. */
    public double apply(double x) {
        return this == SQUARE ? x * x : Math.max(0.0, x);
    }

    /** {@code f'(x)}, with {@code f'(0) = 0} for RELU. */
    public double derivative(double x) {
        return this == SQUARE ? 2.0 * x : (x > 0.0 ? 1.0 : 0.0);
    }

    /** The lower-case name used in resource files and on the command line. */
    public String fileTag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
