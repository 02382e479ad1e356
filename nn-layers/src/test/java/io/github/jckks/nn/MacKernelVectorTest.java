package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    /**
     * How residues are drawn: RANDOM, MAX (q - 1), ZERO, MIXED (0, q - 1 or random), EDGE (0, 1, q - 1, (q-1)/2
     * or (q+1)/2), HALF_LOW ((q-1)/2, the largest centred residue) and HALF_HIGH ((q+1)/2, centred to -(q-1)/2):
     * HALF_LOW inputs times HALF_LOW weights give the largest positive sums of the floating-point path, HALF_HIGH
     * inputs times HALF_LOW weights the most negative ones.
     */
    private enum Fill { RANDOM, MAX, ZERO, MIXED, EDGE, HALF_LOW, HALF_HIGH }

    private static long residue(Fill fill, long q) {
        return switch (fill) {
            case RANDOM -> RANDOM.nextLong(q);
            case MAX -> q - 1;
            case ZERO -> 0;
            case EDGE -> switch (RANDOM.nextInt(5)) {
                case 0 -> 0;
                case 1 -> 1 % q;
                case 2 -> q - 1;
                case 3 -> (q - 1) / 2;
                default -> (q + 1) / 2 % q;
            };
            case HALF_LOW -> (q - 1) / 2;
            case HALF_HIGH -> (q + 1) / 2 % q;
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

    /** @return the rows as ints (residues below 2^31), as a CompactRnsPoly holds them */
    private static int[][] ints(long[][] rows) {
        int[][] r = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            r[i] = new int[rows[i].length];
            for (int k = 0; k < r[i].length; k++) {
                r[i][k] = Math.toIntExact(rows[i][k]);
            }
        }
        return r;
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
        // the same layer on 32-bit input rows, both kernels
        int[][] in32 = ints(in);
        long[][] actual32 = outputs(nOut, n);
        long[][] scalar32 = outputs(nOut, n);
        v.dense(in32, w, actual32, n, q);
        ScalarMacKernel.INSTANCE.dense(in32, w, scalar32, n, q);
        long[][] a32 = prefix(actual32, n);
        long[][] s32 = prefix(scalar32, n);
        for (int o = 0; o < nOut; o++) {
            assertArrayEquals(e[o], a32[o], what + " output " + o + " (32-bit inputs)");
            assertArrayEquals(e[o], s32[o], what + " output " + o + " (32-bit inputs, scalar)");
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
        int[][] in32 = ints(in);
        long[][] actual32 = outputs(nOut, n);
        long[][] scalar32 = outputs(nOut, n);
        v.sparse(in32, idx, w, actual32, n, q);
        ScalarMacKernel.INSTANCE.sparse(in32, idx, w, scalar32, n, q);
        long[][] a32 = prefix(actual32, n);
        long[][] s32 = prefix(scalar32, n);
        for (int o = 0; o < nOut; o++) {
            assertArrayEquals(e[o], a32[o], what + " output " + o + " (32-bit inputs)");
            assertArrayEquals(e[o], s32[o], what + " output " + o + " (32-bit inputs, scalar)");
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

    // ---------------------------------------------------------------- the floating-point sparse path

    /** Primes of 17 to 31 bits around the floating-point path's limits (h = floor(q/2) up to and beyond 2^24). */
    private static List<Modulus> fmaPrimes() {
        return List.of(
                new Modulus(Primes.nttPrimes(17, 13, 1, List.of())[0]),
                new Modulus(Primes.nttPrimes(20, 13, 1, List.of())[0]),
                new Modulus(Primes.nttPrimes(24, 13, 1, List.of())[0]),
                new Modulus(Primes.nttPrimes(25, 13, 1, List.of())[0]),
                new Modulus(primeBelow(1L << 25)), // h = 2^24 - 20: the largest h of the floating-point path
                new Modulus(primeAbove(1L << 25)), // h just above 2^24: the integer path for any tap count
                new Modulus(Primes.nttPrimes(26, 13, 1, List.of())[0]),
                new Modulus(Primes.nttPrimes(30, 13, 1, List.of())[0]),
                new Modulus(Primes.nttPrimes(31, 13, 1, List.of())[0]),
                new Modulus(Integer.MAX_VALUE));
    }

    private static long primeBelow(long x) {
        long p = x - 1;
        while (!Primes.isPrime(p)) {
            p -= 2;
        }
        return p;
    }

    private static long primeAbove(long x) {
        long p = x + 1;
        while (!Primes.isPrime(p)) {
            p += 2;
        }
        return p;
    }

    /**
     * The most taps per output that the floating-point path sums (its own statement of the bound, independent of
     * the kernel's): h = floor(q/2) &le; 2^24 and taps &middot; h^2 &le; min(2^53, 2^51 q); 0 if h &gt; 2^24.
     */
    private static long fmaTapLimit(long q) {
        long h = q / 2;
        if (h > 1L << 24) {
            return 0;
        }
        BigInteger bound = BigInteger.ONE.shiftLeft(53).min(BigInteger.valueOf(q).shiftLeft(51));
        return bound.divide(BigInteger.valueOf(h).pow(2)).min(BigInteger.valueOf(Integer.MAX_VALUE)).longValue();
    }

    /** {@code maps} output maps of {@code positions} outputs, a position with the same random taps in every map. */
    private static int[][] sharedRows(int maps, int positions, int nIn, int terms) {
        int[][] idx = new int[maps * positions][];
        for (int r = 0; r < positions; r++) {
            int[] taps = new int[terms];
            for (int t = 0; t < terms; t++) {
                taps[t] = RANDOM.nextInt(nIn);
            }
            for (int m = 0; m < maps; m++) {
                idx[m * positions + r] = taps.clone();
            }
        }
        return idx;
    }

    @Test
    void sparseEdgeResiduesAroundTheExactnessLimit() {
        // tap counts just below, at and above the largest exact sum (above it the kernel falls back to integer
        // products), with the extreme centred residues: sums of +-h^2 terms reach +-limit h^2, close to 2^53
        MacKernel v = vector();
        for (Modulus q : fmaPrimes()) {
            long limit = fmaTapLimit(q.value());
            java.util.TreeSet<Integer> taps = new java.util.TreeSet<>(List.of(1, 2, 24, 25, 26));
            if (limit > 0 && limit <= 2048) {
                taps.addAll(List.of((int) limit - 1, (int) limit, (int) limit + 1));
            } else {
                taps.add(200);
            }
            for (int terms : taps) {
                int[][] idx = sharedRows(5, 3, 20, terms);
                checkSparse(v, q, 20, idx, 37, Fill.EDGE, Fill.EDGE, true);
                checkSparse(v, q, 20, idx, 37, Fill.HALF_LOW, Fill.HALF_LOW, true);
                checkSparse(v, q, 20, idx, 37, Fill.HALF_HIGH, Fill.HALF_LOW, true);
                checkSparse(v, q, 20, idx, 21, Fill.MAX, Fill.MAX, true);
                checkSparse(v, q, 20, idx, 16, Fill.RANDOM, Fill.EDGE, true);
            }
        }
    }

    @Test
    void sparseGroupSizesAndSlotCounts() {
        // 1 to 11 maps: groups of 5 and last groups of 1 to 4 (every tile shape of both paths), slot counts with
        // partial tiles, odd tails, and more than one block of slots
        MacKernel v = vector();
        for (Modulus q : List.of(fmaPrimes().get(2), fmaPrimes().get(4), fmaPrimes().get(7), fmaPrimes().get(9))) {
            for (int maps = 1; maps <= 11; maps++) {
                int[][] idx = sharedRows(maps, 2, 30, 1 + RANDOM.nextInt(30));
                for (int n : new int[] {1, 7, 15, 16, 17, 33}) {
                    checkSparse(v, q, 30, idx, n, Fill.EDGE, Fill.EDGE, true);
                }
                checkSparse(v, q, 30, idx, 1041, Fill.RANDOM, Fill.EDGE, maps <= 3);
            }
            // ragged: outputs with different tap counts in one layer, and empty rows
            int[][] idx = indices(12, 30, 0, 40);
            checkSparse(v, q, 30, idx, 529, Fill.EDGE, Fill.MIXED, true);
        }
    }

    @Test
    void sparseConvolutionOddSlotCounts() {
        // the CryptoNets convolution (groups of 5 maps) over 1 to 2 blocks of slots with tails
        MacKernel v = vector();
        int[][] conv = convIndices(5, 28, 5);
        for (Modulus q : List.of(fmaPrimes().get(2), fmaPrimes().get(4))) {
            for (int n : new int[] {9, 519, 1025}) {
                checkSparse(v, q, 784, conv, n, Fill.EDGE, Fill.EDGE, false);
            }
            checkSparse(v, q, 784, conv, 27, Fill.HALF_HIGH, Fill.HALF_LOW, true);
        }
    }

    @Test
    void mixedPrimesDoNotAllocate() throws Exception {
        // a layer is called once per prime: 24-, 26- and 30-bit primes in turn (CryptoNets mixes 24 and 30 bits)
        // must not make C2 compile a tile that boxes its vectors. The integer 4 x 8 tile once did, seeing sums
        // with and without lazy folds: 4.5 GB allocated per round of 24- and 30-bit calls of this layer. Whether
        // C2 does depends on what it compiled before, so the rounds run in a fresh JVM (MixedPrimes.main), which
        // reproduced that every time with the old kernel.
        vector();
        String launcher = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(launcher, "--add-modules", "jdk.incubator.vector", "-Xmx2g", "-cp",
                System.getProperty("java.class.path"), MixedPrimes.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, java.util.concurrent.TimeUnit.MINUTES), "MixedPrimes did not finish");
        assertEquals(0, process.exitValue(), output);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("allocated (\\d+)").matcher(output);
        assertTrue(m.find(), output);
        assertTrue(Long.parseLong(m.group(1)) < 4096, "sparse calls with 24-, 30- and 26-bit primes, 64- and 32-bit inputs: " + output);
    }

    /** The CryptoNets convolution for 24-, 30- and 26-bit primes in turn; prints the median allocation of 5 rounds. */
    static final class MixedPrimes {
        public static void main(String[] args) {
            MacKernel v = MacKernels.vector().orElseThrow();
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            // the layer as LayerMacBenchmark builds it: 25 taps everywhere, those in the padding (the 29th row and
            // column) with weight 0
            int[][] conv = new int[845][25];
            boolean[][] inside = new boolean[845][25];
            for (int m = 0, o = 0; m < 5; m++) {
                for (int r = 0; r < 13; r++) {
                    for (int c = 0; c < 13; c++, o++) {
                        for (int dr = 0, t = 0; dr < 5; dr++) {
                            for (int dc = 0; dc < 5; dc++, t++) {
                                int y = 2 * r + dr;
                                int x = 2 * c + dc;
                                inside[o][t] = y < 28 && x < 28;
                                conv[o][t] = Math.min(y, 27) * 28 + Math.min(x, 27);
                            }
                        }
                    }
                }
            }
            // 24 bits: the floating-point path; 26 and 30 bits: integer sums without and with lazy folds
            List<Modulus> qs = List.of(primes().get(0), primes().get(1),
                    new Modulus(Primes.nttPrimes(26, 13, 1, List.of())[0]));
            int n = 8192;
            long[][][] ins = new long[qs.size()][][];
            long[][][] ws = new long[qs.size()][][];
            for (int i = 0; i < qs.size(); i++) {
                ins[i] = matrix(784, n, Fill.RANDOM, qs.get(i).value());
                long[][] filters = matrix(5, 25, Fill.RANDOM, qs.get(i).value());
                ws[i] = new long[845][25];
                for (int o = 0; o < 845; o++) {
                    for (int t = 0; t < 25; t++) {
                        ws[i][o][t] = inside[o][t] ? filters[o / 169][t] : 0;
                    }
                }
            }
            // and each on 64-bit and on 32-bit input rows (a network's fresh and its received ciphertexts)
            int[][][] ins32 = new int[qs.size()][][];
            for (int i = 0; i < qs.size(); i++) {
                ins32[i] = ints(ins[i]);
            }
            long[][] out = new long[conv.length][n];
            for (int round = 0; round < 10; round++) {
                for (int i = 0; i < qs.size(); i++) {
                    v.sparse(ins[i], conv, ws[i], out, n, qs.get(i));
                    v.sparse(ins32[i], conv, ws[i], out, n, qs.get(i));
                }
            }
            long[] rounds = new long[5];
            for (int round = 0; round < rounds.length; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < qs.size(); i++) {
                    v.sparse(ins[i], conv, ws[i], out, n, qs.get(i));
                    v.sparse(ins32[i], conv, ws[i], out, n, qs.get(i));
                }
                rounds[round] = threads.getCurrentThreadAllocatedBytes() - before;
            }
            java.util.Arrays.sort(rounds);
            System.out.println("allocated " + rounds[rounds.length / 2] + " bytes per round (median of 5)");
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
