/**
 * CryptoNets on encrypted MNIST: the program {@code bin/cryptonets} ({@link io.github.jckks.cryptonets.CryptoNetsCli})
 * with its client and server roles ({@link io.github.jckks.cryptonets.CryptoNetsClient},
 * {@link io.github.jckks.cryptonets.CryptoNetsServer}), the encrypted networks and their parameters
 * ({@link io.github.jckks.cryptonets.EncryptedCryptoNets}: SQUARE, and RELU with masked client-aided activations)
 * and the measured run ({@link io.github.jckks.cryptonets.CryptoNetsRun}); and the plaintext side: reading the
 * data ({@code .data}), the network and its weight file ({@code .model}) and the trainer that produces the
 * shipped weights ({@code .train}).
 */
package io.github.jckks.cryptonets;
