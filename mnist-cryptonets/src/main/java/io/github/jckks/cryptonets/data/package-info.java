/**
 * MNIST in the original IDX format: a strict reader ({@link io.github.jckks.cryptonets.data.MnistIdx}),
 * the official checksums ({@link io.github.jckks.cryptonets.data.MnistChecksums}), an immutable
 * dataset ({@link io.github.jckks.cryptonets.data.MnistDataset}) and a locator that finds or
 * downloads the four official files ({@link io.github.jckks.cryptonets.data.MnistFiles}).
 */
package io.github.jckks.cryptonets.data;
