package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.math.RnsPoly;

/**
 * Zero padding of a C x H x W tensor (flattened channel-major, then row, then column) to
 * C x (H + top + bottom) x (W + left + right): PyTorch's {@code nn.ZeroPad2d((left, right, top, bottom))} and
 * {@code F.pad(x, (left, right, top, bottom))}, negative amounts cropping as there. (A convolution pads for free
 * through {@link LinearLayer#conv2d}'s own padding; this layer is for padding between other steps.)
 *
 * <p><b>Encrypted form</b>: no level, product or copy. Kept positions are the input ciphertexts themselves;
 * every padded position is a new <b>transparent</b> all-zero ciphertext (every part zero) at the input's level,
 * scale and part count: it decrypts to exactly 0 under any key, which reveals nothing the client does not know
 * (the positions are public); the following layers mix it with randomized ciphertexts. Cost:
 * one zeroed ciphertext of memory per padded position, nothing else.
 */
public final class Pad implements Layer {
    private final int channels;
    private final int height;
    private final int width;
    private final int left;
    private final int right;
    private final int top;
    private final int bottom;
    private final int outHeight;
    private final int outWidth;
    /** For each output element, the input element it copies, or -1 for a zero. */
    private final int[] source;

    /**
     * @param channels C
     * @param height   H
     * @param width    W
     * @param left     columns added before each row (negative: removed)
     * @param right    columns added after each row
     * @param top      rows added above each channel
     * @param bottom   rows added below each channel
     */
    public Pad(int channels, int height, int width, int left, int right, int top, int bottom) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("pad input shape " + channels + "x" + height + "x" + width + " must be positive");
        }
        this.outHeight = height + top + bottom;
        this.outWidth = width + left + right;
        if (outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException(String.format(
                    "padding (left %d, right %d, top %d, bottom %d) of %dx%dx%d leaves an empty %dx%d output", left, right,
                    top, bottom, channels, height, width, outHeight, outWidth));
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.left = left;
        this.right = right;
        this.top = top;
        this.bottom = bottom;
        this.source = new int[channels * outHeight * outWidth];
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < outHeight; r++) {
                for (int x = 0; x < outWidth; x++) {
                    int y = r - top;
                    int z = x - left;
                    source[(c * outHeight + r) * outWidth + x] = y >= 0 && y < height && z >= 0 && z < width
                            ? (c * height + y) * width + z : -1;
                }
            }
        }
    }

    /** @return the same padding on all four sides */
    public static Pad symmetric(int channels, int height, int width, int pad) {
        return new Pad(channels, height, width, pad, pad, pad, pad);
    }

    /** @return the output height */
    public int outputHeight() {
        return outHeight;
    }

    /** @return the output width */
    public int outputWidth() {
        return outWidth;
    }

    @Override
    public int inputSize() {
        return channels * height * width;
    }

    @Override
    public int outputSize() {
        return source.length;
    }

    @Override
    public int depth() {
        return 0;
    }

    @Override
    public double[] forward(double[] input) {
        checkSize(input.length);
        double[] out = new double[source.length];
        for (int o = 0; o < out.length; o++) {
            out[o] = source[o] < 0 ? 0 : input[source[o]];
        }
        return out;
    }

    @Override
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt) {
        checkSize(input.length);
        Ciphertext first = input[0];
        int k = first.level() + 1;
        int parts = first.size();
        double scale = first.scale();
        Ciphertext[] out = new Ciphertext[source.length];
        rt.parallelFor(out.length, o -> {
            int s = source[o];
            if (s >= 0) {
                out[o] = input[s];
                return;
            }
            RnsPoly[] ps = new RnsPoly[parts];
            for (int p = 0; p < parts; p++) {
                ps[p] = rt.limbs().take(k, true);
                ps[p].clear();
            }
            out[o] = new Ciphertext(ps, scale);
        });
        return out;
    }

    private void checkSize(int n) {
        if (n != inputSize()) {
            throw new IllegalArgumentException(describe() + ": input has " + n + " elements, expected " + inputSize());
        }
    }

    @Override
    public String describe() {
        return String.format("ZeroPad %dx%dx%d -> %dx%dx%d (left %d, right %d, top %d, bottom %d) [free: transparent zeros]",
                channels, height, width, channels, outHeight, outWidth, left, right, top, bottom);
    }
}
