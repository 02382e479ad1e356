package io.github.jckks.ckks;

/**
 * Thrown by {@link Serialization} when bytes do not hold a valid serialized object for the given context:
 * bad magic, unsupported version, unexpected type tag, parameter fingerprint mismatch, a count or length out
 * of its bound, a residue not below its prime, an invalid scale, truncated input, trailing bytes or a
 * checksum mismatch. The message names the field and the offending values. Unchecked, and an
 * {@link IllegalArgumentException}, so callers that already treat bad arguments need no new handler.
 */
public final class CkksFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message names the field and the values */
    public CkksFormatException(String message) {
        super(message);
    }

    /** @param message names the field and the values; @param cause the underlying rejection */
    public CkksFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
