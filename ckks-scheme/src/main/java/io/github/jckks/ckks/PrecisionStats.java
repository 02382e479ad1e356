package io.github.jckks.ckks;

import java.util.Arrays;
import java.util.Locale;

/**
 * Precision statistics of decrypted (or decoded) values against the expected ones, in the style of Lattigo's
 * {@code GetPrecisionStats}: for every slot the absolute error |expected - actual| (for complex values the
 * modulus of the complex difference), summarized as its minimum, maximum, mean and median, and the same
 * figures as bits of precision, -log2(error). The <em>minimum</em> precision comes from the <em>maximum</em>
 * error: it is the guarantee a caller can rely on for every slot.
 *
 * <p>Precision in bits is capped at {@value #MAX_BITS} (an exact match). A NaN or infinite actual value counts
 * as an infinite error (0 bits). Immutable and thread-safe.
 *
 * <pre>{@code
 * PrecisionStats st = PrecisionStats.of(expected, encoder.decode(decryptor.decrypt(ct)));
 * System.out.println(st);        // precision (bits): min 22.31, mean 25.87, median 26.02, max 34.11 | ...
 * assert st.maxError() < 1e-6;
 * }</pre>
 */
public final class PrecisionStats {
    /** The cap on reported precision: a double has 53 significand bits. */
    public static final double MAX_BITS = 53;

    private final int count;
    private final double minError;
    private final double maxError;
    private final double meanError;
    private final double medianError;
    private final double rmsError;
    private final int worstSlot;

    private PrecisionStats(double[] errors) {
        if (errors.length == 0) {
            throw new IllegalArgumentException("no values to compare");
        }
        count = errors.length;
        double sum = 0;
        double sumSq = 0;
        double max = -1;
        int worst = 0;
        for (int i = 0; i < errors.length; i++) {
            double e = errors[i];
            if (!(e >= 0) || Double.isInfinite(e)) {
                e = Double.POSITIVE_INFINITY;
                errors[i] = e;
            }
            sum += e;
            sumSq += e * e;
            if (e > max) {
                max = e;
                worst = i;
            }
        }
        double[] sorted = errors.clone();
        Arrays.sort(sorted);
        minError = sorted[0];
        maxError = sorted[count - 1];
        medianError = (count & 1) == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
        meanError = sum / count;
        rmsError = Math.sqrt(sumSq / count);
        worstSlot = worst;
    }

    /**
     * Real values: the error of slot j is |expected[j] - actual[j]|, for j below expected.length (actual may be
     * longer, e.g. all N/2 decoded slots, and its extra slots are ignored).
     *
     * @throws IllegalArgumentException if actual is shorter than expected, or expected is empty
     */
    public static PrecisionStats of(double[] expected, double[] actual) {
        requireLength(expected.length, actual.length);
        double[] e = new double[expected.length];
        for (int j = 0; j < e.length; j++) {
            e[j] = Math.abs(expected[j] - actual[j]);
        }
        return new PrecisionStats(e);
    }

    /**
     * Complex values given as real and imaginary parts (either expected part may be null for zero; actual parts
     * as {@link CkksEncoder#decodeComplex} returns them): the error of slot j is |expected[j] - actual[j]|, the
     * modulus of the complex difference.
     */
    public static PrecisionStats ofComplex(double[] expectedRe, double[] expectedIm, double[] actualRe, double[] actualIm) {
        int n = expectedRe != null ? expectedRe.length : expectedIm.length;
        requireLength(n, actualRe.length);
        requireLength(n, actualIm.length);
        double[] e = new double[n];
        for (int j = 0; j < n; j++) {
            double dr = (expectedRe == null ? 0 : expectedRe[j]) - actualRe[j];
            double di = (expectedIm == null ? 0 : expectedIm[j]) - actualIm[j];
            e[j] = Math.hypot(dr, di);
        }
        return new PrecisionStats(e);
    }

    /** Complex values as {re[], im[]} pairs (the shape {@link CkksEncoder#decodeComplex} returns). */
    public static PrecisionStats ofComplex(double[][] expected, double[][] actual) {
        return ofComplex(expected[0], expected[1], actual[0], actual[1]);
    }

    private static void requireLength(int expected, int actual) {
        if (actual < expected) {
            throw new IllegalArgumentException(actual + " actual values for " + expected + " expected ones");
        }
    }

    /** @return bits of precision for an absolute error: -log2(error), capped at {@value #MAX_BITS} */
    public static double bits(double error) {
        if (error == 0) {
            return MAX_BITS;
        }
        if (!(error < Double.POSITIVE_INFINITY)) {
            return 0;
        }
        return Math.min(MAX_BITS, -Math.log(error) / Math.log(2));
    }

    /** @return the number of slots compared */
    public int count() {
        return count;
    }

    /** @return the largest absolute error */
    public double maxError() {
        return maxError;
    }

    /** @return the smallest absolute error */
    public double minError() {
        return minError;
    }

    /** @return the mean absolute error */
    public double meanError() {
        return meanError;
    }

    /** @return the median absolute error */
    public double medianError() {
        return medianError;
    }

    /** @return the root mean square of the errors */
    public double rmsError() {
        return rmsError;
    }

    /** @return the index of the slot with the largest error */
    public int worstSlot() {
        return worstSlot;
    }

    /** @return the worst-slot precision in bits, -log2(max error): every slot is at least this precise */
    public double minPrecision() {
        return bits(maxError);
    }

    /** @return the best-slot precision in bits, -log2(min error) */
    public double maxPrecision() {
        return bits(minError);
    }

    /** @return -log2(mean error) */
    public double meanPrecision() {
        return bits(meanError);
    }

    /** @return -log2(median error) */
    public double medianPrecision() {
        return bits(medianError);
    }

    /** @return whether every slot's error is at most {@code tolerance} */
    public boolean within(double tolerance) {
        return maxError <= tolerance;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "precision (bits): min %.2f, mean %.2f, median %.2f, max %.2f | error: max %.3e (slot %d), mean %.3e,"
                        + " median %.3e | %d slots",
                minPrecision(), meanPrecision(), medianPrecision(), maxPrecision(), maxError, worstSlot, meanError,
                medianError, count);
    }
}
