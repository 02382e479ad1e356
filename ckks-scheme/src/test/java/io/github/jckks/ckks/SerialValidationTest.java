package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.jckks.math.Prng;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Strict validation on load: every corruption raises CkksFormatException, quickly and without big allocations. */
class SerialValidationTest {
    // body offsets (after the 48-byte header)
    static final int PARTS = 48;
    static final int LEVEL = 49;
    static final int SCALE = 50;
    static final int POLY = 58;

    static CkksParameters params;
    static CkksContext ctx;
    static KeyGenerator kg;
    static Ciphertext ct;
    static byte[] ctBytes;
    static byte[] seededBytes;
    static EvaluationKeys evk;
    static byte[] evkBytes;
    /** N = 4, primes of 17 and 19 bits (limbs end in padding bits): small enough to corrupt at every byte. */
    static CkksParameters tiny;
    static CkksContext tinyCtx;
    static KeyGenerator tinyKg;
    static Ciphertext tinyCt;
    static Ciphertext tinySeeded;

    @BeforeAll
    static void setUp() {
        params = CkksParameters.builder().logN(10).dataPrimeBits(45, 36, 36).specialPrimeBits(45).scale(0x1p36)
                .insecureForTestsOnly().build();
        ctx = new CkksContext(params);
        kg = new KeyGenerator(ctx, new Prng(new byte[32]));
        CkksEncoder enc = new CkksEncoder(ctx);
        ct = new Encryptor(ctx, kg.publicKey()).encrypt(enc.encode(new double[] {1, 2, 3}, 0, 0x1p30));
        ctBytes = Serialization.write(ctx, ct);
        seededBytes = Serialization.write(ctx, new Encryptor(ctx, kg.secretKey()).encrypt(enc.encode(new double[] {1})));
        evk = kg.evaluationKeys(true, false, 1, 2);
        evkBytes = Serialization.write(ctx, evk);
        tiny = CkksParameters.builder().logN(2).dataPrimeBits(17, 19).specialPrimeBits(21).scale(0x1p10)
                .insecureForTestsOnly().build();
        tinyCtx = new CkksContext(tiny);
        tinyKg = new KeyGenerator(tinyCtx, new Prng(new byte[32]));
        tinyCt = new Encryptor(tinyCtx, tinyKg.publicKey()).encrypt(new Plaintext(tinyCtx.ringQ().newPoly(2, true),
                0x1p10));
        tinySeeded = new Encryptor(tinyCtx, tinyKg.secretKey()).encrypt(new Plaintext(tinyCtx.ringQ().newPoly(2, true),
                0x1p10));
    }

    /** Recomputes the CRC-32C trailer, so that a field check (not the checksum) must catch the corruption. */
    static byte[] reseal(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
        return b;
    }

    static CkksFormatException rejects(Executable read, String fieldInMessage) {
        CkksFormatException e = assertThrows(CkksFormatException.class, read);
        assertTrue(e.getMessage().contains(fieldInMessage), "message '" + e.getMessage() + "' should name '"
                + fieldInMessage + "'");
        return e;
    }

    static byte[] patched(byte[] src, int offset, byte... values) {
        byte[] b = src.clone();
        System.arraycopy(values, 0, b, offset, values.length);
        return b;
    }

    static byte[] withLong(byte[] src, int offset, long v) {
        byte[] b = src.clone();
        ByteBuffer.wrap(b).putLong(offset, v);
        return b;
    }

    static byte[] withInt(byte[] src, int offset, int v) {
        byte[] b = src.clone();
        ByteBuffer.wrap(b).putInt(offset, v);
        return b;
    }

    static byte[] withDouble(byte[] src, int offset, double v) {
        byte[] b = src.clone();
        ByteBuffer.wrap(b).putDouble(offset, v);
        return b;
    }

