package io.github.jckks.cryptonets.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Strict reader for MNIST files in the IDX format: image files (magic 2051, {@code count x 28 x 28}
 * unsigned bytes) and label files (magic 2049, {@code count} bytes in 0..9), either gzip-compressed
 * (recognised by the {@code 0x1f 0x8b} magic, not by the name) or raw.
 *
 * <p>Every problem (bad magic, wrong dimensions, a count above {@link #MAX_COUNT}, truncation,
 * trailing bytes, an out-of-range label, a checksum mismatch) raises {@link MnistFormatException}
 * naming the file. Memory is only allocated after the declared count has been bounded, and for raw
 * files after it has been checked against the file size.
 *
 * <p>When checksum verification is on and the file name is one of the four official names
 * ({@link MnistChecksums}), the SHA-256 of the file as stored must equal the official digest of the
 * {@code .gz} file or of the uncompressed content, or the SHA-256 of the decompressed content must
 * equal the official uncompressed digest.
 */
public final class MnistIdx {

    /** Magic number of an IDX image file (unsigned byte, 3 dimensions). */
    public static final int IMAGE_MAGIC = 2051;
    /** Magic number of an IDX label file (unsigned byte, 1 dimension). */
    public static final int LABEL_MAGIC = 2049;
    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Pixels per image. */
    public static final int PIXELS = SIDE * SIDE;
    /** Largest item count accepted in a header (the official files hold 60,000 and 10,000). */
    public static final int MAX_COUNT = 100_000;

    private static final int IMAGE_HEADER = 16;
    private static final int LABEL_HEADER = 8;
    private static final int BUFFER = 1 << 16;

    private MnistIdx() {
    }

    /**
     * Reads an image file and returns its pixels, image-major then row-major
     * ({@code pixels[i * 784 + row * 28 + col]}), as unsigned bytes.
     *
     * @param file           the IDX image file, gzip or raw
     * @param verifyChecksum whether an officially named file must match its official SHA-256
     */
    public static byte[] readImages(Path file, boolean verifyChecksum) {
        return read(file, true, verifyChecksum);
    }

    /**
     * Reads a label file and returns one byte per item, each in 0..9.
     *
     * @param file           the IDX label file, gzip or raw
     * @param verifyChecksum whether an officially named file must match its official SHA-256
     */
    public static byte[] readLabels(Path file, boolean verifyChecksum) {
        byte[] labels = read(file, false, verifyChecksum);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 9) {
                throw new MnistFormatException(file + ": label " + (labels[i] & 0xff) + " at index " + i
                        + " is outside 0..9");
            }
        }
        return labels;
    }

    private static byte[] read(Path file, boolean images, boolean verifyChecksum) {
        String kind = images ? "image" : "label";
        if (!Files.isRegularFile(file)) {
            throw new MnistFormatException(file + ": no such " + kind + " file");
        }
        MessageDigest fileDigest = sha256();
        MessageDigest contentDigest = sha256();
        byte[] data;
        try (InputStream fin = Files.newInputStream(file);
             BufferedInputStream bin = new BufferedInputStream(new DigestInputStream(fin, fileDigest), BUFFER)) {
            long fileSize = Files.size(file);
            bin.mark(2);
            int b0 = bin.read();
            int b1 = bin.read();
            bin.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            InputStream content = new DigestInputStream(gzip ? new GZIPInputStream(bin, BUFFER) : bin, contentDigest);
            data = readBody(file, content, images, gzip, fileSize);
            if (content.read() != -1) {
                throw new MnistFormatException(file + ": trailing bytes after the declared " + kind + "s");
            }
            bin.transferTo(OutputStream.nullOutputStream()); // finish the digest of the stored bytes
        } catch (EOFException e) {
            throw new MnistFormatException(file + ": truncated " + kind + " file (" + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw new MnistFormatException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new MnistFormatException(file + ": cannot read " + kind + " file (" + e + ")", e);
        }
        if (verifyChecksum) {
            verify(file, MnistChecksums.hex(fileDigest.digest()), MnistChecksums.hex(contentDigest.digest()));
        }
        return data;
    }

    private static byte[] readBody(Path file, InputStream in, boolean images, boolean gzip, long fileSize)
            throws IOException {
        int headerSize = images ? IMAGE_HEADER : LABEL_HEADER;
        String kind = images ? "image" : "label";
        byte[] header = in.readNBytes(headerSize);
        if (header.length < headerSize) {
            throw new MnistFormatException(file + ": truncated " + kind + " file: header has " + header.length
                    + " of " + headerSize + " bytes");
        }
        int magic = intAt(header, 0);
        int expectedMagic = images ? IMAGE_MAGIC : LABEL_MAGIC;
        if (magic != expectedMagic) {
            throw new MnistFormatException(file + ": bad magic " + magic + ", expected " + expectedMagic
                    + " for an IDX " + kind + " file" + (magic == (images ? LABEL_MAGIC : IMAGE_MAGIC)
                    ? " (this looks like a " + (images ? "label" : "image") + " file)" : ""));
        }
        int count = intAt(header, 4);
        if (count < 0 || count > MAX_COUNT) {
            throw new MnistFormatException(file + ": declared " + kind + " count " + Integer.toUnsignedString(count)
                    + " is outside 0.." + MAX_COUNT);
        }
        if (images) {
            int rows = intAt(header, 8);
            int cols = intAt(header, 12);
            if (rows != SIDE || cols != SIDE) {
                throw new MnistFormatException(file + ": images are " + rows + "x" + cols + ", expected "
                        + SIDE + "x" + SIDE);
            }
        }
        long bodySize = (long) count * (images ? PIXELS : 1);
        if (!gzip) {
            long expectedSize = headerSize + bodySize;
            if (fileSize < expectedSize) {
                throw new MnistFormatException(file + ": truncated " + kind + " file: header declares " + count
                        + " " + kind + "s (" + expectedSize + " bytes) but the file has " + fileSize + " bytes");
            }
            if (fileSize > expectedSize) {
                throw new MnistFormatException(file + ": " + (fileSize - expectedSize) + " trailing bytes after the "
                        + count + " declared " + kind + "s");
            }
        }
        byte[] body = in.readNBytes((int) bodySize);
        if (body.length < bodySize) {
            throw new MnistFormatException(file + ": truncated " + kind + " file: header declares " + count + " "
                    + kind + "s (" + bodySize + " bytes of data) but only " + body.length + " bytes follow");
        }
        return body;
    }

    private static void verify(Path file, String fileSha, String contentSha) {
        Path name = file.getFileName();
        Optional<MnistChecksums.Entry> entry = name == null ? Optional.empty()
                : MnistChecksums.forFileName(name.toString());
        if (entry.isEmpty()) {
            return;
        }
        MnistChecksums.Entry e = entry.get();
        if (fileSha.equals(e.gzSha256()) || fileSha.equals(e.rawSha256()) || contentSha.equals(e.rawSha256())) {
            return;
        }
        throw new MnistFormatException(file + ": checksum mismatch for official file " + e.baseName()
                + ": expected SHA-256 " + e.gzSha256() + " (.gz) or " + e.rawSha256() + " (uncompressed), actual "
                + fileSha + (fileSha.equals(contentSha) ? "" : " (uncompressed content " + contentSha + ")")
                + "; the official files are at " + MnistFiles.DEFAULT_MIRRORS.get(0) + " (custom data under an official "
                + "name loads only without verification: the trainer's --no-verify, MnistDataset.load(..., false))");
    }

    private static int intAt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
