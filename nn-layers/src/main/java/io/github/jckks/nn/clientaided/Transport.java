package io.github.jckks.nn.clientaided;

/**
 * A bidirectional, ordered message pipe between the key holder and the server: {@link InProcessTransport}
 * (tests, one process) or {@link TcpTransport} (length-prefixed frames). Methods throw
 * {@link ClientAidedException} when the peer disconnects, times out or sends something malformed; after that
 * the transport is unusable. One thread sends and receives at a time.
 */
public interface Transport extends AutoCloseable {
    /** Sends one message. */
    void send(Message message);

    /** @return the next message, waiting at most the transport's read time-out */
    Message receive();

    /**
     * {@link #receive()} when at most {@code maxCiphertexts} ciphertexts may come (the count a round or an inference
     * expects): a transport that decodes bytes refuses a longer message before parsing its ciphertexts. By default
     * the plain receive (the caller checks the count).
     */
    default Message receive(int maxCiphertexts) {
        return receive();
    }

    /**
     * @return true if messages cross as copies both ways: once {@link #send} has returned the transport holds no
     * reference to the message's ciphertexts (the sender may reuse their memory), and the ciphertexts received belong
     * to the receiver alone; false (the default) if the two ends may share the very objects sent
     */
    default boolean copiesMessages() {
        return false;
    }

    /**
     * Asks that the ciphertexts received from now on take their limb arrays from {@code limbs} (null: fresh arrays),
     * for a receiver that hands the arrays of what it has consumed back to that pool. A hint: by default ignored;
     * {@link TcpTransport} and the in-process pair that encodes messages ({@link InProcessTransport#pair(CkksContext,
     * TransportLimits)}) honour it.
     */
    default void receiveInto(io.github.jckks.math.LimbPool limbs) {
    }

    /** Closes the pipe; the peer's next receive fails. Idempotent. */
    @Override
    void close();

    /** @return a description of the peer for messages */
    String peer();
}
