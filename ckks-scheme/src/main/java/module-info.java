/**
 * RNS-CKKS approximate homomorphic encryption: parameters and security, keys, the canonical-embedding
 * encoder, encryption, decryption, the evaluator with hybrid key switching, and serialization.
 */
module io.github.jckks.ckks {
    requires transitive io.github.jckks.math;
    exports io.github.jckks.ckks;
    exports io.github.jckks.ckks.examples;
}
