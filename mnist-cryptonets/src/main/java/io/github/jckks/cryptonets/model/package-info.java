/**
 * The CryptoNets network of nGraph-HE2 (mean pooling folded into the first dense layer), its
 * weights ({@link io.github.jckks.cryptonets.model.CryptoNetsWeights}), their binary file format
 * ({@link io.github.jckks.cryptonets.model.WeightFile}) and a plaintext double-precision forward
 * pass ({@link io.github.jckks.cryptonets.model.PlaintextCryptoNets}) used as the reference for
 * encrypted inference.
 */
package io.github.jckks.cryptonets.model;
