package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plaintext batch: NCHW indexing, images and elements, reshape, argmax/softmax, refusals. */
class TensorTest {

    @Test
    void nchwIndexingMatchesTheFlatOrder() {
        double[] data = new double[2 * 3 * 4 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        Tensor t = Tensor.of(data, 2, 3, 4, 5);
        assertEquals(2, t.batch());
        assertArrayEquals(new int[] {3, 4, 5}, t.imageShape());
        assertEquals(60, t.imageSize());
        // [b][c][h][w] at ((b C + c) H + h) W + w
        assertEquals(((1 * 3 + 2) * 4 + 3) * 5 + 4, t.get(1, 2, 3, 4));
        assertEquals(0, t.get(0, 0, 0, 0));
        double[] img1 = t.image(1);
        assertEquals(60, img1.length);
        assertEquals(60, img1[0]);
        assertEquals(119, img1[59]);
        assertArrayEquals(new double[] {7, 67}, t.element(7));
        data[0] = -1; // copied in
        assertEquals(0, t.get(0, 0, 0, 0));
        t.toArray()[0] = -1; // copied out
        assertEquals(0, t.get(0, 0, 0, 0));
    }

    @Test
    void imagesRoundTripAndReshapeKeepsTheValues() {
        Random r = new Random(1);
        double[][] images = new double[3][12];
        for (double[] im : images) {
            for (int i = 0; i < im.length; i++) {
                im[i] = r.nextGaussian();
            }
        }
        Tensor t = Tensor.ofImages(images, 3, 2, 2);
        for (int b = 0; b < 3; b++) {
            assertArrayEquals(images[b], t.image(b));
        }
        Tensor flat = t.reshape(12);
        assertArrayEquals(new int[] {3, 12}, flat.shape());
        assertArrayEquals(t.toArray(), flat.toArray());
        assertEquals(images[2][5], flat.get(2, 5));
    }

    @Test
    void argmaxAndSoftmaxPerImage() {
        Tensor logits = Tensor.of(new double[] {1, 5, 2, 900, 1000, 999}, 2, 3);
        assertArrayEquals(new int[] {1, 1}, logits.argmax());
        Tensor p = logits.softmax();
        for (int b = 0; b < 2; b++) {
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                sum += p.get(b, c);
            }
            assertEquals(1, sum, 1e-12);
        }
        assertEquals(1 / (Math.exp(-4) + 1 + Math.exp(-3)), p.get(0, 1), 1e-12); // e^5 / (e^1 + e^5 + e^2)
        assertTrue(p.get(1, 1) > 0.7 && Double.isFinite(p.get(1, 0)), "no overflow at large logits: " + p.get(1, 1));
        assertEquals(0, logits.maxAbsDifference(Tensor.of(logits.toArray(), 2, 3)));
    }

    @Test
    void badShapesAndIndicesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[6], 2, 4));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[6], 6));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[0], 0, 3));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[1], 1, 65536, 65536));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofImages(new double[][] {{1, 2}, {3}}, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofImages(new double[0][], 2));
        Tensor t = Tensor.of(new double[6], 2, 3);
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.image(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.element(3));
        assertThrows(IllegalArgumentException.class, () -> t.reshape(4));
        assertThrows(IllegalArgumentException.class, () -> t.maxAbsDifference(Tensor.of(new double[6], 3, 2)));
    }
}
