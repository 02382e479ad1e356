package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.jckks.math.Modulus;
import io.github.jckks.math.Primes;
import java.math.BigInteger;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Vector API MAC kernel against the scalar kernel (bit for bit) and against a naive BigInteger reference,
 * for dense and sparse layers: 24-, 30- and 31-bit primes (and a few small ones), random residues, the extreme
 * residues 0 and q - 1 everywhere (the largest possible sums, which stress the lazy-reduction bounds), zero
 * weights, slot counts that are not multiples of the vector tiles, and 1 to 7 outputs.
 */
class MacKernelVectorTest {
    private static final SplittableRandom RANDOM = new SplittableRandom(20260514);
    private static final int[] SLOTS = {4, 12, 100};
    private static MacKernel vector;

    @BeforeAll
    static void kernel() {
        vector = MacKernels.vector().orElse(null);
    }

    private static MacKernel vector() {
        assumeTrue(vector != null, "the vector MAC kernel needs --add-modules jdk.incubator.vector");
        return vector;
    }

    /** Primes q < 2^31: NTT-friendly 24-, 30-, 31-bit ones, the extremes of 31 bits, and small ones. */
    private static List<Modulus> primes() {
        return List.of(
                new Modulus(Primes.nttPrimes(24, 13, 1, List.of())[0]),
                new Modulus(Primes.nttPrimes(30, 13, 1, List.of())[0]),
                new Modulus(Primes.nttPrimes(31, 13, 1, List.of())[0]),
                new Modulus(Integer.MAX_VALUE), // 2^31 - 1, the largest prime below 2^31
                new Modulus(smallest31BitPrime()),
                new Modulus(Primes.nttPrimes(17, 13, 1, List.of())[0]),
                new Modulus(65537),
                new Modulus(3),
                new Modulus(2)); // a power of two: handed to the scalar kernel
    }

    private static long smallest31BitPrime() {
        long p = (1L << 30) + 1;
        while (!Primes.isPrime(p)) {
            p += 2;
        }
        return p;
    }

    private enum Fill { RANDOM, MAX, ZERO, MIXED }

    private static long residue(Fill fill, long q) {
        return switch (fill) {
            case RANDOM -> RANDOM.nextLong(q);
            case MAX -> q - 1;
            case ZERO -> 0;
            case MIXED -> switch (RANDOM.nextInt(4)) {
                case 0 -> 0;
                case 1 -> q - 1;
                default -> RANDOM.nextLong(q);
            };
        };
    }

    private static long[][] matrix(int rows, int cols, Fill fill, long q) {
        long[][] m = new long[rows][cols];
        for (long[] row : m) {
            for (int k = 0; k < cols; k++) {
                row[k] = residue(fill, q);
            }
        }
        return m;
    }

    /** Output rows a little longer than n, filled with a sentinel: slots from n on must stay untouched. */
    private static long[][] outputs(int rows, int n) {
        long[][] out = new long[rows][n + 3];
        for (long[] row : out) {
            java.util.Arrays.fill(row, -7L);
        }
        return out;
    }

    private static long[][] naiveDense(long[][] in, long[][] w, int n, long q) {
        long[][] out = new long[w.length][n];
        BigInteger bq = BigInteger.valueOf(q);
        for (int o = 0; o < w.length; o++) {
            for (int k = 0; k < n; k++) {
                BigInteger s = BigInteger.ZERO;
                for (int j = 0; j < in.length; j++) {
                    s = s.add(BigInteger.valueOf(w[o][j]).multiply(BigInteger.valueOf(in[j][k])));
                }
                out[o][k] = s.mod(bq).longValueExact();
            }
        }
        return out;
    }

    private static long[][] naiveSparse(long[][] in, int[][] idx, long[][] w, int n, long q) {
        long[][] out = new long[w.length][n];
        for (int o = 0; o < w.length; o++) {
            for (int k = 0; k < n; k++) {
                long s = 0;
                for (int t = 0; t < idx[o].length; t++) {
                    s = Math.floorMod(s + Math.floorMod(w[o][t] * in[idx[o][t]][k], q), q);
                }
                out[o][k] = s;
            }
        }
        return out;
    }

