package io.github.jckks.nn.clientaided;

/**
 * A client-aided session failed: the peer disconnected, timed out, sent a malformed or oversized frame,
 * answered with the wrong request id, count, level or scale, reported an error, or the parameters do not
 * match. The message says which. Unchecked; the session that raised it is over (its transport is closed),
 * other sessions are not affected.
 */
public class ClientAidedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, with the offending values */
    public ClientAidedException(String message) {
        super(message);
    }

    /** @param message what went wrong; @param cause the underlying failure */
    public ClientAidedException(String message, Throwable cause) {
        super(message, cause);
    }
}
