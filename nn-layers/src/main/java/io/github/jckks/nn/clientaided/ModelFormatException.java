package io.github.jckks.nn.clientaided;

/**
 * A model file that {@link ModelFile} cannot read: malformed JSON, a wrong format tag or version, an unknown layer
 * type, a missing field, an array of the wrong length, a non-finite weight, a layer that does not fit the shape
 * before it. The message names the layer (its index path, e.g. {@code layers[3].body[1]}) and the field.
 */
public final class ModelFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, and where */
    public ModelFormatException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, and where
     * @param cause   the parser's or the layer's exception
     */
    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
