package io.github.jckks.nn;

import static io.github.jckks.nn.Harness.kernel;
import static io.github.jckks.nn.Harness.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Pad}: PyTorch ZeroPad2d geometry, free encrypted form with transparent zeros. */
class PadTest {
    private static final ForkJoinPool pool = Harness.POOL;

    @Test
    void geometryMatchesZeroPad2d() {
        // ZeroPad2d((left 2, right -1, top 1, bottom 0)) on 2 x 3 x 4: rows 1 + 3, columns 2 + 4 - 1
        Pad pad = new Pad(2, 3, 4, 2, -1, 1, 0);
        assertEquals(4, pad.outputHeight());
        assertEquals(5, pad.outputWidth());
        double[] x = new double[24];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        double[] y = pad.forward(x);
        assertEquals(2 * 4 * 5, y.length);
        for (int c = 0; c < 2; c++) {
            for (int r = 0; r < 4; r++) {
                for (int col = 0; col < 5; col++) {
                    int sr = r - 1;
                    int sc = col - 2;
                    double expected = sr >= 0 && sr < 3 && sc >= 0 && sc < 4 ? x[(c * 3 + sr) * 4 + sc] : 0;
                    assertEquals(expected, y[(c * 4 + r) * 5 + col], 0.0, "c " + c + " r " + r + " col " + col);
                }
            }
        }
        assertEquals(0, pad.depth());
    }

    @Test
    void padThenConvEqualsPaddedConv() {
        Random r = new Random(7);
        double[][][][] k = kernel(r, 2, 1, 3, 1);
        double[] b = vector(r, 2, 1);
        Sequential viaPad = Sequential.builder().add(new Pad(1, 5, 4, 1, 0, 2, 1))
                .add(LinearLayer.conv2d(1, 8, 5, k, b, 1, 0, 0, 0, 0, 1)).build();
        LinearLayer padded = LinearLayer.conv2d(1, 5, 4, k, b, 1, 2, 1, 1, 0, 1);
        double[] x = vector(r, 20, 1);
        assertArrayEquals(padded.forward(x), viaPad.forward(x), 1e-12);
    }

    @Test
    void badShapesAreRejected() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> new Pad(1, 2, 2, -1, -1, 0, 0));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> Pad.symmetric(2, 2, 2, 1).forward(new double[7]));
        assertTrue(size.getMessage().contains("expected 8"), size.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Sequential.builder().add(LinearLayer.dense(new double[3][2], new double[3])).add(Pad.symmetric(1, 2, 2, 1)));
    }

    @ParameterizedTest
    @EnumSource(value = Packing.class, names = {"REAL", "COMPLEX"}) // the slot packings: COEFFICIENT holds linear steps only
    void encryptedPaddingIsFreeAndExact(Packing packing) {
        Random r = new Random(8);
        Harness h = new Harness(packing, pool, 2);
        double[][] images = h.images(r, 2 * 2 * 3, -1, 1);
        Ciphertext[] in = h.encrypt(images);
        Pad pad = new Pad(2, 2, 3, 1, 1, 0, 1);
        Ciphertext[] kept = in.clone();
        Ciphertext[] out = pad.forward(in, h.rt);
        assertEquals(pad.outputSize(), out.length);
        double[][] dec = h.decrypt(out);
        double maxErr = 0;
        for (int i = 0; i < h.batch; i++) {
            double[] ref = pad.forward(images[i]);
            for (int o = 0; o < out.length; o++) {
                assertEquals(in[0].level(), out[o].level());
                assertEquals(in[0].scale(), out[o].scale());
                assertEquals(2, out[o].size());
                if (ref[o] == 0) {
                    assertEquals(0.0, dec[o][i], 0.0, "a transparent zero decrypts to exactly 0");
                } else {
                    maxErr = Math.max(maxErr, Math.abs(ref[o] - dec[o][i]));
                }
            }
        }
        assertTrue(maxErr < 1e-4, "kept elements are the fresh encryptions: max error " + maxErr + " (bound 1e-4)");
        assertSame(kept[3], out[pad.outputWidth() + 1], "kept positions (row 1, column 1 <- input row 1, column 0) pass the input ciphertexts through");
    }

    @Test
    void zerosFollowAThreePartInput() {
        Harness h = new Harness(Packing.REAL, pool, 2);
        Ciphertext[] in = h.encrypt(h.images(new Random(9), 1, 0, 1));
        Ciphertext[] sq = new SquareActivation(1).forward(in, h.rt);
        Ciphertext[] out = Pad.symmetric(1, 1, 1, 1).forward(sq, h.rt);
        assertEquals(9, out.length);
        assertEquals(3, out[0].size(), "zeros have the input's part count");
        assertEquals(sq[0].scale(), out[0].scale());
        assertSame(sq[0], out[4]);
    }
}
