/**
 * Reproducible plaintext training of the CryptoNets network on MNIST: the command-line
 * {@link io.github.jckks.cryptonets.train.Trainer}, per-shard gradients
 * ({@link io.github.jckks.cryptonets.train.ShardGradient}), the Adam optimiser
 * ({@link io.github.jckks.cryptonets.train.Adam}) and a one-line progress bar
 * ({@link io.github.jckks.cryptonets.train.ProgressBar}).
 */
package io.github.jckks.cryptonets.train;
