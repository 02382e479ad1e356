package io.github.jckks.cryptonets;

import io.github.jckks.cryptonets.data.MnistDataset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/** Locates the real MNIST files for tests, or makes synthetic ones. */
public final class TestData {
    private static final List<Path> CANDIDATES = List.of(
            Path.of("../shared/data/mnist"), Path.of("../../shared/data/mnist"), Path.of("/work/shared/data/mnist"));

    private TestData() {
    }

    /** @return the directory with the official test files, or null */
    public static Path mnistDir() {
        for (Path p : CANDIDATES) {
            if (Files.isRegularFile(p.resolve("t10k-images-idx3-ubyte.gz"))
                    && Files.isRegularFile(p.resolve("t10k-labels-idx1-ubyte.gz"))) {
                return p;
            }
        }
        return null;
    }

    /** The directory with the official test files, or aborts the test (skip) if there is none. */
    public static Path mnistDirOrSkip() {
        Path p = mnistDir();
        if (p == null) {
            Assumptions.abort("MNIST files not found in " + CANDIDATES);
        }
        return p;
    }

    /** @return the official test set if present, else {@code count} random images written to {@code tmp} */
    public static MnistDataset testSetOrSynthetic(Path tmp, int count) throws IOException {
        Path dir = mnistDir();
        return dir != null ? MnistDataset.loadTest(dir) : synthetic(tmp, count, new Random(7));
    }

    /** Writes random IDX files (no checksum: not official names) and loads them. */
    public static MnistDataset synthetic(Path dir, int count, Random rnd) throws IOException {
        ByteBuffer img = ByteBuffer.allocate(16 + count * 784);
        img.putInt(2051).putInt(count).putInt(28).putInt(28);
        for (int i = 0; i < count * 784; i++) {
            img.put((byte) (rnd.nextInt(4) == 0 ? rnd.nextInt(256) : 0));
        }
        ByteBuffer lab = ByteBuffer.allocate(8 + count);
        lab.putInt(2049).putInt(count);
        for (int i = 0; i < count; i++) {
            lab.put((byte) rnd.nextInt(10));
        }
        Path images = Files.write(dir.resolve("synthetic-images.idx3"), img.array());
        Path labels = Files.write(dir.resolve("synthetic-labels.idx1"), lab.array());
        return MnistDataset.load(images, labels, false);
    }

    /**
     * Every encrypted prediction equals the plaintext one on the official images (their closest top-2 logit gap,
     * 2.7e-3 over the first 4,400, is about 7 sigma of the run-to-run logit error). The synthetic images of
     * {@link #synthetic} sit at near ties (gaps down to 1e-6 against a per-logit error of about 1.6e-4), so there a
     * few flips in a thousand are allowed, and the accuracies may differ by at most the flipped fraction.
     */
    public static void assertAgreement(CryptoNetsRun.Report r, boolean officialImages) {
        if (officialImages) {
            org.junit.jupiter.api.Assertions.assertEquals(1.0, r.agreement(), 1e-12,
                    "every encrypted prediction equals the plaintext one");
            org.junit.jupiter.api.Assertions.assertEquals(r.plaintextAccuracy(), r.encryptedAccuracy(), 1e-12);
        } else {
            org.junit.jupiter.api.Assertions.assertTrue(r.agreement() >= 0.999, "agreement on synthetic images " + r.agreement());
            org.junit.jupiter.api.Assertions.assertEquals(r.plaintextAccuracy(), r.encryptedAccuracy(),
                    1 - r.agreement() + 1e-12);
        }
    }
}
