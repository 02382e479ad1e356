package io.github.jckks.cryptonets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.cryptonets.data.MnistDataset;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job at a real size (N = 8192, 128-bit): encrypted CryptoNets predictions equal the plaintext ones.
 * Uses the official test images when ../shared/data/mnist is present, generated images otherwise.
 */
class EncryptedCryptoNetsTest {
    private static final List<Path> CANDIDATES = List.of(
            Path.of("../shared/data/mnist"), Path.of("../../shared/data/mnist"), Path.of("/work/shared/data/mnist"));

    @TempDir
    Path tmp;

    @Test
    void encryptedPredictionsEqualPlaintextPredictions() throws IOException {
        MnistDataset data = null;
        for (Path p : CANDIDATES) {
            if (Files.isRegularFile(p.resolve("t10k-images-idx3-ubyte.gz"))) {
                data = MnistDataset.loadTest(p);
                break;
            }
        }
        boolean real = data != null;
        if (!real) {
            data = synthetic(tmp, 300, new Random(7));
        }
        CryptoNetsRun.Report r = new CryptoNetsRun(CryptoNetsWeights.loadBundled(Activation.SQUARE), data, 2, null).run(300);
        assertEquals(128, r.securityBits());
        assertEquals(8192, r.ringDegree());
        assertEquals(1.0, r.agreement(), 1e-12, "every encrypted prediction equals the plaintext one");
        assertEquals(r.plaintextAccuracy(), r.encryptedAccuracy(), 1e-12);
        assertTrue(r.maxLogitError() < 0.02, "max logit error " + r.maxLogitError());
        if (real) {
            assertTrue(r.encryptedAccuracy() >= 0.98, "accuracy on the first 300 test images " + r.encryptedAccuracy());
        }
    }

    /** Writes random IDX files (no checksum: not official names) and loads them. */
    static MnistDataset synthetic(Path dir, int count, Random rnd) throws IOException {
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
}
