/**
 * Runnable, numbered examples that teach the CKKS API step by step, in the manner of Microsoft SEAL's
 * examples: {@link io.github.jckks.ckks.examples.Example1Parameters parameters and security},
 * {@link io.github.jckks.ckks.examples.Example2Encoding encoding},
 * {@link io.github.jckks.ckks.examples.Example3BasicArithmetic arithmetic},
 * {@link io.github.jckks.ckks.examples.Example4RescalingAndLevels rescaling and levels},
 * {@link io.github.jckks.ckks.examples.Example5Rotations rotations} and
 * {@link io.github.jckks.ckks.examples.Example6Serialization serialization}. Each has a {@code main} and a static
 * {@code run(PrintStream)} that the test suite calls, so the examples never rot.
 */
package io.github.jckks.ckks.examples;
