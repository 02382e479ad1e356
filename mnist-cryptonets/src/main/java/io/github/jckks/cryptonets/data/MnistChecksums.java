package io.github.jckks.cryptonets.data;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The official SHA-256 digests of the four MNIST files, both of the {@code .gz} files as
 * published and of their uncompressed content.
 */
public final class MnistChecksums {

    /** One official file: its base name (without {@code .gz}) and the two digests. */
    public record Entry(String baseName, String gzSha256, String rawSha256) {
        /** The name of the compressed file as published, e.g. {@code t10k-images-idx3-ubyte.gz}. */
        public String gzName() {
            return baseName + ".gz";
        }
    }

    /** Base name of the training images. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    /** Base name of the training labels. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    /** Base name of the test images. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    /** Base name of the test labels. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    private static final List<Entry> ENTRIES = List.of(
            new Entry(TRAIN_IMAGES,
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            new Entry(TRAIN_LABELS,
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            new Entry(TEST_IMAGES,
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            new Entry(TEST_LABELS,
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"));

    private MnistChecksums() {
    }

    /** All four official files, training set first. */
    public static List<Entry> all() {
        return ENTRIES;
    }

    /** The two files of the test set (images, labels). */
    public static List<Entry> test() {
        return ENTRIES.subList(2, 4);
    }

    /**
     * The official entry for a file name, which may be the published {@code .gz} name or the
     * uncompressed base name; empty for any other name.
     */
    public static Optional<Entry> forFileName(String fileName) {
        String base = fileName.endsWith(".gz") ? fileName.substring(0, fileName.length() - 3) : fileName;
        for (Entry e : ENTRIES) {
            if (e.baseName().equals(base)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Lower-case hex of a digest. */
    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
