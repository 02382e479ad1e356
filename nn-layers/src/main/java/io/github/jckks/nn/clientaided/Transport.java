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
     * @return true if, once {@link #send} has returned, the transport holds no reference to the message's ciphertexts
     * and the peer received copies (bytes), so that the sender may reuse their memory; false (the default) if the peer
     * may be reading the very objects sent
     */
    default boolean sendsCopies() {
        return false;
    }

    /** Closes the pipe; the peer's next receive fails. Idempotent. */
    @Override
    void close();

    /** @return a description of the peer for messages */
    String peer();
}
