package io.github.jckks.cryptonets.data;

/**
 * Raised when the MNIST files can be neither found locally nor downloaded; the message lists
 * where the locator looked and how to provide the files.
 */
public final class MnistUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message lists the alternatives for the user. */
    public MnistUnavailableException(String message) {
        super(message);
    }
}
