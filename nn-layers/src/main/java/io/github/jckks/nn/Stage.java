package io.github.jckks.nn;

/**
 * What every step of a network has, whatever computes its encrypted form: the sizes of its flattened input and
 * output tensors, its plaintext reference on one image, and a description. {@link Layer}s (the server's own
 * steps), client-aided activations and residual blocks with client-aided bodies
 * ({@link io.github.jckks.nn.clientaided.ClientAidedModel}'s steps) are stages, and nothing else is: a switch over a
 * stage's kind is exhaustive (layers and activations themselves are open to new implementations). Immutable and
 * thread-safe.
 */
public sealed interface Stage permits Layer, io.github.jckks.nn.clientaided.ClientAidedActivation,
        io.github.jckks.nn.clientaided.ClientAidedResidual {
    /** @return the number of input elements */
    int inputSize();

    /** @return the number of output elements */
    int outputSize();

    /** The plaintext reference on one image: returns the output elements. */
    double[] forward(double[] input);

    /** @return a one-line description */
    String describe();
}
