package io.github.jckks.cryptonets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Locates the real MNIST files for tests, skipping the calling test when they are absent. */
public final class TestData {
    private static final List<Path> CANDIDATES = List.of(
            Path.of("../shared/data/mnist"), Path.of("../../shared/data/mnist"), Path.of("/work/shared/data/mnist"));

    private TestData() {
    }

    /** The directory with the official test files, or aborts the test (skip) if there is none. */
    public static Path mnistDirOrSkip() {
        for (Path p : CANDIDATES) {
            if (Files.isRegularFile(p.resolve("t10k-images-idx3-ubyte.gz"))
                    && Files.isRegularFile(p.resolve("t10k-labels-idx1-ubyte.gz"))) {
                return p;
            }
        }
        Assumptions.abort("MNIST files not found in " + CANDIDATES);
        return null;
    }
}
