package io.github.jckks.nn.clientaided;

/**
 * The peer disconnected or stopped sending (time-out): nothing more can be said to it on this transport.
 */
public final class ConnectionLostException extends ClientAidedException {
    private static final long serialVersionUID = 1L;

    /** @param message what was lost, with the peer */
    public ConnectionLostException(String message) {
        super(message);
    }

    /** @param message what was lost; @param cause the I/O failure */
    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
