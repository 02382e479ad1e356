package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.nn.Harness;
import java.time.Duration;
import java.util.Random;

/** Shared small parameter sets and random data for the client-aided tests. */
final class Fixtures {
    /** A two-thread pool shared by the tests that do not make their own (as nn's {@code Harness.POOL}). */
    static final java.util.concurrent.ForkJoinPool POOL = new java.util.concurrent.ForkJoinPool(2);

    private Fixtures() {
    }

    /**
     * Insecure N = 1024 set with L = levels: q0 31 bits (the MAC kernels take primes below 2^31), then 25-bit
     * primes, scale 2^25, special 40 bits. Level 0 leaves 2^5 of headroom: |r x| &lt; 32 when sent there.
     */
    static CkksContext smallContext(int levels) {
        int[] bits = new int[levels + 1];
        bits[0] = 31;
        for (int i = 1; i <= levels; i++) {
            bits[i] = 25;
        }
        return new CkksContext(CkksParameters.builder().logN(10).dataPrimeBits(bits).specialPrimeBits(40)
                .scale(0x1p25).insecureForTestsOnly().build());
    }

    static TransportLimits limits() {
        return TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(20)).withMaxFrameBytes(64 << 20);
    }

    static double[][] matrix(Random r, int out, int in, double s) {
        return Harness.matrix(r, out, in, s);
    }

    static double[] vector(Random r, int n, double s) {
        return Harness.vector(r, n, s);
    }

    static double[][] images(Random r, int batch, int size, double s) {
        double[][] x = new double[batch][];
        for (int b = 0; b < batch; b++) {
            x[b] = vector(r, size, s);
        }
        return x;
    }

    /** @return a convolution kernel [maps][ch][k][k] of values uniform in [-s, s) */
    static double[][][][] kernel(Random r, int maps, int ch, int k, double s) {
        return Harness.kernel(r, maps, ch, k, s);
    }

    /**
     * @return the largest |plaintext - encrypted| output of {@code model} on {@code images}, run in one process through
     *         the wire encoding with a fresh client ({@link ClientAidedClient#withFreshKeys})
     */
    static double encryptedError(ClientAidedModel model, CkksContext ctx, double[][] images, MaskingConfig masking,
                                 java.util.concurrent.ForkJoinPool pool) {
        return encryptedError(new ClientAidedServer(ctx, model, masking, pool), images);
    }

    /** {@link #encryptedError(ClientAidedModel, CkksContext, double[][], MaskingConfig, java.util.concurrent.ForkJoinPool)} on a given server. */
    static double encryptedError(ClientAidedServer server, double[][] images) {
        double[][] got = InProcessRunner.infer(server, ClientAidedClient.withFreshKeys(server.context()), images, limits());
        return maxError(server.model().forward(images), got);
    }

    /**
     * @return a key holder's side of a ReLU round in place of a transport: decrypt each ciphertext (real slots), ReLU,
     * fresh encryption at the top level
     */
    static ActivationChannel reluChannel(ClientAidedClient client) {
        return masked -> {
            io.github.jckks.ckks.Ciphertext[] out = new io.github.jckks.ckks.Ciphertext[masked.length];
            for (int k = 0; k < masked.length; k++) {
                double[] v = client.decrypt(masked[k]);
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.max(v[i], 0);
                }
                out[k] = client.encrypt(v);
            }
            return out;
        };
    }

    static double maxError(double[][] a, double[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }
}
