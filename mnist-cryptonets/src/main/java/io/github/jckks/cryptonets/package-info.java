/**
 * The plaintext side of the CryptoNets demo on MNIST: reading the data ({@code .data}), the
 * network and its weight file ({@code .model}) and the trainer that produces the shipped weights
 * ({@code .train}).
 */
package io.github.jckks.cryptonets;
