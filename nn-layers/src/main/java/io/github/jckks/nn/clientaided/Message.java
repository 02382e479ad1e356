package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import java.nio.charset.StandardCharsets;

/**
 * One protocol message: kind, request id, function code, and either ciphertexts (INFER, ACTIVATE, ACTIVATED,
 * RESULT) or raw items (HELLO, ERROR). The arrays are not copied.
 *
 * @param kind        the kind
 * @param requestId   the request id (the INFER's id for INFER and RESULT, the round id for ACTIVATE and
 *                    ACTIVATED, 0 otherwise)
 * @param op          the function of an ACTIVATE ({@link #OP_RELU}); for an INFER, {@link #OP_COMPLEX_PACKED} when
 *                    its ciphertexts hold two real batches (complex packing), {@link #OP_COEFFICIENT_PACKED} when they
 *                    hold their values in the coefficients, else {@link #OP_NONE}
 * @param ciphertexts the ciphertexts (empty for other kinds)
 * @param items       raw items (empty for ciphertext kinds)
 */
public record Message(MessageKind kind, long requestId, int op, Ciphertext[] ciphertexts, byte[][] items) {
    /** No function. */
    public static final int OP_NONE = 0;
    /** Apply ReLU (the only function the client ever computes). */
    public static final int OP_RELU = 1;
    /** An INFER whose ciphertexts are complex-packed (two real batches as real and imaginary parts). */
    public static final int OP_COMPLEX_PACKED = 2;
    /** An INFER whose ciphertexts are coefficient-packed (N values in the coefficients: {@code Packing.COEFFICIENT}). */
    public static final int OP_COEFFICIENT_PACKED = 3;

    /**
     * @return whether {@code op} is a valid function code for {@code kind}: OP_RELU for ACTIVATE, OP_NONE,
     * OP_COMPLEX_PACKED or OP_COEFFICIENT_PACKED for INFER, OP_NONE otherwise (what both codecs check on decoding)
     */
    public static boolean validOp(MessageKind kind, int op) {
        return switch (kind) {
            case ACTIVATE -> op == OP_RELU;
            case INFER -> op == OP_NONE || op == OP_COMPLEX_PACKED || op == OP_COEFFICIENT_PACKED;
            default -> op == OP_NONE;
        };
    }

    /** @return an INFER, marked complex-packed or not */
    public static Message infer(long requestId, Ciphertext[] cts, boolean complexPacked) {
        return infer(requestId, cts, complexPacked ? io.github.jckks.nn.Packing.COMPLEX : io.github.jckks.nn.Packing.REAL);
    }

    /** @return an INFER marked with its packing */
    public static Message infer(long requestId, Ciphertext[] cts, io.github.jckks.nn.Packing packing) {
        int op = switch (packing) {
            case REAL -> OP_NONE;
            case COMPLEX -> OP_COMPLEX_PACKED;
            case COEFFICIENT -> OP_COEFFICIENT_PACKED;
        };
        return new Message(MessageKind.INFER, requestId, op, cts, new byte[0][]);
    }

    /** @return the packing an INFER's function code names */
    public io.github.jckks.nn.Packing packing() {
        return switch (op) {
            case OP_COMPLEX_PACKED -> io.github.jckks.nn.Packing.COMPLEX;
            case OP_COEFFICIENT_PACKED -> io.github.jckks.nn.Packing.COEFFICIENT;
            default -> io.github.jckks.nn.Packing.REAL;
        };
    }

    /**
     * Hands the limb arrays of this message's ciphertexts to {@code limbs} ({@link Ciphertext#releaseTo}): for a message
     * that has been sent over a transport that copies messages, or received over one and consumed. Neither the
     * message's ciphertexts nor anything sharing their arrays may be used afterwards.
     */
    public void releaseCiphertextsTo(io.github.jckks.math.LimbPool limbs) {
        for (Ciphertext c : ciphertexts) {
            c.releaseTo(limbs);
        }
    }

    /** @return a HELLO with the given items */
    public static Message hello(byte[]... items) {
        return new Message(MessageKind.HELLO, 0, OP_NONE, new Ciphertext[0], items);
    }

    /**
     * The server's HELLO: its serialized parameters and the level at which it wants the inputs of an INFER (a
     * 4-byte big-endian item): the lowest level its model can start from ({@link ClientAidedModel#minimumInputLevel}),
     * so the client encrypts, and the wire carries, no prime the server would only drop.
     */
    public static Message serverHello(byte[] parameters, int inputLevel) {
        return hello(parameters, java.nio.ByteBuffer.allocate(4).putInt(inputLevel).array());
    }

    /**
     * @param topLevel the parameters' top level L
     * @return the input level a server's HELLO asks for (its second item), or L if it names none
     * @throws ClientAidedException if this is not a HELLO of one or two items, the item is not 4 bytes, or the
     *                              level is outside [0, L]
     */
    public int requestedInputLevel(int topLevel) {
        if (kind != MessageKind.HELLO || items.length < 1 || items.length > 2) {
            throw new ClientAidedException("protocol error: expected the server's HELLO (parameters, optional input level), got " + this);
        }
        if (items.length == 1) {
            return topLevel;
        }
        if (items[1].length != 4) {
            throw new ClientAidedException("malformed server HELLO: the input level item has " + items[1].length
                    + " bytes, expected 4");
        }
        int level = java.nio.ByteBuffer.wrap(items[1]).getInt();
        if (level < 0 || level > topLevel) {
            throw new ClientAidedException("server asks for inputs at level " + level + ", outside [0, " + topLevel + "]");
        }
        return level;
    }

    /** @return a ciphertext message */
    public static Message ciphertexts(MessageKind kind, long requestId, Ciphertext[] cts) {
        if (!kind.carriesCiphertexts()) {
            throw new IllegalArgumentException(kind + " carries no ciphertexts");
        }
        return new Message(kind, requestId, kind == MessageKind.ACTIVATE ? OP_RELU : OP_NONE, cts, new byte[0][]);
    }

    /** @return an ERROR message (text cut to 1000 characters) */
    public static Message error(long requestId, String text) {
        String t = text == null ? "unknown error" : text.length() > 1000 ? text.substring(0, 1000) : text;
        return new Message(MessageKind.ERROR, requestId, OP_NONE, new Ciphertext[0],
                new byte[][] {t.getBytes(StandardCharsets.UTF_8)});
    }

    /** @return a BYE message */
    public static Message bye() {
        return new Message(MessageKind.BYE, 0, OP_NONE, new Ciphertext[0], new byte[0][]);
    }

    /** @return the number of ciphertexts or items */
    public int count() {
        return kind.carriesCiphertexts() ? ciphertexts.length : items.length;
    }

    /** @return the text of an ERROR message */
    public String text() {
        return items.length == 0 ? "" : new String(items[0], StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return kind + "(id " + requestId + ", " + count() + (kind.carriesCiphertexts() ? " ciphertexts" : " items") + ")";
    }
}
