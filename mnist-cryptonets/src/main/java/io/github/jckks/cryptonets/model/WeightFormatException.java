package io.github.jckks.cryptonets.model;

/**
 * Raised when a CryptoNets weight file is malformed: bad magic, unsupported version, wrong shapes,
 * truncation, trailing bytes, non-finite values or a CRC mismatch. The message names the source.
 */
public final class WeightFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message naming the source and the problem. */
    public WeightFormatException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the I/O cause. */
    public WeightFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