    private static long[][] prefix(long[][] out, int n) {
        long[][] p = new long[out.length][];
        for (int o = 0; o < out.length; o++) {
            p[o] = java.util.Arrays.copyOf(out[o], n);
            for (int k = n; k < out[o].length; k++) {
                assertEquals(-7L, out[o][k], "slot " + k + " beyond n = " + n + " was written");
            }
        }
        return p;
    }

    private static void checkDense(MacKernel v, Modulus q, int nIn, int nOut, int n, Fill inFill, Fill wFill,
                                   boolean naive) {
        long[][] in = matrix(nIn, n, inFill, q.value());
        long[][] w = matrix(nOut, nIn, wFill, q.value());
        long[][] expected = outputs(nOut, n);
        long[][] actual = outputs(nOut, n);
        ScalarMacKernel.INSTANCE.dense(in, w, expected, n, q);
        v.dense(in, w, actual, n, q);
        String what = "dense " + q + " in=" + nIn + " out=" + nOut + " n=" + n + " " + inFill + "/" + wFill;
        long[][] e = prefix(expected, n);
        long[][] a = prefix(actual, n);
        for (int o = 0; o < nOut; o++) {
            assertArrayEquals(e[o], a[o], what + " output " + o);
        }
        if (naive) {
            long[][] ref = naiveDense(in, w, n, q.value());
            for (int o = 0; o < nOut; o++) {
                assertArrayEquals(ref[o], a[o], what + " output " + o + " (naive)");
            }
        }
    }

    private static int[][] indices(int nOut, int nIn, int minTerms, int maxTerms) {
        int[][] idx = new int[nOut][];
        for (int o = 0; o < nOut; o++) {
            idx[o] = new int[minTerms + RANDOM.nextInt(maxTerms - minTerms + 1)];
            for (int t = 0; t < idx[o].length; t++) {
                idx[o][t] = RANDOM.nextInt(nIn); // repeats allowed
            }
        }
        return idx;
    }

    private static void checkSparse(MacKernel v, Modulus q, int nIn, int[][] idx, int n, Fill inFill, Fill wFill,
                                    boolean naive) {
        int nOut = idx.length;
        long[][] in = matrix(nIn, n, inFill, q.value());
        long[][] w = new long[nOut][];
        for (int o = 0; o < nOut; o++) {
            w[o] = new long[idx[o].length];
            for (int t = 0; t < w[o].length; t++) {
                w[o][t] = residue(wFill, q.value());
            }
        }
        long[][] expected = outputs(nOut, n);
        long[][] actual = outputs(nOut, n);
        ScalarMacKernel.INSTANCE.sparse(in, idx, w, expected, n, q);
        v.sparse(in, idx, w, actual, n, q);
        String what = "sparse " + q + " in=" + nIn + " out=" + nOut + " n=" + n + " " + inFill + "/" + wFill;
        long[][] e = prefix(expected, n);
        long[][] a = prefix(actual, n);
        for (int o = 0; o < nOut; o++) {
            assertArrayEquals(e[o], a[o], what + " output " + o + " (" + idx[o].length + " terms)");
        }
        if (naive) {
            long[][] ref = naiveSparse(in, idx, w, n, q.value());
            for (int o = 0; o < nOut; o++) {
                assertArrayEquals(ref[o], a[o], what + " output " + o + " (naive)");
            }
        }
    }

    @Test
    void isTheVectorKernel() {
        MacKernel v = vector();
        assertEquals("vector", v.name());
        assertEquals("io.github.jckks.nn.vector.VectorMacKernel", v.getClass().getName());
        assertEquals(v, MacKernels.byName("vector"));
    }

