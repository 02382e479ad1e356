package io.github.jckks.cryptonets.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.cryptonets.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistIdxTest {

    @TempDir
    Path tmp;

    @Test
    void readsOfficialTestSet() {
        Path dir = TestData.mnistDirOrSkip();
        MnistDataset test = MnistDataset.loadTest(dir);
        assertEquals(10_000, test.size());
        int[] first = new int[10];
        for (int i = 0; i < 10; i++) {
            first[i] = test.label(i);
        }
        assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, first);
        float[] img = test.image(0);
        assertEquals(784, img.length);
        float max = 0;
        for (float v : img) {
            assertTrue(v >= 0f && v <= 1f);
            max = Math.max(max, v);
        }
        assertEquals(1f, max);
    }

    @Test
    void readsOfficialTrainingSet() {
        Path dir = TestData.mnistDirOrSkip();
        MnistDataset train = MnistDataset.loadTrain(dir);
        assertEquals(60_000, train.size());
        assertEquals(5, train.label(0));
    }

    @Test
    void acceptsUncompressedOfficialFile() throws IOException {
        Path dir = TestData.mnistDirOrSkip();
        Path raw = tmp.resolve("t10k-labels-idx1-ubyte");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("t10k-labels-idx1-ubyte.gz")))) {
            Files.write(raw, in.readAllBytes());
        }
        byte[] labels = MnistIdx.readLabels(raw, true);
        assertEquals(10_000, labels.length);
        assertEquals(7, labels[0]);
    }

    @Test
    void rejectsTruncatedRawImages() throws IOException {
        byte[] full = images(3, 28, 28);
        Path f = write("imgs", Arrays.copyOf(full, full.length - 100));
        assertMessage(() -> MnistIdx.readImages(f, false), "truncated", f.toString());
    }

    @Test
    void rejectsTruncatedGzipImages() throws IOException {
        byte[] gz = gzip(images(50, 28, 28));
        Path f = write("imgs.gz", Arrays.copyOf(gz, gz.length / 2));
        MnistFormatException e = assertThrows(MnistFormatException.class, () -> MnistIdx.readImages(f, false));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void rejectsTruncatedHeader() throws IOException {
        Path f = write("labels", new byte[] {0, 0, 8, 1, 0});
        assertMessage(() -> MnistIdx.readLabels(f, false), "truncated");
    }

    @Test
    void rejectsWrongMagic() throws IOException {
        Path f = write("labels", images(2, 28, 28));
        assertMessage(() -> MnistIdx.readLabels(f, false), "bad magic 2051");
    }

    @Test
    void rejectsWrongDimensions() throws IOException {
        Path f = write("imgs", images(2, 27, 28));
        assertMessage(() -> MnistIdx.readImages(f, false), "27x28");
    }

    @Test
    void rejectsOversizedCountWithoutAllocating() throws IOException {
        byte[] header = ByteBuffer.allocate(16).putInt(2051).putInt(Integer.MAX_VALUE).putInt(28).putInt(28).array();
        Path f = write("imgs.gz", gzip(header));
        assertMessage(() -> MnistIdx.readImages(f, false), "outside 0..100000");
        Path raw = write("imgs", ByteBuffer.allocate(16).putInt(2051).putInt(90_000).putInt(28).putInt(28).array());
        assertMessage(() -> MnistIdx.readImages(raw, false), "truncated");
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] lab = labels(4);
        Path f = write("labels", Arrays.copyOf(lab, lab.length + 3));
        assertMessage(() -> MnistIdx.readLabels(f, false), "trailing");
    }

    @Test
    void rejectsLabelOutOfRange() throws IOException {
        byte[] lab = labels(4);
        lab[9] = 10;
        Path f = write("labels", lab);
        assertMessage(() -> MnistIdx.readLabels(f, false), "label 10 at index 1");
    }

    @Test
    void rejectsMismatchedCounts() throws IOException {
        Path img = write("imgs.gz", gzip(images(3, 28, 28)));
        Path lab = write("labels", labels(2));
        assertMessage(() -> MnistDataset.load(img, lab, false), "3 images but", "2 labels");
    }

    @Test
    void rejectsChecksumMismatchUnderOfficialName() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("custom"));
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(images(2, 28, 28)));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels(2));
        MnistFormatException e = assertThrows(MnistFormatException.class, () -> MnistDataset.loadTest(dir));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"), e.getMessage());
        assertTrue(e.getMessage().contains("actual"), e.getMessage());
        MnistDataset custom = MnistDataset.loadTest(dir, false);
        assertEquals(2, custom.size());
        assertEquals(1, custom.label(1));
        assertEquals(((784 + 7) % 256) / 255f, custom.image(1)[7]);
    }

    @Test
    void locatorFailsWithAlternatives() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("a/b"));
        MnistFiles files = new MnistFiles(work, tmp.resolve("cache"), List.of(URI.create("http://127.0.0.1:9/")),
                Duration.ofSeconds(2));
        MnistUnavailableException e = assertThrows(MnistUnavailableException.class, () -> files.locate(null));
        assertTrue(e.getMessage().contains("--data DIR"), e.getMessage());
        assertTrue(e.getMessage().contains("http://127.0.0.1:9/train-images-idx3-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("ossci-datasets"), e.getMessage());
        assertMessageU(() -> files.findLocal(work), "lacks");
    }

    /**
     * Inference needs only the two test files: a directory with just those is found (given, or beside the checkout)
     * without any download, while the trainer's locate still asks for all four; the message of a checksum mismatch
     * names where the official files are.
     */
    @Test
    void inferenceNeedsOnlyTheTestFiles() throws IOException {
        Path checkout = Files.createDirectories(tmp.resolve("repo/main"));
        Path shared = Files.createDirectories(tmp.resolve("repo/shared/data/mnist"));
        Files.write(shared.resolve("t10k-images-idx3-ubyte.gz"), gzip(images(2, 28, 28)));
        Files.write(shared.resolve("t10k-labels-idx1-ubyte"), labels(2));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/x"));
        // mirrors that cannot be reached: any download attempt would fail the locate
        List<URI> none = List.of(URI.create("http://127.0.0.1:9/"));
        MnistFiles given = new MnistFiles(elsewhere, tmp.resolve("cache1"), none, Duration.ofSeconds(2));
        assertEquals(shared, given.locateTest(shared));
        assertMessageU(() -> given.locate(shared), "train-images-idx3-ubyte.gz");
        String old = System.getProperty(MnistFiles.CHECKOUT_PROPERTY);
        System.setProperty(MnistFiles.CHECKOUT_PROPERTY, checkout.toString());
        try {
            MnistFiles defaults = MnistFiles.defaults();
            assertEquals(shared, defaults.localCandidates().get(0));
            assertEquals(shared, defaults.locateTest(null), "found beside the checkout, whatever the working directory");
        } finally {
            if (old == null) {
                System.clearProperty(MnistFiles.CHECKOUT_PROPERTY);
            } else {
                System.setProperty(MnistFiles.CHECKOUT_PROPERTY, old);
            }
        }
        MnistFormatException e = assertThrows(MnistFormatException.class, () -> MnistDataset.loadTest(shared));
        assertTrue(e.getMessage().contains("ossci-datasets") && e.getMessage().contains("--no-verify"), e.getMessage());
    }

    private static byte[] images(int count, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * rows * cols).putInt(2051).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < count * rows * cols; i++) {
            b.put((byte) (i % 256));
        }
        return b.array();
    }

    private static byte[] labels(int count) {
        ByteBuffer b = ByteBuffer.allocate(8 + count).putInt(2049).putInt(count);
        for (int i = 0; i < count; i++) {
            b.put((byte) (i % 10));
        }
        return b.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        MnistFormatException e = assertThrows(MnistFormatException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should contain '" + p + "': " + e.getMessage());
        }
    }

    private static void assertMessageU(org.junit.jupiter.api.function.Executable call, String part) {
        MnistUnavailableException e = assertThrows(MnistUnavailableException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
