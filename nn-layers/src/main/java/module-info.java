/**
 * Neural-network layers on encrypted tensors with batch-axis packing (one ciphertext per tensor element,
 * slot i holding image i), the multiply-accumulate kernels behind them, and plaintext reference layers.
 */
module io.github.jckks.nn {
    requires transitive io.github.jckks.ckks;
    requires java.management;
    requires com.fasterxml.jackson.databind;
    requires static jdk.incubator.vector;
    requires static info.picocli;
    exports io.github.jckks.nn;
    exports io.github.jckks.nn.clientaided;
    exports io.github.jckks.nn.examples;
    opens io.github.jckks.nn.clientaided to info.picocli;
}
