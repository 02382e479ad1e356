/**
 * Client-aided non-polynomial activations (nGraph-HE2's client-aided model), masked: the server holds the
 * model and only public keys; the client holds the keys, decrypts masked values, applies ReLU and
 * re-encrypts. Roles {@link io.github.jckks.nn.clientaided.ClientAidedServer} and
 * {@link io.github.jckks.nn.clientaided.ClientAidedClient}; models
 * {@link io.github.jckks.nn.clientaided.ClientAidedModel} with
 * {@link io.github.jckks.nn.clientaided.ReluActivation}, {@link io.github.jckks.nn.clientaided.Relu6Activation}
 * and {@link io.github.jckks.nn.clientaided.MaxPoolActivation}; transports
 * {@link io.github.jckks.nn.clientaided.InProcessTransport} and
 * {@link io.github.jckks.nn.clientaided.TcpTransport} (served by
 * {@link io.github.jckks.nn.clientaided.ClientAidedTcpServer}). The design, the wire format and what the
 * client still learns are in nn-layers/CLIENT_AIDED.md.
 */
package io.github.jckks.nn.clientaided;
