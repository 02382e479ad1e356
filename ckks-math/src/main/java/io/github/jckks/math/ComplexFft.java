package io.github.jckks.math;

/**
 * The stages of a radix-2 complex FFT over split real and imaginary arrays, in place: the building blocks of the
 * CKKS encoder's special FFT (the encoder owns the twiddles and the bit reversal). Each stage runs on
 * {@link ModArith#fast()} when its half-size is a multiple of 4 and on the scalar loops here otherwise; both round
 * every product and sum separately (no fused multiply-add), so the results are identical. Cost per stage: one
 * complex product and two complex additions per pair. Stateless and thread-safe.
 */
public final class ComplexFft {
    private ComplexFft() {
    }

    /**
     * Decimation in time: for every block of 2&middot;half entries and j &lt; half, with a = block + j, b = a + half and
     * v = x[b] &middot; w[j]: x[a] = x[a] + v, x[b] = x[a] - v.
     */
    public static void forwardStage(double[] re, double[] im, double[] twRe, double[] twIm, int half) {
        PointwiseKernel fast = ModArith.fast();
        if (fast != null && half >= 4 && half % 4 == 0) {
            fast.fftForwardStage(re, im, twRe, twIm, half);
            return;
        }
        scalarForwardStage(re, im, twRe, twIm, half);
    }

    /** Decimation in frequency (the inverse's butterfly): x[a] = x[a] + x[b], x[b] = (x[a] - x[b]) &middot; w[j]. */
    public static void inverseStage(double[] re, double[] im, double[] twRe, double[] twIm, int half) {
        PointwiseKernel fast = ModArith.fast();
        if (fast != null && half >= 4 && half % 4 == 0) {
            fast.fftInverseStage(re, im, twRe, twIm, half);
            return;
        }
        scalarInverseStage(re, im, twRe, twIm, half);
    }

    /** {@link #forwardStage} on scalar loops (the reference of the SIMD stage). */
    static void scalarForwardStage(double[] re, double[] im, double[] twRe, double[] twIm, int half) {
        for (int i = 0; i < re.length; i += 2 * half) {
            for (int j = 0; j < half; j++) {
                int a = i + j;
                int b = a + half;
                double wr = twRe[j];
                double wi = twIm[j];
                double vr = re[b] * wr - im[b] * wi;
                double vi = re[b] * wi + im[b] * wr;
                double ur = re[a];
                double ui = im[a];
                re[a] = ur + vr;
                im[a] = ui + vi;
                re[b] = ur - vr;
                im[b] = ui - vi;
            }
        }
    }

    /** {@link #inverseStage} on scalar loops (the reference of the SIMD stage). */
    static void scalarInverseStage(double[] re, double[] im, double[] twRe, double[] twIm, int half) {
        for (int i = 0; i < re.length; i += 2 * half) {
            for (int j = 0; j < half; j++) {
                int a = i + j;
                int b = a + half;
                double vr = re[a] - re[b];
                double vi = im[a] - im[b];
                re[a] = re[a] + re[b];
                im[a] = im[a] + im[b];
                re[b] = vr * twRe[j] - vi * twIm[j];
                im[b] = vr * twIm[j] + vi * twRe[j];
            }
        }
    }
}