    @Test
    void denseSmallShapes() {
        MacKernel v = vector();
        for (Modulus q : primes()) {
            for (int n : SLOTS) {
                for (int nOut = 1; nOut <= 7; nOut++) {
                    for (int nIn : new int[] {1, 3, 13, 40}) {
                        checkDense(v, q, nIn, nOut, n, Fill.RANDOM, Fill.RANDOM, true);
                        checkDense(v, q, nIn, nOut, n, Fill.MIXED, Fill.MIXED, true);
                    }
                    checkDense(v, q, 40, nOut, n, Fill.MAX, Fill.MAX, true);
                    checkDense(v, q, 9, nOut, n, Fill.RANDOM, Fill.ZERO, true);
                    checkDense(v, q, 9, nOut, n, Fill.ZERO, Fill.RANDOM, true);
                }
            }
        }
    }

    @Test
    void denseLongSumsOfLargestResidues() {
        // 845 inputs of q - 1 times weights q - 1: the largest sums, many lazy folds for 30 and 31 bits
        MacKernel v = vector();
        for (Modulus q : primes()) {
            checkDense(v, q, 845, 5, 12, Fill.MAX, Fill.MAX, true);
            checkDense(v, q, 845, 3, 20, Fill.MIXED, Fill.MAX, true);
        }
    }

    @Test
    void denseFullSlotCount() {
        // n = 8192 (many blocks of slots): the CryptoNets dense layer's 845 inputs for a few outputs
        MacKernel v = vector();
        for (Modulus q : primes().subList(0, 4)) {
            checkDense(v, q, 845, 5, 8192, Fill.RANDOM, Fill.RANDOM, false);
            checkDense(v, q, 60, 7, 8192, Fill.MAX, Fill.MAX, false);
            checkDense(v, q, 30, 5, 1000, Fill.MIXED, Fill.MIXED, true);
        }
    }

    @Test
    void sparseSmallShapes() {
        MacKernel v = vector();
        for (Modulus q : primes()) {
            for (int n : new int[] {4, 12, 16, 100}) {
                for (int nOut = 1; nOut <= 7; nOut++) {
                    checkSparse(v, q, 30, indices(nOut, 30, 0, 30), n, Fill.RANDOM, Fill.RANDOM, true);
                    checkSparse(v, q, 30, indices(nOut, 30, 1, 60), n, Fill.MIXED, Fill.MIXED, true);
                    checkSparse(v, q, 30, indices(nOut, 30, 25, 25), n, Fill.MAX, Fill.MAX, true);
                    checkSparse(v, q, 10, indices(nOut, 10, 1, 25), n, Fill.RANDOM, Fill.ZERO, true);
                }
            }
            checkSparse(v, q, 50, indices(9, 50, 200, 900), 36, Fill.MAX, Fill.MAX, true);
        }
    }

    /**
     * Index rows of a convolution (k x k kernel, stride 2, zero padding of one row and column at the bottom
     * right dropped, so border rows are shorter), channel-major output like {@link LinearLayer#conv2d}: the maps
     * share their rows (as equal copies), which the vector kernel sums in groups of 4 maps.
     */
    private static int[][] convIndices(int maps, int side, int k) {
        int grid = (side + 1 - k) / 2 + 1;
        int[][] idx = new int[maps * grid * grid][];
        for (int m = 0, o = 0; m < maps; m++) {
            for (int r = 0; r < grid; r++) {
                for (int c = 0; c < grid; c++, o++) {
                    int[] taps = new int[k * k];
                    int t = 0;
                    for (int dr = 0; dr < k; dr++) {
                        for (int dc = 0; dc < k; dc++) {
                            int y = 2 * r + dr;
                            int x = 2 * c + dc;
                            if (y < side && x < side) {
                                taps[t++] = y * side + x;
                            }
                        }
                    }
                    idx[o] = java.util.Arrays.copyOf(taps, t);
                }
            }
        }
        return idx;
    }

    @Test
    void sparseConvolutionMaps() {
        // 1 to 9 maps: no group, groups of 4 plus singles (5 maps: CryptoNets), two groups (8), ...
        MacKernel v = vector();
        for (Modulus q : primes()) {
            for (int maps = 1; maps <= 9; maps++) {
                checkSparse(v, q, 100, convIndices(maps, 10, 5), 36, Fill.RANDOM, Fill.RANDOM, true);
            }
            checkSparse(v, q, 100, convIndices(5, 10, 5), 20, Fill.MAX, Fill.MAX, true);
            checkSparse(v, q, 100, convIndices(6, 10, 3), 100, Fill.MIXED, Fill.MIXED, true);
        }
    }