    @Test
    void truncationAtEveryPositionIsDetected() {
        byte[][] tinyCts = {Serialization.write(tinyCtx, tinyCt), Serialization.write(tinyCtx, tinySeeded)};
        for (byte[] good : tinyCts) {
            for (int len = 0; len < good.length; len++) {
                byte[] t = Arrays.copyOf(good, len);
                assertThrows(CkksFormatException.class, () -> Serialization.readCiphertext(tinyCtx, t), "length " + len);
                assertThrows(CkksFormatException.class,
                        () -> Serialization.readCiphertext(tinyCtx, new ByteArrayInputStream(t)), "stream length " + len);
            }
        }
        byte[] keys = Serialization.write(tinyCtx, tinyKg.evaluationKeys(true, true, 1));
        for (int len = 0; len < keys.length; len++) {
            byte[] t = Arrays.copyOf(keys, len);
            assertThrows(CkksFormatException.class, () -> Serialization.readEvaluationKeys(tinyCtx, t), "length " + len);
            assertThrows(CkksFormatException.class,
                    () -> Serialization.readEvaluationKeys(tinyCtx, new ByteArrayInputStream(t)), "stream length " + len);
        }
        for (byte[] good : new byte[][] {ctBytes, seededBytes}) {
            for (int len = 0; len < good.length; len += len < 100 ? 1 : 97) {
                byte[] t = Arrays.copyOf(good, len);
                assertThrows(CkksFormatException.class, () -> Serialization.readCiphertext(ctx, t), "length " + len);
                assertThrows(CkksFormatException.class,
                        () -> Serialization.readCiphertext(ctx, new ByteArrayInputStream(t)), "stream length " + len);
            }
        }
        rejects(() -> Serialization.readCiphertext(ctx, new byte[0]), "truncated");
        rejects(() -> Serialization.readCiphertext(ctx, (byte[]) null), "null");
    }

