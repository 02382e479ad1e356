package io.github.jckks.cryptonets.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An immutable set of MNIST images with their labels. Pixels are kept as the original unsigned
 * bytes; {@link #image(int)} and {@link #imageInto(int, double[], int)} return them scaled to
 * {@code pixel / 255} in [0, 1], row-major ({@code row * 28 + col}).
 */
public final class MnistDataset {

    private final byte[] pixels;
    private final byte[] labels;
    private final int size;

    private MnistDataset(byte[] pixels, byte[] labels) {
        this.pixels = pixels;
        this.labels = labels;
        this.size = labels.length;
    }

    /** Loads the official 10,000 test images from {@code dir}, verifying official checksums. */
    public static MnistDataset loadTest(Path dir) {
        return loadTest(dir, true);
    }

    /** Loads the official 60,000 training images from {@code dir}, verifying official checksums. */
    public static MnistDataset loadTrain(Path dir) {
        return loadTrain(dir, true);
    }

    /** Loads the test split from {@code dir}; {@code verifyChecksums=false} accepts custom data. */
    public static MnistDataset loadTest(Path dir, boolean verifyChecksums) {
        return load(resolve(dir, MnistChecksums.TEST_IMAGES), resolve(dir, MnistChecksums.TEST_LABELS), verifyChecksums);
    }

    /** Loads the training split from {@code dir}; {@code verifyChecksums=false} accepts custom data. */
    public static MnistDataset loadTrain(Path dir, boolean verifyChecksums) {
        return load(resolve(dir, MnistChecksums.TRAIN_IMAGES), resolve(dir, MnistChecksums.TRAIN_LABELS), verifyChecksums);
    }

    /**
     * Loads an image file and a label file.
     *
     * @throws MnistFormatException if either file is malformed or their counts differ
     */
    public static MnistDataset load(Path imageFile, Path labelFile, boolean verifyChecksums) {
        byte[] labels = MnistIdx.readLabels(labelFile, verifyChecksums);
        byte[] pixels = MnistIdx.readImages(imageFile, verifyChecksums);
        int images = pixels.length / MnistIdx.PIXELS;
        if (images != labels.length) {
            throw new MnistFormatException(imageFile + " holds " + images + " images but " + labelFile + " holds "
                    + labels.length + " labels");
        }
        return new MnistDataset(pixels, labels);
    }

    /**
     * The file for an official base name inside {@code dir}: the {@code .gz} file when present,
     * else the uncompressed one, else (so the error names it) the {@code .gz} path.
     */
    static Path resolve(Path dir, String baseName) {
        Path gz = dir.resolve(baseName + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(baseName);
        return Files.isRegularFile(raw) ? raw : gz;
    }

    /** Number of images. */
    public int size() {
        return size;
    }

    /** The label (0..9) of image {@code i}. */
    public int label(int i) {
        return labels[checkIndex(i)];
    }

    /** A fresh copy of image {@code i} as 784 floats {@code pixel / 255}, row-major. */
    public float[] image(int i) {
        int base = checkIndex(i) * MnistIdx.PIXELS;
        float[] out = new float[MnistIdx.PIXELS];
        for (int p = 0; p < MnistIdx.PIXELS; p++) {
            out[p] = (pixels[base + p] & 0xff) / 255f;
        }
        return out;
    }

    /** Writes image {@code i} as 784 doubles {@code pixel / 255} into {@code dst} from {@code offset}. */
    public void imageInto(int i, double[] dst, int offset) {
        int base = checkIndex(i) * MnistIdx.PIXELS;
        for (int p = 0; p < MnistIdx.PIXELS; p++) {
            dst[offset + p] = (pixels[base + p] & 0xff) / 255.0;
        }
    }

    /** The raw pixel (0..255) of image {@code i} at {@code row}, {@code col}. */
    public int pixel(int i, int row, int col) {
        return pixels[checkIndex(i) * MnistIdx.PIXELS + row * MnistIdx.SIDE + col] & 0xff;
    }

    /** A copy of all pixels as unsigned bytes, {@code [i * 784 + row * 28 + col]}. */
    public byte[] pixelBytes() {
        return pixels.clone();
    }

    /** A copy of all labels. */
    public byte[] labelBytes() {
        return labels.clone();
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("image index " + i + " outside 0.." + (size - 1));
        }
        return i;
    }
}
