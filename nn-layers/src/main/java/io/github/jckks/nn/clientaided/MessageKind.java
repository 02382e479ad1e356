package io.github.jckks.nn.clientaided;

/** The message kinds of the client-aided protocol, with their wire codes. */
public enum MessageKind {
    /**
     * Client to server: items = [serialized parameters, serialized public key (optional)]; server to client
     * (acknowledgement): items = [serialized parameters].
     */
    HELLO(1),
    /** Client to server: the encrypted inputs of one batch (one ciphertext per input element). */
    INFER(2),
    /** Server to client: masked, shuffled values to apply the function {@code op} to. */
    ACTIVATE(3),
    /** Client to server: fresh top-level encryptions of the function of each value, same id, count and order. */
    ACTIVATED(4),
    /** Server to client: the encrypted outputs, with the id of the INFER. */
    RESULT(5),
    /** Either way: the session ends with this UTF-8 message (one item). */
    ERROR(6),
    /** Client to server: the session ends normally (no items). */
    BYE(7);

    private final int code;

    MessageKind(int code) {
        this.code = code;
    }

    /** @return the wire code */
    public int code() {
        return code;
    }

    /** @return true if the items are ciphertexts */
    public boolean carriesCiphertexts() {
        return this == INFER || this == ACTIVATE || this == ACTIVATED || this == RESULT;
    }

    /** @return the kind with this wire code, or null */
    public static MessageKind of(int code) {
        for (MessageKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