    @Test
    void everySingleByteCorruptionIsDetected() {
        byte[][] tinyObjects = {Serialization.write(tinyCtx, tinyCt), Serialization.write(tinyCtx, tinySeeded)};
        for (byte[] good : tinyObjects) {
            for (int i = 0; i < good.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] b = good.clone();
                    b[i] ^= (byte) (1 << bit);
                    assertThrows(CkksFormatException.class, () -> Serialization.readCiphertext(tinyCtx, b),
                            "flip of bit " + bit + " at " + i);
                }
            }
        }
        for (byte[] good : new byte[][] {ctBytes, seededBytes}) {
            for (int i = 0; i < good.length; i += i < 100 ? 1 : 89) {
                byte[] b = good.clone();
                b[i] ^= (byte) (1 << (i % 8));
                assertThrows(CkksFormatException.class, () -> Serialization.readCiphertext(ctx, b), "flip at " + i);
            }
        }
    }

    @Test
    void headerFields() {
        rejects(() -> Serialization.kindOf(null), "null byte array");
        for (int i = 0; i < 4; i++) {
            byte[] b = patched(ctBytes, i, (byte) 'X');
            rejects(() -> Serialization.readCiphertext(ctx, b), "magic");
        }
        rejects(() -> Serialization.readCiphertext(ctx, patched(ctBytes, 4, (byte) 0, (byte) 2)), "format version");
        rejects(() -> Serialization.readCiphertext(ctx, patched(ctBytes, 4, (byte) 0, (byte) 4)), "format version");
        rejects(() -> Serialization.readCiphertext(ctx, patched(ctBytes, 4, (byte) 0, (byte) 0)), "format version");
        for (int tag : new int[] {0, 9, 255}) {
            rejects(() -> Serialization.readCiphertext(ctx, patched(ctBytes, 6, (byte) tag)), "type tag");
        }
        for (int tag = 1; tag <= 8; tag++) {
            if (tag != 3 && tag != 4) {
                byte[] b = patched(ctBytes, 6, (byte) tag);
                rejects(() -> Serialization.readCiphertext(ctx, b), "type tag: expected ciphertext");
            }
        }
        rejects(() -> Serialization.readPlaintext(ctx, ctBytes), "type tag: expected plaintext");
        rejects(() -> Serialization.readPublicKey(ctx, ctBytes), "type tag");
        rejects(() -> Serialization.readEvaluationKeys(ctx, ctBytes), "type tag");
        rejects(() -> Serialization.readParameters(ctBytes), "type tag");
        rejects(() -> Serialization.readCiphertext(ctx, patched(ctBytes, 7, (byte) 1)), "reserved");
        for (long len : new long[] {ctBytes.length + 1L, ctBytes.length - 1L, 0, 47, 1L << 31, 1L << 62, -1,
            Long.MAX_VALUE}) {
            rejects(() -> Serialization.readCiphertext(ctx, withLong(ctBytes, 8, len)), "total length");
            // on a stream the declared length is checked against the fields before any polynomial is read
            rejects(() -> Serialization.readCiphertext(ctx, new ByteArrayInputStream(withLong(ctBytes, 8, len))),
                    "total length");
        }
        for (int i = 16; i < 48; i++) {
            byte[] b = ctBytes.clone();
            b[i] ^= 0x40;
            rejects(() -> Serialization.readCiphertext(ctx, b), "fingerprint");
        }
    }

    @Test
    void objectsOfOtherParametersAreRefused() {
        CkksParameters other = CkksParameters.builder().logN(10).dataPrimeBits(45, 36).specialPrimeBits(45)
                .scale(0x1p36).insecureForTestsOnly().build();
        CkksContext octx = new CkksContext(other);
        rejects(() -> Serialization.readCiphertext(octx, ctBytes), "fingerprint");
        rejects(() -> Serialization.readEvaluationKeys(octx, evkBytes), "fingerprint");
        rejects(() -> Serialization.readSecretKey(octx, Serialization.write(ctx, kg.secretKey())), "fingerprint");
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        for (int extra : new int[] {1, 4, 100}) {
            byte[] b = Arrays.copyOf(ctBytes, ctBytes.length + extra);
            rejects(() -> Serialization.readCiphertext(ctx, b), "trailing");
        }
        byte[] p = Serialization.write(CkksParameters.cryptoNets());
        rejects(() -> Serialization.readParameters(Arrays.copyOf(p, p.length + 1)), "trailing");
        // a stream reader stops at the object's end and leaves what follows
        InputStream in = new ByteArrayInputStream(Arrays.copyOf(ctBytes, ctBytes.length + 3));
        Serialization.readCiphertext(ctx, in);
        assertEquals(3, in.available());
    }

    @Test
    void ciphertextBodyFields() {
        for (int parts : new int[] {0, 1, 4, 255}) {
            rejects(() -> Serialization.readCiphertext(ctx, reseal(patched(ctBytes, PARTS, (byte) parts))),
                    "part count");
        }
        rejects(() -> Serialization.readCiphertext(ctx, reseal(patched(ctBytes, PARTS, (byte) 3))), "total length");
        for (int level : new int[] {3, 64, 255}) {
            rejects(() -> Serialization.readCiphertext(ctx, reseal(patched(ctBytes, LEVEL, (byte) level))), "level");
        }
        rejects(() -> Serialization.readCiphertext(ctx, reseal(patched(ctBytes, LEVEL, (byte) 1))), "total length");
        for (double s : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, -0.0, 0.5, -4,
            0x1p45, 0x1p200, Double.MAX_VALUE}) {
            rejects(() -> Serialization.readCiphertext(ctx, reseal(withDouble(ctBytes, SCALE, s))), "scale");
        }
        // a residue >= q: the first 45-bit residue set to all ones
        byte[] big = patched(ctBytes, POLY, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF);
        rejects(() -> Serialization.readCiphertext(ctx, reseal(big)), "not below its prime");
        rejects(() -> Serialization.readCiphertext(ctx, big), "not below its prime");
        // the last residue of part 1 at q exactly
        byte[] last = ctBytes.clone();
        long q0 = params.dataPrimes()[0];
        int bits = 64 - Long.numberOfLeadingZeros(q0);
        int end = last.length - 4;
        // the limb ends on a byte boundary: write q into its last `bits` bits
        long v = q0;
        for (int bit = 0; bit < bits; bit++) {
            int pos = end - 1 - bit / 8;
            int mask = 1 << (bit % 8);
            last[pos] = (byte) (((v >>> bit) & 1) == 1 ? last[pos] | mask : last[pos] & ~mask);
        }
        rejects(() -> Serialization.readCiphertext(ctx, reseal(last)), "coefficient 1023");
        // a residue changed but still below q is caught by the checksum
        byte[] small = ctBytes.clone();
        small[POLY] ^= 0x01;
        rejects(() -> Serialization.readCiphertext(ctx, small), "checksum");
        rejects(() -> Serialization.readCiphertext(ctx, patched(ctBytes, ctBytes.length - 1,
                (byte) (ctBytes[ctBytes.length - 1] + 1))), "checksum");
    }

    /** A plaintext's level, scale and residues, each enlarged or corrupted (the checksum resealed). */
    @Test
    void plaintextBodyFields() {
        Plaintext pt = new CkksEncoder(ctx).encode(new double[] {0.5, -0.25, 1});
        byte[] ptBytes = Serialization.write(ctx, pt);
        int level = 48; // the body follows the 48-byte header: level (1 byte), scale (8), the residues
        int scale = 49;
        int poly = 57;
        for (int l : new int[] {3, 64, 255}) {
            rejects(() -> Serialization.readPlaintext(ctx, reseal(patched(ptBytes, level, (byte) l))), "level");
        }
        rejects(() -> Serialization.readPlaintext(ctx, reseal(patched(ptBytes, level, (byte) 1))), "total length");
        for (double sc : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0, -0.0, 0.5, -4, 0x1p200, Double.MAX_VALUE}) {
            rejects(() -> Serialization.readPlaintext(ctx, reseal(withDouble(ptBytes, scale, sc))), "scale");
        }
        byte[] big = patched(ptBytes, poly, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF);
        rejects(() -> Serialization.readPlaintext(ctx, reseal(big)), "not below its prime");
        Plaintext back = Serialization.readPlaintext(ctx, ptBytes);
        assertEquals(pt.level(), back.level());
        assertEquals(pt.scale(), back.scale());
    }

    @Test
    void seededCiphertextFields() {
        rejects(() -> Serialization.readCiphertext(ctx, reseal(patched(seededBytes, 48, (byte) 3))), "level");
        rejects(() -> Serialization.readCiphertext(ctx, reseal(patched(seededBytes, 48, (byte) 1))), "total length");
        rejects(() -> Serialization.readCiphertext(ctx, reseal(withDouble(seededBytes, 49, Double.NaN))), "scale");
        byte[] big = patched(seededBytes, 89, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF);
        rejects(() -> Serialization.readCiphertext(ctx, reseal(big)), "not below its prime");
        // a full ciphertext relabelled as seeded: its bytes shift under the seeded layout
        rejects(() -> Serialization.readCiphertext(ctx, reseal(patched(ctBytes, 6, (byte) 4))), "seeded ciphertext");
    }

    @Test
    void keyFields() {
        byte[] pk = Serialization.write(ctx, kg.publicKey());
        rejects(() -> Serialization.readPublicKey(ctx, reseal(patched(pk, 48, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF))), "public key b limb 0");
        rejects(() -> Serialization.readPublicKey(ctx, withLong(pk, 8, pk.length + 8L)), "total length");

        byte[] sk = Serialization.write(ctx, kg.secretKey());
        rejects(() -> Serialization.readSecretKey(ctx, reseal(patched(sk, 48, (byte) 0xC0))), "code 3");
        rejects(() -> Serialization.readSecretKey(ctx, reseal(patched(sk, sk.length - 5, (byte) 0x03))), "code 3");

        byte[] ksk = Serialization.write(ctx, evk.relinearization());
        for (int d : new int[] {0, 2, 4, 255}) {
            rejects(() -> Serialization.readKeySwitchKey(ctx, reseal(patched(ksk, 48, (byte) d))), "digit count");
        }
        rejects(() -> Serialization.readKeySwitchKey(ctx, Arrays.copyOf(ksk, ksk.length - 1)), "total length");
    }

    @Test
    void evaluationKeyFields() {
        long kskBody = evkBytes.length - 48 - 1 - 4 - 4 - 2 * 4;
        assertEquals(0, kskBody % 3);
        int body = (int) (kskBody / 3);
        int firstElement = 53 + body;
        int secondElement = firstElement + 4 + body;
        rejects(() -> Serialization.readEvaluationKeys(ctx, reseal(patched(evkBytes, 48, (byte) 2))), "flags");
        rejects(() -> Serialization.readEvaluationKeys(ctx, reseal(patched(evkBytes, 48, (byte) 0))), "total length");
        for (int count : new int[] {1, 3, 1025}) {
            rejects(() -> Serialization.readEvaluationKeys(ctx, reseal(withInt(evkBytes, 49, count))),
                    count > 1024 ? "Galois key count" : "total length");
        }
        rejects(() -> Serialization.readEvaluationKeys(ctx, reseal(patched(evkBytes, 53, (byte) 1))), "digit count");
        for (int g : new int[] {0, 2, 2048, 2049, -1}) {
            rejects(() -> Serialization.readEvaluationKeys(ctx, reseal(withInt(evkBytes, firstElement, g))),
                    "Galois element #0");
        }
        int g0 = ByteBuffer.wrap(evkBytes).getInt(firstElement);
        rejects(() -> Serialization.readEvaluationKeys(ctx, reseal(withInt(evkBytes, secondElement, g0))),
                "strictly increasing");
    }

    @Test
    void parameterFields() {
        byte[] p = Serialization.write(CkksParameters.cryptoNets());
        for (int logN : new int[] {0, 18, 255}) {
            rejects(() -> Serialization.readParameters(reseal(patched(p, 16, (byte) logN))), "logN");
        }
        rejects(() -> Serialization.readParameters(reseal(patched(p, 16, (byte) 12))), "rejected by validation");
        rejects(() -> Serialization.readParameters(reseal(patched(p, 17, (byte) 4))), "security level");
        // bytes cannot lower the security the caller asked for
        rejects(() -> Serialization.readParameters(reseal(patched(p, 17, (byte) 0))), "security level");
        assertEquals(SecurityLevel.INSECURE_TESTS_ONLY, Serialization.readParameters(reseal(patched(p, 17, (byte) 0)),
                SecurityLevel.INSECURE_TESTS_ONLY).security());
        // nor claim a security they do not have: insecure parameters relabelled 128-bit fail the builder
        byte[] insecure = Serialization.write(params);
        rejects(() -> Serialization.readParameters(reseal(patched(insecure, 17, (byte) 1)),
                SecurityLevel.INSECURE_TESTS_ONLY), "rejected by validation");
        for (int count : new int[] {0, 65, 255}) {
            rejects(() -> Serialization.readParameters(reseal(patched(p, 18, (byte) count))), "data prime count");
            if (count > 0) { // no special prime is valid (no key switching), but then the digit size must be 0
                rejects(() -> Serialization.readParameters(reseal(patched(p, 19, (byte) count))), "special prime count");
            }
        }
        rejects(() -> Serialization.readParameters(reseal(patched(p, 19, (byte) 0))), "digit size");
        rejects(() -> Serialization.readParameters(reseal(patched(p, 19, (byte) 0, (byte) 0))), "total length");
        rejects(() -> Serialization.readParameters(reseal(patched(p, 18, (byte) 5))), "total length");
        // 0 announces a digit table after the primes, for which the declared length leaves no room
        rejects(() -> Serialization.readParameters(reseal(patched(p, 20, (byte) 0))), "total length");
        rejects(() -> Serialization.readParameters(reseal(patched(p, 20, (byte) 7))), "digit size");
        rejects(() -> Serialization.readParameters(reseal(patched(p, 21, (byte) 0))), "composite degree");
        rejects(() -> Serialization.readParameters(reseal(patched(p, 21, (byte) 6))), "composite degree");
        for (double s : new double[] {1.0, Double.NaN, Double.POSITIVE_INFINITY, -8}) {
            rejects(() -> Serialization.readParameters(reseal(withDouble(p, 22, s))), "default scale");
        }
        rejects(() -> Serialization.readParameters(reseal(withDouble(p, 22, 0x1p200))), "rejected by validation");
        rejects(() -> Serialization.readParameters(reseal(withLong(p, 30, 1L << 62))), "data prime 0");
        rejects(() -> Serialization.readParameters(reseal(withLong(p, 30, -5))), "data prime 0");
        rejects(() -> Serialization.readParameters(reseal(withLong(p, 30, 1L << 30))), "rejected by validation");
        long q0 = ByteBuffer.wrap(p).getLong(30);
        rejects(() -> Serialization.readParameters(reseal(withLong(p, 38, q0))), "rejected by validation");
        rejects(() -> Serialization.readParameters(reseal(withLong(p, 30, q0 + 2))), "rejected by validation");
    }

    /** Digits of different widths (general16384CompositeBalanced: {2, 3, 3, 3, 3}) are listed after the primes. */
    @Test
    void parameterDigitTable() {
        CkksParameters general = CkksParameters.general16384CompositeBalanced();
        byte[] p = Serialization.write(general);
        int table = 30 + 8 * 16; // 14 data and 2 special primes
        assertEquals(table + 1 + 5 + 4, p.length);
        assertEquals(0, p[20]);
        assertEquals(general, Serialization.readParameters(p));
        assertArrayEquals(new int[] {2, 3, 3, 3, 3}, Serialization.readParameters(p).digitPrimeCounts());
        rejects(() -> Serialization.readParameters(reseal(patched(p, table, (byte) 0))), "digit count");
        rejects(() -> Serialization.readParameters(reseal(patched(p, table, (byte) 15))), "digit count");
        rejects(() -> Serialization.readParameters(reseal(patched(p, table, (byte) 4))), "total length");
        rejects(() -> Serialization.readParameters(reseal(patched(p, table, (byte) 6))), "total length");
        rejects(() -> Serialization.readParameters(reseal(patched(p, table + 1, (byte) 0))), "digit 0 prime count");
        rejects(() -> Serialization.readParameters(reseal(patched(p, table + 5, (byte) 4))), "digit 4 prime count");
        rejects(() -> Serialization.readParameters(reseal(patched(p, table + 5, (byte) 2))), "cover 13 of the 14");
        // a uniform digit size in place of the table: the object is then 6 bytes too long
        rejects(() -> Serialization.readParameters(reseal(patched(p, 20, (byte) 2))), "total length");
        rejects(() -> Serialization.readParameters(Arrays.copyOf(p, p.length - 5)), "total length");
        // a uniform layout ({3, 3, 3, 3, 2}: digit size 3) written as a table: one object, one encoding
        rejects(() -> Serialization.readParameters(reseal(patched(p, table + 1, (byte) 3, (byte) 3, (byte) 3, (byte) 3,
                (byte) 2))), "uniform digits of 3");
        // a declared length too long for any table is refused before the primes are read
        byte[] longer = Arrays.copyOf(p, p.length + 20);
        ByteBuffer.wrap(longer).putLong(8, longer.length);
        rejects(() -> Serialization.readParameters(reseal(longer)), "a digit table after");
    }

    @Test
    void unpackRejectsNonZeroPadding() {
        long[] z = new long[2];
        byte[] packed = {0, 0}; // 2 residues of 5 bits: 10 bits, 6 padding bits
        Serialization.unpack(packed, z, 31, 5, "test", 0);
        rejects(() -> Serialization.unpack(new byte[] {0, 1}, z, 31, 5, "test", 0), "padding");
        rejects(() -> Serialization.unpack(new byte[] {(byte) 0xF8, 0}, z, 31, 5, "test", 0), "not below");
    }

    /** An endless stream of zero bytes after a prefix: a reader that trusted a length field would hang. */
    static InputStream endless(byte[] prefix) {
        InputStream zeros = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) 0);
                return len;
            }
        };
        return new SequenceInputStream(new ByteArrayInputStream(prefix), zeros);
    }

    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void hostileCountsNeitherAllocateNorHang() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int count : new int[] {Integer.MAX_VALUE, 0x80000000, -1, 1 << 20}) {
                byte[] hostile = withInt(evkBytes, 49, count);
                byte[] header = Arrays.copyOf(reseal(hostile.clone()), 53);
                long before = allocated();
                rejects(() -> Serialization.readEvaluationKeys(ctx, reseal(hostile)), "Galois key count");
                rejects(() -> Serialization.readEvaluationKeys(ctx, endless(header)), "Galois key count");
                long used = allocated() - before;
                assertTrue(used < (1 << 20), "rejecting count " + count + " allocated " + used + " bytes");
            }
            // every length consistent with 2^31 - 1 keys is rejected, array or endless stream
            byte[] big = withLong(withInt(evkBytes, 49, Integer.MAX_VALUE), 8, 1L << 62);
            rejects(() -> Serialization.readEvaluationKeys(ctx, endless(Arrays.copyOf(big, 53))), "Galois key count");
            // a ciphertext header claiming 2^62 bytes on an endless stream
            byte[] huge = withLong(ctBytes, 8, 1L << 62);
            long before = allocated();
            rejects(() -> Serialization.readCiphertext(ctx, endless(Arrays.copyOf(huge, 58))), "total length");
            rejects(() -> Serialization.readCiphertext(ctx, endless(Arrays.copyOf(patched(huge, LEVEL, (byte) 255), 58))),
                    "level");
            assertTrue(allocated() - before < (1 << 20));
            // consistent fields on an endless zero stream: exactly the declared bytes are read, then the checksum fails
            rejects(() -> Serialization.readCiphertext(ctx, endless(Arrays.copyOf(ctBytes, POLY))), "checksum");
            byte[] params64 = Serialization.write(CkksParameters.cryptoNets());
            rejects(() -> Serialization.readParameters(endless(Arrays.copyOf(patched(params64, 18, (byte) 64), 29))),
                    "total length");
        });
    }

    /**
     * Random multi-byte mutations, insertions, deletions and truncations of tiny objects (N = 4, so limbs have
     * padding bits), half of them with a recomputed checksum: reading either returns an object or throws
     * CkksFormatException, nothing else.
     */
    @Test
    void fuzzedInputOnlyEverThrowsCkksFormatException() {
        CkksContext c = tinyCtx;
        KeyGenerator g = tinyKg;
        Ciphertext fresh = tinySeeded;
        Ciphertext three = new Evaluator(c).multiply(fresh, fresh);
        Object[][] cases = {
            {Serialization.write(c, fresh), (Function<byte[], Object>) b -> Serialization.readCiphertext(c, b)},
            {Serialization.write(c, three), (Function<byte[], Object>) b -> Serialization.readCiphertext(c, b)},
            {Serialization.write(c, g.publicKey()), (Function<byte[], Object>) b -> Serialization.readPublicKey(c, b)},
            {Serialization.write(c, g.secretKey()), (Function<byte[], Object>) b -> Serialization.readSecretKey(c, b)},
            {Serialization.write(c, g.evaluationKeys(true, true, 1)),
                (Function<byte[], Object>) b -> Serialization.readEvaluationKeys(c, b)},
            {Serialization.write(tiny), (Function<byte[], Object>) b -> Serialization.readParameters(b,
                SecurityLevel.INSECURE_TESTS_ONLY)},
        };
        Random r = new Random(11);
        int accepted = 0;
        for (Object[] cs : cases) {
            byte[] good = (byte[]) cs[0];
            @SuppressWarnings("unchecked")
            Function<byte[], Object> reader = (Function<byte[], Object>) cs[1];
            reader.apply(good);
            for (int iter = 0; iter < 1000; iter++) {
                byte[] b = mutate(good, r);
                if (r.nextBoolean() && b.length >= 4) {
                    reseal(b);
                }
                try {
                    reader.apply(b);
                    accepted++;
                } catch (CkksFormatException expected) {
                    // fine
                } catch (RuntimeException | Error e) {
                    fail("mutated input raised " + e + " instead of CkksFormatException", e);
                }
            }
        }
        assertTrue(accepted > 0, "some resealed residue changes are valid objects");
    }

    private static byte[] mutate(byte[] good, Random r) {
        byte[] b = good.clone();
        switch (r.nextInt(6)) {
            case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
            case 1 -> {
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    b[r.nextInt(b.length)] = (byte) (r.nextBoolean() ? 0xFF : r.nextInt(256));
                }
            }
            case 2 -> {
                int at = r.nextInt(b.length + 1);
                byte[] c = new byte[b.length + 1];
                System.arraycopy(b, 0, c, 0, at);
                c[at] = (byte) r.nextInt(256);
                System.arraycopy(b, at, c, at + 1, b.length - at);
                b = c;
            }
            case 3 -> {
                int at = r.nextInt(b.length);
                byte[] c = new byte[b.length - 1];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                b = c;
            }
            case 4 -> b = Arrays.copyOf(b, r.nextInt(b.length));
            default -> {
                // a small body field (counts, level, parts, flags) set to a random byte
                int at = 16 + r.nextInt(Math.min(48, b.length - 16));
                b[at] = (byte) r.nextInt(256);
            }
        }
        return b;
    }
}
