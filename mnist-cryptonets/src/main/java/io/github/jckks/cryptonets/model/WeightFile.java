package io.github.jckks.cryptonets.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Reads and writes the CryptoNets weight file. Layout, all integers and values little-endian:
 *
 * <pre>
 *  offset size  field
 *  0      8     magic, ASCII "JCKKSNN1"
 *  8      4     format version, u32 = 1
 *  12     4     activation, u32: 0 = SQUARE, 1 = RELU
 *  16     4     value width in bytes, u32: 4 = IEEE float32, 8 = IEEE float64
 *  20     32    shape, 8 x u32: input side 28, padded side 29, maps 5, kernel 5, stride 2,
 *               dense1 inputs 845, hidden 100, classes 10
 *  52     n*w   the 85,740 values: conv [map][row][col] (125), conv bias (5),
 *               dense1 [out][in] (84,500), dense1 bias (100), dense2 [out][in] (1,000), dense2 bias (10)
 *  52+n*w 4     CRC-32 (java.util.zip.CRC32) of all preceding bytes, u32
 * </pre>
 *
 * Loading is strict: any deviation (magic, version, activation code, width, shape, file length,
 * non-finite value, CRC) raises {@link WeightFormatException} naming the source.
 */
public final class WeightFile {

    /** The 8-byte magic. */
    public static final String MAGIC = "JCKKSNN1";
    /** The only format version. */
    public static final int VERSION = 1;

    private static final int HEADER = 52;
    private static final int[] SHAPE = {
        CryptoNetsShape.INPUT_SIDE, CryptoNetsShape.PADDED_SIDE, CryptoNetsShape.MAPS, CryptoNetsShape.KERNEL,
        CryptoNetsShape.STRIDE, CryptoNetsShape.CONV_FEATURES, CryptoNetsShape.HIDDEN, CryptoNetsShape.CLASSES};
    private static final String[] SHAPE_NAMES = {
        "input side", "padded side", "maps", "kernel", "stride", "dense1 inputs", "hidden", "classes"};

    private WeightFile() {
    }

    /** The file size for a value width of 4 or 8 bytes. */
    public static int fileSize(int width) {
        return HEADER + CryptoNetsShape.PARAMETERS * width + 4;
    }

    /** Encodes weights; {@code width} 4 stores float32 (rounded), 8 stores float64 (exact). */
    public static byte[] encode(CryptoNetsWeights weights, int width) {
        if (width != 4 && width != 8) {
            throw new IllegalArgumentException("value width must be 4 or 8 bytes, got " + width);
        }
        ByteBuffer buf = ByteBuffer.allocate(fileSize(width)).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC.getBytes(StandardCharsets.US_ASCII));
        buf.putInt(VERSION).putInt(weights.activation().code()).putInt(width);
        for (int s : SHAPE) {
            buf.putInt(s);
        }
        for (double v : weights.flatParameters()) {
            if (width == 4) {
                buf.putFloat((float) v);
            } else {
                buf.putDouble(v);
            }
        }
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        return buf.array();
    }

    /** Writes weights to {@code file} (see {@link #encode}). */
    public static void write(CryptoNetsWeights weights, int width, Path file) throws IOException {
        Files.write(file, encode(weights, width));
    }

    /** Writes weights to a stream (see {@link #encode}). */
    public static void write(CryptoNetsWeights weights, int width, OutputStream out) throws IOException {
        out.write(encode(weights, width));
    }

    /** Reads a weight file. */
    public static CryptoNetsWeights read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new WeightFormatException(file + ": cannot read weight file (" + e + ")", e);
        }
    }

    /** Reads a weight file from a stream; {@code source} names it in error messages. */
    public static CryptoNetsWeights read(InputStream in, String source) throws IOException {
        int max = fileSize(8);
        byte[] bytes = in.readNBytes(max + 1);
        return decode(bytes, source);
    }

    /** Decodes the bytes of a weight file; {@code source} names it in error messages. */
    public static CryptoNetsWeights decode(byte[] bytes, String source) {
        if (bytes.length < HEADER) {
            throw new WeightFormatException(source + ": truncated weight file: " + bytes.length
                    + " bytes, the header alone has " + HEADER);
        }
        String magic = new String(bytes, 0, MAGIC.length(), StandardCharsets.ISO_8859_1);
        if (!MAGIC.equals(magic)) {
            throw new WeightFormatException(source + ": bad magic \"" + printable(magic) + "\", expected \"" + MAGIC + "\"");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(MAGIC.length());
        int version = buf.getInt();
        if (version != VERSION) {
            throw new WeightFormatException(source + ": unsupported format version " + version + ", expected " + VERSION);
        }
        int activationCode = buf.getInt();
        Activation activation;
        try {
            activation = Activation.fromCode(activationCode);
        } catch (IllegalArgumentException e) {
            throw new WeightFormatException(source + ": " + e.getMessage(), e);
        }
        int width = buf.getInt();
        if (width != 4 && width != 8) {
            throw new WeightFormatException(source + ": value width " + width + " bytes, expected 4 or 8");
        }
        for (int i = 0; i < SHAPE.length; i++) {
            int s = buf.getInt();
            if (s != SHAPE[i]) {
                throw new WeightFormatException(source + ": wrong shape: " + SHAPE_NAMES[i] + " is " + s
                        + ", expected " + SHAPE[i]);
            }
        }
        int expected = fileSize(width);
        if (bytes.length < expected) {
            throw new WeightFormatException(source + ": truncated weight file: " + bytes.length + " bytes, expected "
                    + expected + " for float" + (width * 8) + " values");
        }
        if (bytes.length > expected) {
            throw new WeightFormatException(source + ": trailing bytes after the " + expected + "-byte weight file");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, expected - 4);
        int stored = ByteBuffer.wrap(bytes, expected - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (stored != (int) crc.getValue()) {
            throw new WeightFormatException(source + ": CRC-32 mismatch: stored " + Integer.toHexString(stored)
                    + ", computed " + Long.toHexString(crc.getValue()) + " (file corrupted)");
        }
        double[] all = new double[CryptoNetsShape.PARAMETERS];
        for (int i = 0; i < all.length; i++) {
            all[i] = width == 4 ? buf.getFloat() : buf.getDouble();
            if (!Double.isFinite(all[i])) {
                throw new WeightFormatException(source + ": parameter " + i + " is not finite: " + all[i]);
            }
        }
        return CryptoNetsWeights.fromFlat(activation, all);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }
}
