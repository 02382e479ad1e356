/**
 * Runnable examples of the layer API ({@code main}, and a static {@code run(PrintStream)} that the test suite calls
 * so they never rot): {@link io.github.jckks.nn.examples.EncryptedInferenceExample} runs a small network on an
 * encrypted batch of images, from the model to the client's argmax.
 */
package io.github.jckks.nn.examples;
