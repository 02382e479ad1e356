package io.github.jckks.nn;

import java.util.Arrays;

/**
 * A batch of real tensors, stored once in <b>NCHW</b> order (PyTorch's): shape [B, d<sub>1</sub>, ..., d<sub>k</sub>]
 * with the batch index outermost and the last dimension fastest, e.g. [B, C, H, W] for images or [B, F] for
 * features. Image b flattened (channel, then row, then column) is exactly the vector the layers of this package
 * take ({@link Layer#forward(double[])}), and element e of every image is what one ciphertext of an
 * {@link EncryptedTensor} holds across its slots. Immutable (the data is copied in and out); thread-safe.
 * Cost: B &middot; d<sub>1</sub> &middot; ... &middot; d<sub>k</sub> doubles.
 */
public final class Tensor {
    private final int[] shape;
    private final double[] data;

    private Tensor(int[] shape, double[] data) {
        this.shape = shape;
        this.data = data;
    }

    /**
     * @param data  the values in NCHW order (copied)
     * @param shape [B, d<sub>1</sub>, ..., d<sub>k</sub>], every dimension at least 1, k &ge; 1
     * @return the tensor
     * @throws IllegalArgumentException if a dimension is below 1, the product overflows, or it differs from the
     *                                  data's length
     */
    public static Tensor of(double[] data, int... shape) {
        long size = checkShape(shape);
        if (data.length != size) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size + " values, got "
                    + data.length);
        }
        return new Tensor(shape.clone(), data.clone());
    }

    /**
     * @param images     one flattened image per row (the layers' input format), all of equal length
     * @param imageShape the shape of one image, e.g. {C, H, W}; its product must equal each row's length
     * @return the batch [images.length, imageShape...]
     */
    public static Tensor ofImages(double[][] images, int... imageShape) {
        if (images.length == 0) {
            throw new IllegalArgumentException("a tensor needs at least one image");
        }
        int[] shape = new int[imageShape.length + 1];
        shape[0] = images.length;
        System.arraycopy(imageShape, 0, shape, 1, imageShape.length);
        long size = checkShape(shape);
        int per = (int) (size / images.length);
        double[] data = new double[(int) size];
        for (int b = 0; b < images.length; b++) {
            if (images[b].length != per) {
                throw new IllegalArgumentException("image " + b + " has " + images[b].length + " values, shape "
                        + Arrays.toString(imageShape) + " needs " + per);
            }
            System.arraycopy(images[b], 0, data, b * per, per);
        }
        return new Tensor(shape, data);
    }

    /** @return the element count, checking every dimension (at least 1) and the total (below 2^31) */
    static long checkShape(int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs a batch dimension and at least one more");
        }
        long size = 1;
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a dimension below 1");
            }
            size *= d;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds more than 2^31 values");
            }
        }
        return size;
    }

    /** @return the shape [B, d<sub>1</sub>, ..., d<sub>k</sub>] (a copy) */
    public int[] shape() {
        return shape.clone();
    }

    /** @return B, the number of images */
    public int batch() {
        return shape[0];
    }

    /** @return the shape of one image [d<sub>1</sub>, ..., d<sub>k</sub>] (a copy) */
    public int[] imageShape() {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    /** @return d<sub>1</sub> &middot; ... &middot; d<sub>k</sub>, the elements of one image */
    public int imageSize() {
        return data.length / shape[0];
    }

    /**
     * @param index one index per dimension, batch first
     * @return the value there
     * @throws IndexOutOfBoundsException if the index has the wrong length or a component is out of range
     */
    public double get(int... index) {
        if (index.length != shape.length) {
            throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " for shape " + Arrays.toString(shape));
            }
            flat = flat * shape[d] + index[d];
        }
        return data[flat];
    }

    /** @return image b flattened in channel, row, column order (a copy): a layer's input */
    public double[] image(int b) {
        int per = imageSize();
        return Arrays.copyOfRange(data, checkImage(b) * per, (b + 1) * per);
    }

    /** @return element e of every image: [B] (a copy), what one ciphertext of a batch-packed tensor holds */
    public double[] element(int e) {
        int per = imageSize();
        if (e < 0 || e >= per) {
            throw new IndexOutOfBoundsException("element " + e + " of images of " + per);
        }
        double[] col = new double[shape[0]];
        for (int b = 0; b < col.length; b++) {
            col[b] = data[b * per + e];
        }
        return col;
    }

    private int checkImage(int b) {
        if (b < 0 || b >= shape[0]) {
            throw new IndexOutOfBoundsException("image " + b + " of a batch of " + shape[0]);
        }
        return b;
    }

    /** @return the values in NCHW order (a copy) */
    public double[] toArray() {
        return data.clone();
    }

    /**
     * @param imageShape the new shape of one image (Flatten is {@code reshape(imageSize())}); same element count
     * @return the same values under the new shape
     */
    public Tensor reshape(int... imageShape) {
        int[] s = new int[imageShape.length + 1];
        s[0] = shape[0];
        System.arraycopy(imageShape, 0, s, 1, imageShape.length);
        if (checkShape(s) != data.length) {
            throw new IllegalArgumentException("cannot reshape images of shape " + Arrays.toString(imageShape())
                    + " to " + Arrays.toString(imageShape));
        }
        return new Tensor(s, data);
    }

    /** @return per image, the index of its largest element (the first if tied): the predicted class */
    public int[] argmax() {
        int per = imageSize();
        int[] best = new int[shape[0]];
        for (int b = 0; b < best.length; b++) {
            int at = b * per;
            for (int e = 1; e < per; e++) {
                if (data[at + e] > data[at + best[b]]) {
                    best[b] = e;
                }
            }
        }
        return best;
    }

    /** @return per image, the softmax over its elements (max-subtracted, so no overflow); the same shape */
    public Tensor softmax() {
        int per = imageSize();
        double[] out = new double[data.length];
        for (int b = 0; b < shape[0]; b++) {
            int at = b * per;
            double max = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < per; e++) {
                max = Math.max(max, data[at + e]);
            }
            double sum = 0;
            for (int e = 0; e < per; e++) {
                out[at + e] = Math.exp(data[at + e] - max);
                sum += out[at + e];
            }
            for (int e = 0; e < per; e++) {
                out[at + e] /= sum;
            }
        }
        return new Tensor(shape, out);
    }

    /** @return max |this - other| over all values; the shapes must be equal */
    public double maxAbsDifference(Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException("shapes differ: " + Arrays.toString(shape) + " vs " + Arrays.toString(other.shape));
        }
        double max = 0;
        for (int i = 0; i < data.length; i++) {
            max = Math.max(max, Math.abs(data[i] - other.data[i]));
        }
        return max;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