    @Test
    void sparseRepeatedRows() {
        // equal rows in irregular places: runs of 1 to 6 equal rows along the map stride, and equal rows elsewhere
        MacKernel v = vector();
        for (Modulus q : primes()) {
            int[][] idx = indices(30, 40, 1, 30);
            int stride = 5;
            for (int o = stride; o < idx.length; o++) {
                if (RANDOM.nextInt(3) != 0) {
                    idx[o] = idx[o - stride].clone();
                }
            }
            idx[7] = idx[2].clone();
            checkSparse(v, q, 40, idx, 52, Fill.MIXED, Fill.RANDOM, true);
            checkSparse(v, q, 40, idx, 16, Fill.MAX, Fill.MAX, true);
        }
    }

    @Test
    void sparseConvolutionShape() {
        // the CryptoNets convolution: 5 maps of 13 x 13 over a 28 x 28 image, 5 x 5 kernel, stride 2, at n = 8192
        // (several blocks of slots); a smaller convolution at n = 8192 for the other primes
        MacKernel v = vector();
        int[][] conv = convIndices(5, 28, 5);
        assertEquals(845, conv.length);
        checkSparse(v, primes().get(0), 784, conv, 8192, Fill.RANDOM, Fill.RANDOM, false);
        for (Modulus q : primes().subList(0, 4)) {
            checkSparse(v, q, 784, conv, 24, Fill.MAX, Fill.MAX, true);
            checkSparse(v, q, 144, convIndices(5, 12, 5), 8192, Fill.MIXED, Fill.MIXED, false);
            checkSparse(v, q, 144, convIndices(5, 12, 5), 1040, Fill.MAX, Fill.MAX, true);
        }
    }

    @Test
    void cryptoNetsConvolutionAllPrimes() {
        // the full 784 -> 845 convolution (groups of 4 maps plus a single per position) for 24-, 30- and 31-bit
        // primes, with slot counts that end in a partial sparse tile (8 of 16, and 7 scalar slots), and the
        // largest residues (the 30- and 31-bit sums then fold inside the 25-term sums)
        MacKernel v = vector();
        int[][] conv = convIndices(5, 28, 5);
        for (Modulus q : primes().subList(0, 5)) {
            checkSparse(v, q, 784, conv, 1000, Fill.MIXED, Fill.MIXED, false);
            checkSparse(v, q, 784, conv, 31, Fill.MAX, Fill.MAX, true);
        }
    }

    @Test
    void emptyLayers() {
        MacKernel v = vector();
        Modulus q = primes().get(0);
        long[][] none = new long[0][];
        v.dense(new long[3][8], new long[0][], none, 8, q);
        v.sparse(new long[3][8], new int[0][], new long[0][], none, 8, q);
        long[][] out = outputs(2, 8);
        v.dense(new long[0][], new long[][] {{}, {}}, out, 8, q);
        assertArrayEquals(new long[8], prefix(out, 8)[1]);
        out = outputs(2, 8);
        v.dense(matrix(2, 8, Fill.RANDOM, q.value()), matrix(2, 2, Fill.RANDOM, q.value()), out, 0, q);
        prefix(out, 0);
    }

    @Test
    void rejectsLargePrimesAndRaggedWeights() {
        MacKernel v = vector();
        Modulus big = new Modulus(Primes.nttPrimes(32, 13, 1, List.of())[0]);
        assertThrows(IllegalArgumentException.class, () -> v.dense(new long[1][4], new long[1][1], new long[1][4], 4, big));
        assertThrows(IllegalArgumentException.class,
                () -> v.sparse(new long[1][4], new int[][] {{0}}, new long[][] {{1}}, new long[1][4], 4, big));
        Modulus q = primes().get(0);
        assertThrows(IllegalArgumentException.class, () -> v.dense(new long[2][4], new long[1][1], new long[1][4], 4, q));
    }
}
