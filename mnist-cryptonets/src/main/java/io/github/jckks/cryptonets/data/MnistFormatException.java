package io.github.jckks.cryptonets.data;

/**
 * Raised when an MNIST file is malformed, truncated, inconsistent with its companion file, or
 * does not match its official checksum. The message names the file and the problem.
 */
public final class MnistFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that names the offending file and the problem. */
    public MnistFormatException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the I/O cause. */
    public MnistFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
