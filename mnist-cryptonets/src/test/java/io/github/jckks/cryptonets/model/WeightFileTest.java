package io.github.jckks.cryptonets.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightFileTest {

    @TempDir
    Path tmp;

    private static CryptoNetsWeights random(Activation act) {
        SplittableRandom rng = new SplittableRandom(42);
        double[] all = new double[CryptoNetsShape.PARAMETERS];
        for (int i = 0; i < all.length; i++) {
            all[i] = rng.nextDouble(-1, 1);
        }
        return CryptoNetsWeights.fromFlat(act, all);
    }

    @Test
    void float64RoundTripIsExact() throws IOException {
        CryptoNetsWeights w = random(Activation.RELU);
        Path f = tmp.resolve("w.bin");
        WeightFile.write(w, 8, f);
        assertEquals(WeightFile.fileSize(8), Files.size(f));
        CryptoNetsWeights r = CryptoNetsWeights.load(f);
        assertEquals(Activation.RELU, r.activation());
        assertArrayEquals(w.flatParameters(), r.flatParameters());
        assertEquals(w.dense1(99, 844), r.dense1Weights()[99][844]);
        assertEquals(w.convKernel(4, 3, 2), r.convKernels()[4][3][2]);
    }

    @Test
    void float32RoundTripRoundsToFloat() {
        CryptoNetsWeights w = random(Activation.SQUARE);
        CryptoNetsWeights r = WeightFile.decode(WeightFile.encode(w, 4), "mem");
        double[] a = w.flatParameters();
        double[] b = r.flatParameters();
        for (int i = 0; i < a.length; i++) {
            assertEquals((float) a[i], b[i]);
        }
    }

    @Test
    void rejectsCorruptedByte() {
        byte[] bytes = WeightFile.encode(random(Activation.SQUARE), 4);
        bytes[1000] ^= 0x10;
        assertMessage(bytes, "CRC-32 mismatch");
    }

    @Test
    void rejectsBadMagic() {
        byte[] bytes = WeightFile.encode(random(Activation.SQUARE), 4);
        bytes[0] = 'X';
        assertMessage(bytes, "bad magic");
    }

    @Test
    void rejectsTruncationAndTrailingBytes() {
        byte[] bytes = WeightFile.encode(random(Activation.SQUARE), 8);
        assertMessage(Arrays.copyOf(bytes, bytes.length - 1), "truncated");
        assertMessage(Arrays.copyOf(bytes, 20), "truncated");
        assertMessage(Arrays.copyOf(bytes, bytes.length + 1), "trailing");
    }

    @Test
    void rejectsWrongShapeVersionAndWidth() {
        byte[] bytes = WeightFile.encode(random(Activation.SQUARE), 4);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(20 + 4 * 6, 99); // hidden
        assertMessage(bytes, "hidden is 99, expected 100");
        byte[] v = WeightFile.encode(random(Activation.SQUARE), 4);
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        assertMessage(v, "version 2");
        byte[] wd = WeightFile.encode(random(Activation.SQUARE), 4);
        ByteBuffer.wrap(wd).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 2);
        assertMessage(wd, "width 2");
        byte[] act = WeightFile.encode(random(Activation.SQUARE), 4);
        ByteBuffer.wrap(act).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 7);
        assertMessage(act, "activation code 7");
    }

    @Test
    void rejectsWrongArrayLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CryptoNetsWeights.of(Activation.SQUARE, new double[125], new double[5], new double[845],
                        new double[100], new double[1000], new double[10]));
        assertTrue(e.getMessage().contains("dense1 weights must have 84500"), e.getMessage());
    }

    @Test
    void bundledWeightsLoad() {
        for (Activation a : Activation.values()) {
            assertEquals(a, CryptoNetsWeights.loadBundled(a).activation());
        }
    }

    private static void assertMessage(byte[] bytes, String part) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> WeightFile.decode(bytes, "test.bin"));
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertTrue(e.getMessage().startsWith("test.bin"), e.getMessage());
    }
}
