package io.github.jckks.ckks;

import io.github.jckks.math.LimbPool;
import io.github.jckks.math.Modulus;
import io.github.jckks.math.Prng;
import io.github.jckks.math.RlweSampler;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The versioned binary format of the scheme's objects (specified byte by byte in {@code SERIALIZATION.md}):
 * {@link CkksParameters}, {@link Plaintext}, {@link Ciphertext} (full, or seeded at about half size),
 * {@link PublicKey}, {@link SecretKey}, {@link KeySwitchKey} and {@link EvaluationKeys}.
 *
 * <p>Every object starts with a 16-byte preamble (magic {@code "JCKK"}, format version, type tag, a reserved
 * byte, the total length) followed, for everything except parameters, by the 32-byte
 * {@link CkksParameters#fingerprint() parameter fingerprint}; then the body; then a CRC-32C of all
 * preceding bytes. Residues are bit-packed at their prime's bit width, so a polynomial over primes of
 * b<sub>0</sub>&hellip;b<sub>l</sub> bits costs (b<sub>0</sub>+&hellip;+b<sub>l</sub>)&middot;N/8 bytes. All polynomials
 * are in NTT form. Multi-byte integers are big-endian.
 *
 * <p><b>Reading</b> is strict: every count and length is checked against the parameters before anything is
 * allocated, every residue must be below its prime, the scale must be finite, &ge; 1 and below the
 * modulus, and the declared length must equal the length the fields imply. Any violation throws
 * {@link CkksFormatException} (an {@link IllegalArgumentException}) naming the field and values. The
 * {@code byte[]} readers reject trailing bytes; the {@link InputStream} readers consume exactly one object
 * and leave the stream just after it, so objects can be concatenated on one stream. The checksum detects
 * accidental corruption only; it is not a MAC: authenticate data that crosses a trust boundary.
 *
 * <p><b>Writing</b> validates the object against the context (degree, limb counts, residues below their
 * primes, scale) and throws {@link IllegalArgumentException} if it cannot be represented.
 * {@link #write(CkksContext, Ciphertext)} uses the seeded form when the two-part ciphertext carries a seed, and the
 * full form otherwise; {@link #writeFull} always writes the full form. The seed is not re-expanded to compare with
 * c<sub>1</sub>: {@link Ciphertext} guarantees that a seed it holds expands to c<sub>1</sub> (it forgets the seed
 * as soon as c<sub>1</sub> is handed out for writing or replaced).
 *
 * <p><b>No special prime.</b> Parameters with k = 0 special primes (no key switching) are written with a special
 * prime count and a digit size of 0; their public keys hold only the parts modulo Q (the P parts are null in memory and
 * absent from the bytes), their secret keys are read back modulo Q only, and no key-switching key belongs to them:
 * writing or reading one is refused (evaluation keys load only when empty).
 *
 * <p>Stateless and thread-safe (objects being written must not be modified concurrently). Stream methods
 * throw the stream's {@link IOException}s; they neither buffer beyond the object nor close the stream.
 */
public final class Serialization {
    /** The magic number, ASCII "JCKK". */
    public static final int MAGIC = 0x4A434B4B;
    /** The format version this class writes and the only one it reads. */
    public static final int FORMAT_VERSION = 3;
    /** Bytes of the preamble: magic, version, type, reserved, total length. */
    public static final int PREAMBLE_BYTES = 16;
    /** Bytes of the parameter fingerprint that follows the preamble of every object except parameters. */
    public static final int FINGERPRINT_BYTES = 32;
    /** Bytes of the CRC-32C trailer. */
    public static final int CHECKSUM_BYTES = 4;
    /** Most data (and most special) primes a parameter set may declare. */
    public static final int MAX_PRIMES = 64;

    private static final int OBJECT_HEADER = PREAMBLE_BYTES + FINGERPRINT_BYTES;
    private static final int SEED_BYTES = Prng.SEED_BYTES;
    private static final int STREAM_BUFFER = 1 << 16;

    /** The object type tags. */
    public enum Kind {
        /** {@link CkksParameters}. */
        PARAMETERS(1, "parameters"),
        /** {@link Plaintext}. */
        PLAINTEXT(2, "plaintext"),
        /** {@link Ciphertext}, all parts. */
        CIPHERTEXT(3, "ciphertext"),
        /** {@link Ciphertext} with c<sub>1</sub> replaced by its 32-byte seed. */
        SEEDED_CIPHERTEXT(4, "seeded ciphertext"),
        /** {@link PublicKey}. */
        PUBLIC_KEY(5, "public key"),
        /** {@link SecretKey}. */
        SECRET_KEY(6, "secret key"),
        /** {@link KeySwitchKey}. */
        KEY_SWITCH_KEY(7, "key-switching key"),
        /** {@link EvaluationKeys}. */
        EVALUATION_KEYS(8, "evaluation keys");

        private final int tag;
        private final String label;

        Kind(int tag, String label) {
            this.tag = tag;
            this.label = label;
        }

        /** @return the type tag byte */
        public int tag() {
            return tag;
        }

        static Kind ofTag(int tag) {
            for (Kind k : values()) {
                if (k.tag == tag) {
                    return k;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return label + " (" + tag + ")";
        }
    }

    private Serialization() {
    }

    // ================================================================== public API: parameters

    /** @return the serialized parameters */
    public static byte[] write(CkksParameters params) {
        return toBytes(sizeOf(params), Kind.PARAMETERS, null, o -> writeParametersBody(params, o));
    }

    /** Writes the parameters to {@code out}. */
    public static void write(CkksParameters params, OutputStream out) throws IOException {
        toStream(out, sizeOf(params), Kind.PARAMETERS, null, o -> writeParametersBody(params, o));
    }

    /** @return the serialized size of the parameters in bytes */
    public static long sizeOf(CkksParameters params) {
        return PREAMBLE_BYTES + 6 + 8 + 8L * (params.maxLevel() + 1 + params.specialPrimes().length)
                + digitTableBytes(params) + CHECKSUM_BYTES;
    }

    /** Digits of different widths ({@link CkksParameters#uniformDigits()} false) follow the primes: a count and one byte each. */
    private static int digitTableBytes(CkksParameters params) {
        return params.uniformDigits() ? 0 : 1 + params.digitCount();
    }

    /**
     * Reads parameters that declare at least 128-bit security ({@link SecurityLevel#BITS_128}); they are
     * revalidated by {@link CkksParameters.Builder#build()}.
     */
    public static CkksParameters readParameters(byte[] data) {
        return readParameters(data, SecurityLevel.BITS_128);
    }

    /**
     * Reads parameters, refusing any whose declared security level is below {@code minimum}. Pass
     * {@link SecurityLevel#INSECURE_TESTS_ONLY} to accept insecure test parameters: bytes alone can never
     * lower the security the caller asked for. The declared level is enforced by the builder.
     */
    public static CkksParameters readParameters(byte[] data, SecurityLevel minimum) {
        return readArray(data, null, (in, kind) -> readParametersBody(in, minimum), Kind.PARAMETERS);
    }

    /** Reads parameters declaring at least 128-bit security from a stream (exactly one object is consumed). */
    public static CkksParameters readParameters(InputStream in) throws IOException {
        return readParameters(in, SecurityLevel.BITS_128);
    }

    /** As {@link #readParameters(byte[], SecurityLevel)}, from a stream (exactly one object is consumed). */
    public static CkksParameters readParameters(InputStream in, SecurityLevel minimum) throws IOException {
        return readStream(in, null, (r, kind) -> readParametersBody(r, minimum), Kind.PARAMETERS);
    }

    // ================================================================== public API: plaintext

    /** @return the serialized plaintext */
    public static byte[] write(CkksContext context, Plaintext pt) {
        Shape s = new Shape(context);
        checkPlaintext(s, pt);
        return toBytes(plaintextSize(s, pt.level()), Kind.PLAINTEXT, s.fingerprint, o -> writePlaintextBody(s, pt, o));
    }

    /** Writes the plaintext to {@code out}. */
    public static void write(CkksContext context, Plaintext pt, OutputStream out) throws IOException {
        Shape s = new Shape(context);
        checkPlaintext(s, pt);
        toStream(out, plaintextSize(s, pt.level()), Kind.PLAINTEXT, s.fingerprint, o -> writePlaintextBody(s, pt, o));
    }

    /** @return the serialized size of the plaintext in bytes */
    public static long sizeOf(CkksContext context, Plaintext pt) {
        Shape s = new Shape(context);
        checkPlaintext(s, pt);
        return plaintextSize(s, pt.level());
    }

    /** Reads a plaintext made with the context's parameters. */
    public static Plaintext readPlaintext(CkksContext context, byte[] data) {
        Shape s = new Shape(context);
        return readArray(data, s, (in, kind) -> readPlaintextBody(s, in), Kind.PLAINTEXT);
    }

    /** Reads a plaintext from a stream (exactly one object is consumed). */
    public static Plaintext readPlaintext(CkksContext context, InputStream in) throws IOException {
        Shape s = new Shape(context);
        return readStream(in, s, (r, kind) -> readPlaintextBody(s, r), Kind.PLAINTEXT);
    }

    // ================================================================== public API: ciphertext

    /**
     * @return the serialized ciphertext: the seeded form (c<sub>0</sub> and the 32-byte seed of c<sub>1</sub>, about
     * half size) if it has two parts and a seed (which, by {@link Ciphertext}'s invariant, expands to c<sub>1</sub>),
     * the full form otherwise
     */
    public static byte[] write(CkksContext context, Ciphertext ct) {
        Shape s = new Shape(context);
        checkCiphertext(s, ct);
        byte[] seed = validSeed(s, ct);
        return toBytes(ciphertextSize(s, ct, seed != null), seed != null ? Kind.SEEDED_CIPHERTEXT : Kind.CIPHERTEXT,
                s.fingerprint, o -> writeCiphertextBody(s, ct, seed, o));
    }

    /** Writes the ciphertext to {@code out}, seeded when possible (see {@link #write(CkksContext, Ciphertext)}). */
    public static void write(CkksContext context, Ciphertext ct, OutputStream out) throws IOException {
        Shape s = new Shape(context);
        checkCiphertext(s, ct);
        byte[] seed = validSeed(s, ct);
        toStream(out, ciphertextSize(s, ct, seed != null), seed != null ? Kind.SEEDED_CIPHERTEXT : Kind.CIPHERTEXT,
                s.fingerprint, o -> writeCiphertextBody(s, ct, seed, o));
    }

    /** @return the serialized ciphertext in the full form (all parts), even if it carries a seed */
    public static byte[] writeFull(CkksContext context, Ciphertext ct) {
        Shape s = new Shape(context);
        checkCiphertext(s, ct);
        return toBytes(ciphertextSize(s, ct, false), Kind.CIPHERTEXT, s.fingerprint,
                o -> writeCiphertextBody(s, ct, null, o));
    }

    /** Writes the ciphertext to {@code out} in the full form. */
    public static void writeFull(CkksContext context, Ciphertext ct, OutputStream out) throws IOException {
        Shape s = new Shape(context);
        checkCiphertext(s, ct);
        toStream(out, ciphertextSize(s, ct, false), Kind.CIPHERTEXT, s.fingerprint,
                o -> writeCiphertextBody(s, ct, null, o));
    }

    /** @return the size in bytes {@link #write(CkksContext, Ciphertext)} produces (seeded when possible) */
    public static long sizeOf(CkksContext context, Ciphertext ct) {
        Shape s = new Shape(context);
        checkCiphertext(s, ct);
        return ciphertextSize(s, ct, validSeed(s, ct) != null);
    }

    /**
     * {@link #write(CkksContext, Ciphertext)} into a caller's buffer of exactly {@link #sizeOf(CkksContext, Ciphertext)}
     * bytes (the same bytes), for a sender that reuses its buffers.
     *
     * @throws IllegalArgumentException if the buffer's length is not the ciphertext's size, or as
     * {@link #write(CkksContext, Ciphertext)}
     */
    public static void write(CkksContext context, Ciphertext ct, byte[] out) {
        Shape s = new Shape(context);
        checkCiphertext(s, ct);
        byte[] seed = validSeed(s, ct);
        long size = ciphertextSize(s, ct, seed != null);
        if (out.length != size) {
            throw new IllegalArgumentException("a buffer of " + out.length + " bytes for a serialized ciphertext of " + size);
        }
        intoArray(out, size, seed != null ? Kind.SEEDED_CIPHERTEXT : Kind.CIPHERTEXT, s.fingerprint,
                o -> writeCiphertextBody(s, ct, seed, o));
    }

    /**
     * @return the largest size in bytes of a serialized ciphertext of these parameters with at most {@code parts}
     *         parts: a full one at the top level (a reader may refuse longer items before allocating them)
     * @throws IllegalArgumentException if parts is not 2 or 3
     */
    public static long maxCiphertextSize(CkksContext context, int parts) {
        if (parts < 2 || parts > 3) {
            throw new IllegalArgumentException("ciphertexts have 2 or 3 parts, not " + parts);
        }
        Shape s = new Shape(context);
        return fullCiphertextSize(s, parts, context.maxLevel());
    }

    /** @return the size in bytes {@link #writeFull(CkksContext, Ciphertext)} produces */
    public static long sizeOfFull(CkksContext context, Ciphertext ct) {
        Shape s = new Shape(context);
        checkCiphertext(s, ct);
        return ciphertextSize(s, ct, false);
    }

    /**
     * Reads a ciphertext in either form. A seeded one gets c<sub>1</sub> re-expanded from its seed and keeps
     * the seed, so it serializes seeded again.
     */
    public static Ciphertext readCiphertext(CkksContext context, byte[] data) {
        return readCiphertext(context, data, null);
    }

    /**
     * {@link #readCiphertext(CkksContext, byte[])} into limb arrays taken from {@code limbs} (null: fresh arrays), for a
     * receiver that hands the arrays of the ciphertexts it has consumed back to that pool. Every residue is
     * overwritten, so the arrays' earlier contents do not matter; the checks are the same.
     *
     * @throws IllegalArgumentException if the pool's N is not the context's
     */
    public static Ciphertext readCiphertext(CkksContext context, byte[] data, LimbPool limbs) {
        Shape s = new Shape(context);
        if (limbs != null) {
            limbs.requireDegree(s.n);
        }
        return readArray(data, s, (in, kind) -> readCiphertextBody(s, in, kind, limbs), Kind.CIPHERTEXT,
                Kind.SEEDED_CIPHERTEXT);
    }

    /** Reads a ciphertext in either form from a stream (exactly one object is consumed). */
    public static Ciphertext readCiphertext(CkksContext context, InputStream in) throws IOException {
        Shape s = new Shape(context);
        return readStream(in, s, (r, kind) -> readCiphertextBody(s, r, kind, null), Kind.CIPHERTEXT, Kind.SEEDED_CIPHERTEXT);
    }

    // ================================================================== public API: public key

    /** @return the serialized public key */
    public static byte[] write(CkksContext context, PublicKey pk) {
        Shape s = new Shape(context);
        checkPublicKey(s, pk);
        return toBytes(publicKeySize(s), Kind.PUBLIC_KEY, s.fingerprint, o -> writePublicKeyBody(s, pk, o));
    }

    /** Writes the public key to {@code out}. */
    public static void write(CkksContext context, PublicKey pk, OutputStream out) throws IOException {
        Shape s = new Shape(context);
        checkPublicKey(s, pk);
        toStream(out, publicKeySize(s), Kind.PUBLIC_KEY, s.fingerprint, o -> writePublicKeyBody(s, pk, o));
    }

    /** @return the serialized size of the public key in bytes */
    public static long sizeOf(CkksContext context, PublicKey pk) {
        Shape s = new Shape(context);
        checkPublicKey(s, pk);
        return publicKeySize(s);
    }

    /** Reads a public key. */
    public static PublicKey readPublicKey(CkksContext context, byte[] data) {
        Shape s = new Shape(context);
        return readArray(data, s, (in, kind) -> readPublicKeyBody(s, in), Kind.PUBLIC_KEY);
    }

    /** Reads a public key from a stream (exactly one object is consumed). */
    public static PublicKey readPublicKey(CkksContext context, InputStream in) throws IOException {
        Shape s = new Shape(context);
        return readStream(in, s, (r, kind) -> readPublicKeyBody(s, r), Kind.PUBLIC_KEY);
    }

    // ================================================================== public API: secret key

    /**
     * @return the serialized secret key: its N ternary coefficients at 2 bits each. Whoever holds these bytes
     * can decrypt: store and send them only under encryption.
     * @throws IllegalArgumentException if the key is not one ternary polynomial modulo all primes
     */
    public static byte[] write(CkksContext context, SecretKey sk) {
        Shape s = new Shape(context);
        long[] coeffs = ternaryCoefficients(s, sk);
        try {
            return toBytes(secretKeySize(s), Kind.SECRET_KEY, s.fingerprint, o -> writeSecretKeyBody(coeffs, o));
        } finally {
            Arrays.fill(coeffs, 0L);
        }
    }

    /** Writes the secret key to {@code out} (see {@link #write(CkksContext, SecretKey)}). */
    public static void write(CkksContext context, SecretKey sk, OutputStream out) throws IOException {
        Shape s = new Shape(context);
        long[] coeffs = ternaryCoefficients(s, sk);
        try {
            toStream(out, secretKeySize(s), Kind.SECRET_KEY, s.fingerprint, o -> writeSecretKeyBody(coeffs, o));
        } finally {
            Arrays.fill(coeffs, 0L);
        }
    }

    /** @return the serialized size of a secret key in bytes */
    public static long sizeOf(CkksContext context, SecretKey sk) {
        return secretKeySize(new Shape(context));
    }

    /** Reads a secret key (and recomputes its NTT forms modulo every data and special prime). */
    public static SecretKey readSecretKey(CkksContext context, byte[] data) {
        Shape s = new Shape(context);
        return readArray(data, s, (in, kind) -> readSecretKeyBody(s, in), Kind.SECRET_KEY);
    }

    /** Reads a secret key from a stream (exactly one object is consumed). */
    public static SecretKey readSecretKey(CkksContext context, InputStream in) throws IOException {
        Shape s = new Shape(context);
        return readStream(in, s, (r, kind) -> readSecretKeyBody(s, r), Kind.SECRET_KEY);
    }

    // ================================================================== public API: key-switching key

    /** @return the serialized key-switching key */
    public static byte[] write(CkksContext context, KeySwitchKey key) {
        Shape s = new Shape(context);
        checkKeySwitchKey(s, key, "key-switching key");
        return toBytes(OBJECT_HEADER + s.kskBody + CHECKSUM_BYTES, Kind.KEY_SWITCH_KEY, s.fingerprint,
                o -> writeKskBody(s, key, o, "key-switching key"));
    }

    /** Writes the key-switching key to {@code out}. */
    public static void write(CkksContext context, KeySwitchKey key, OutputStream out) throws IOException {
        Shape s = new Shape(context);
        checkKeySwitchKey(s, key, "key-switching key");
        toStream(out, OBJECT_HEADER + s.kskBody + CHECKSUM_BYTES, Kind.KEY_SWITCH_KEY, s.fingerprint,
                o -> writeKskBody(s, key, o, "key-switching key"));
    }

    /** @return the serialized size of a key-switching key in bytes */
    public static long sizeOf(CkksContext context, KeySwitchKey key) {
        Shape s = new Shape(context);
        checkKeySwitchKey(s, key, "key-switching key");
        return OBJECT_HEADER + s.kskBody + CHECKSUM_BYTES;
    }

    /** Reads a key-switching key. */
    public static KeySwitchKey readKeySwitchKey(CkksContext context, byte[] data) {
        Shape s = new Shape(context);
        return readArray(data, s, (in, kind) -> {
            requireKeySwitching(s, "key-switching key");
            in.checkTotal(OBJECT_HEADER + s.kskBody + CHECKSUM_BYTES);
            return readKskTop(s, in);
        }, Kind.KEY_SWITCH_KEY);
    }

    /** Reads a key-switching key from a stream (exactly one object is consumed). */
    public static KeySwitchKey readKeySwitchKey(CkksContext context, InputStream in) throws IOException {
        Shape s = new Shape(context);
        return readStream(in, s, (r, kind) -> {
            requireKeySwitching(s, "key-switching key");
            r.checkTotal(OBJECT_HEADER + s.kskBody + CHECKSUM_BYTES);
            return readKskTop(s, r);
        }, Kind.KEY_SWITCH_KEY);
    }

    // ================================================================== public API: evaluation keys

    /** @return the serialized evaluation keys (relinearization key if any, Galois keys by increasing element) */
    public static byte[] write(CkksContext context, EvaluationKeys keys) {
        Shape s = new Shape(context);
        checkEvaluationKeys(s, keys);
        return toBytes(evaluationKeysSize(s, keys.relinearization() != null, keys.galois().size()),
                Kind.EVALUATION_KEYS, s.fingerprint, o -> writeEvaluationKeysBody(s, keys, o));
    }

    /** Writes the evaluation keys to {@code out}. */
    public static void write(CkksContext context, EvaluationKeys keys, OutputStream out) throws IOException {
        Shape s = new Shape(context);
        checkEvaluationKeys(s, keys);
        toStream(out, evaluationKeysSize(s, keys.relinearization() != null, keys.galois().size()),
                Kind.EVALUATION_KEYS, s.fingerprint, o -> writeEvaluationKeysBody(s, keys, o));
    }

    /** @return the serialized size of the evaluation keys in bytes */
    public static long sizeOf(CkksContext context, EvaluationKeys keys) {
        Shape s = new Shape(context);
        checkEvaluationKeys(s, keys);
        return evaluationKeysSize(s, keys.relinearization() != null, keys.galois().size());
    }

    /** Reads evaluation keys. */
    public static EvaluationKeys readEvaluationKeys(CkksContext context, byte[] data) {
        Shape s = new Shape(context);
        return readArray(data, s, (in, kind) -> readEvaluationKeysBody(s, in), Kind.EVALUATION_KEYS);
    }

    /** Reads evaluation keys from a stream (exactly one object is consumed). */
    public static EvaluationKeys readEvaluationKeys(CkksContext context, InputStream in) throws IOException {
        Shape s = new Shape(context);
        return readStream(in, s, (r, kind) -> readEvaluationKeysBody(s, r), Kind.EVALUATION_KEYS);
    }

    // ================================================================== public API: inspection

    /**
     * @return the kind of object serialized in {@code data}, from its preamble alone (magic, version and type
     * are checked; nothing else is)
     */
    public static Kind kindOf(byte[] data) {
        if (data == null) {
            throw new CkksFormatException("input: null byte array");
        }
        In in = new In(data, null);
        try {
            return readPreamble(in).kind;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ================================================================== shape of a parameter set

    /** Primes, bit widths and byte sizes derived from a context. */
    private static final class Shape {
        final CkksContext context;
        final CkksParameters params;
        final int n;
        final long[] q;
        final long[] p;
        final int[] qBits;
        final int[] pBits;
        /** qPrefixBytes[k]: bytes of a polynomial with k data limbs. */
        final long[] qPrefixBytes;
        final long pBytes;
        final double[] log2QPrefix;
        final int digits;
        final long kskBody;
        final int maxLimbBytes;
        final byte[] fingerprint;

        Shape(CkksContext context) {
            this.context = context;
            this.params = context.parameters();
            this.n = params.n();
            this.q = params.dataPrimes();
            this.p = params.specialPrimes();
            this.qBits = bits(q);
            this.pBits = bits(p);
            qPrefixBytes = new long[q.length + 1];
            log2QPrefix = new double[q.length + 1];
            int max = 0;
            for (int i = 0; i < q.length; i++) {
                qPrefixBytes[i + 1] = qPrefixBytes[i] + limbBytes(n, qBits[i]);
                log2QPrefix[i + 1] = log2QPrefix[i] + Math.log(q[i]) / Math.log(2);
                max = Math.max(max, limbBytes(n, qBits[i]));
            }
            long pb = 0;
            for (int b : pBits) {
                pb += limbBytes(n, b);
                max = Math.max(max, limbBytes(n, b));
            }
            this.pBytes = pb;
            this.maxLimbBytes = max;
            this.digits = params.digitCount();
            this.kskBody = 1 + 2L * digits * (qPrefixBytes[q.length] + pBytes);
            this.fingerprint = params.fingerprint();
        }

        int maxLevel() {
            return q.length - 1;
        }

        long polyQ(int limbs) {
            return qPrefixBytes[limbs];
        }

        private static int[] bits(long[] primes) {
            int[] b = new int[primes.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = 64 - Long.numberOfLeadingZeros(primes[i]);
            }
            return b;
        }
    }

    /** @return bytes of one limb of n residues at {@code bits} bits each, padded to a whole byte */
    static int limbBytes(int n, int bits) {
        return (int) (((long) n * bits + 7) / 8);
    }

    // ================================================================== sizes

    private static long plaintextSize(Shape s, int level) {
        return OBJECT_HEADER + 1 + 8 + s.polyQ(level + 1) + CHECKSUM_BYTES;
    }

    private static long ciphertextSize(Shape s, Ciphertext ct, boolean seeded) {
        return seeded ? seededCiphertextSize(s, ct.level()) : fullCiphertextSize(s, ct.size(), ct.level());
    }

    private static long fullCiphertextSize(Shape s, int parts, int level) {
        return OBJECT_HEADER + 1 + 1 + 8 + parts * s.polyQ(level + 1) + CHECKSUM_BYTES;
    }

    private static long seededCiphertextSize(Shape s, int level) {
        return OBJECT_HEADER + 1 + 8 + SEED_BYTES + s.polyQ(level + 1) + CHECKSUM_BYTES;
    }

    private static long publicKeySize(Shape s) {
        return OBJECT_HEADER + 2 * s.polyQ(s.q.length) + 2L * s.pBytes + CHECKSUM_BYTES;
    }

    private static long secretKeySize(Shape s) {
        return OBJECT_HEADER + (s.n + 3) / 4 + CHECKSUM_BYTES;
    }

    private static long evaluationKeysSize(Shape s, boolean relin, long galoisCount) {
        try {
            long total = OBJECT_HEADER + 1 + 4 + CHECKSUM_BYTES + (relin ? s.kskBody : 0);
            return Math.addExact(total, Math.multiplyExact(galoisCount, 4 + s.kskBody));
        } catch (ArithmeticException e) {
            throw new CkksFormatException("evaluation keys: size of " + galoisCount + " Galois keys overflows");
        }
    }

    // ================================================================== write-side checks

    private static void checkPoly(Shape s, RnsRing ring, RnsPoly poly, int limbs, String what) {
        if (poly == null) {
            throw new IllegalArgumentException("cannot serialize " + what + ": null polynomial");
        }
        // a polynomial of another parameter set (same N) would be written under this context's fingerprint
        try {
            ring.requireOwn(poly);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot serialize " + what + ": " + e.getMessage(), e);
        }
        if (poly.n() != s.n) {
            throw new IllegalArgumentException("cannot serialize " + what + ": degree " + poly.n()
                    + " does not match N = " + s.n + " of the context");
        }
        if (poly.limbCount() != limbs) {
            throw new IllegalArgumentException("cannot serialize " + what + ": " + poly.limbCount()
                    + " limbs, expected " + limbs);
        }
        if (!poly.isNtt()) {
            throw new IllegalArgumentException("cannot serialize " + what + ": not in NTT form");
        }
    }

    private static void checkLevel(Shape s, int level, String what) {
        if (level < 0 || level > s.maxLevel()) {
            throw new IllegalArgumentException("cannot serialize " + what + ": level " + level + " outside [0, "
                    + s.maxLevel() + "]");
        }
    }

    private static void checkPlaintext(Shape s, Plaintext pt) {
        checkLevel(s, pt.level(), "plaintext");
        checkPoly(s, s.context.ringQ(), pt.poly(), pt.level() + 1, "plaintext");
        String bad = scaleProblem(s, pt.scale(), pt.level());
        if (bad != null) {
            throw new IllegalArgumentException("cannot serialize plaintext: " + bad);
        }
    }

    private static void checkCiphertext(Shape s, Ciphertext ct) {
        checkLevel(s, ct.level(), "ciphertext");
        for (int i = 0; i < ct.size(); i++) {
            checkPoly(s, s.context.ringQ(), ct.partForReading(i), ct.level() + 1, "ciphertext part " + i);
        }
        String bad = scaleProblem(s, ct.scale(), ct.level());
        if (bad != null) {
            throw new IllegalArgumentException("cannot serialize ciphertext: " + bad);
        }
    }

    private static void checkPublicKey(Shape s, PublicKey pk) {
        checkPoly(s, s.context.ringQ(), pk.b(), s.q.length, "public key b");
        checkPoly(s, s.context.ringQ(), pk.a(), s.q.length, "public key a");
        if (s.p.length == 0) {
            if (pk.bP() != null || pk.aP() != null) {
                throw new IllegalArgumentException("cannot serialize public key: it has parts modulo P but the "
                        + "parameters have no special prime");
            }
            return;
        }
        checkPoly(s, s.context.ringP(), pk.bP(), s.p.length, "public key bP");
        checkPoly(s, s.context.ringP(), pk.aP(), s.p.length, "public key aP");
    }

    private static void checkKeySwitchKey(Shape s, KeySwitchKey key, String what) {
        if (s.digits == 0) {
            throw new IllegalArgumentException("cannot serialize " + what + ": the parameters have no special prime, "
                    + "so no key-switching key belongs to them (key switching is disabled)");
        }
        if (key.digits() != s.digits) {
            throw new IllegalArgumentException("cannot serialize " + what + ": " + key.digits()
                    + " digits, the parameters give " + s.digits);
        }
        if (key.isCompact()) { // shapes checked without widening a copy of every polynomial
            for (int part = KeySwitchKey.BQ; part <= KeySwitchKey.AP; part++) {
                int limbs = part == KeySwitchKey.BQ || part == KeySwitchKey.AQ ? s.q.length : s.p.length;
                for (int j = 0; j < s.digits; j++) {
                    io.github.jckks.math.CompactRnsPoly c = key.compact(part, j);
                    try {
                        (part == KeySwitchKey.BQ || part == KeySwitchKey.AQ ? s.context.ringQ() : s.context.ringP())
                                .requireOwn(c);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("cannot serialize " + what + " digit " + j + " "
                                + PART_NAMES[part] + ": " + e.getMessage(), e);
                    }
                    if (c.n() != s.n || c.limbCount() != limbs || !c.isNtt()) {
                        throw new IllegalArgumentException("cannot serialize " + what + " digit " + j + " " + PART_NAMES[part]
                                + ": " + c + " does not match N = " + s.n + ", " + limbs + " limbs, NTT form");
                    }
                }
            }
            return;
        }
        for (int j = 0; j < s.digits; j++) {
            checkPoly(s, s.context.ringQ(), key.bQ(j), s.q.length, what + " digit " + j + " bQ");
            checkPoly(s, s.context.ringP(), key.bP(j), s.p.length, what + " digit " + j + " bP");
            checkPoly(s, s.context.ringQ(), key.aQ(j), s.q.length, what + " digit " + j + " aQ");
            checkPoly(s, s.context.ringP(), key.aP(j), s.p.length, what + " digit " + j + " aP");
        }
    }

    private static final String[] PART_NAMES = {"bQ", "bP", "aQ", "aP"};

    private static void checkEvaluationKeys(Shape s, EvaluationKeys keys) {
        if (keys.relinearization() != null) {
            checkKeySwitchKey(s, keys.relinearization(), "relinearization key");
        }
        for (Map.Entry<Integer, KeySwitchKey> e : keys.galois().entrySet()) {
            int g = e.getKey();
            if ((g & 1) == 0 || g < 1 || g >= 2 * s.n) {
                throw new IllegalArgumentException("cannot serialize evaluation keys: Galois element " + g
                        + " is not odd in [1, 2N = " + 2 * s.n + ")");
            }
            checkKeySwitchKey(s, e.getValue(), "Galois key " + g);
        }
    }

    /** @return null if the scale is valid at the level, else the problem */
    private static String scaleProblem(Shape s, double scale, int level) {
        if (!(scale >= 1) || Double.isInfinite(scale)) {
            return "scale " + scale + " is not a finite number >= 1";
        }
        double log2 = Math.log(scale) / Math.log(2);
        if (log2 >= s.log2QPrefix[level + 1]) {
            return "scale 2^" + String.format("%.2f", log2) + " is not below the modulus Q_" + level + " of 2^"
                    + String.format("%.2f", s.log2QPrefix[level + 1]);
        }
        return null;
    }

    /**
     * @return the ciphertext's seed if it has two parts and one, else null. No re-expansion to compare with
     * c<sub>1</sub>: {@link Ciphertext} guarantees that a seed it still holds expands to c<sub>1</sub> (it forgets the
     * seed whenever c<sub>1</sub> is handed out for writing or replaced; see its class comment).
     */
    private static byte[] validSeed(Shape s, Ciphertext ct) {
        byte[] seed = ct.seedForWriting();
        if (seed == null || ct.size() != 2 || seed.length != SEED_BYTES) {
            return null;
        }
        return seed;
    }

    private static RnsPoly expandSeed(Shape s, byte[] seed, int limbs, LimbPool pool) {
        RnsRing rq = s.context.ringQ();
        RnsPoly c1 = pool == null ? rq.newPoly(limbs, true) : pool.take(rq, limbs, true);
        RlweSampler.uniformFromSeed(seed, rq, c1);
        return c1;
    }

    /** @return the ternary coefficients of the secret key, checked against every limb modulo Q and P */
    private static long[] ternaryCoefficients(Shape s, SecretKey sk) {
        checkPoly(s, s.context.ringQ(), sk.sQ(), s.q.length, "secret key modulo Q");
        boolean special = s.p.length > 0;
        if (special) {
            checkPoly(s, s.context.ringP(), sk.sP(), s.p.length, "secret key modulo P");
        } else if (sk.sP() != null) {
            throw new IllegalArgumentException("cannot serialize secret key: it has a part modulo P but the parameters "
                    + "have no special prime");
        }
        RnsPoly cq = sk.sQ().copy();
        RnsPoly cp = special ? sk.sP().copy() : null;
        try {
            s.context.ringQ().intt(cq);
            if (special) {
                s.context.ringP().intt(cp);
            }
            Modulus q0 = s.context.ringQ().modulus(0);
            long[] coeffs = new long[s.n];
            long[] z0 = cq.limb(0);
            for (int j = 0; j < s.n; j++) {
                long c = q0.center(z0[j]);
                if (c < -1 || c > 1) {
                    throw new IllegalArgumentException("cannot serialize secret key: coefficient " + j
                            + " is not ternary");
                }
                coeffs[j] = c;
            }
            verifyLimbs(s.context.ringQ(), cq, coeffs, "Q");
            if (special) {
                verifyLimbs(s.context.ringP(), cp, coeffs, "P");
            }
            return coeffs;
        } finally {
            cq.clear();
            if (cp != null) {
                cp.clear();
            }
        }
    }

    private static void verifyLimbs(RnsRing ring, RnsPoly poly, long[] coeffs, String basis) {
        for (int i = 0; i < poly.limbCount(); i++) {
            Modulus m = ring.modulus(i);
            long[] z = poly.limb(i);
            for (int j = 0; j < coeffs.length; j++) {
                if (z[j] != m.reduceSigned(coeffs[j])) {
                    throw new IllegalArgumentException("cannot serialize secret key: limb " + i + " modulo " + basis
                            + " does not hold the same ternary polynomial as limb 0 modulo Q");
                }
            }
        }
    }

    // ================================================================== bodies: write

    private static void writeParametersBody(CkksParameters params, Out o) throws IOException {
        long[] q = params.dataPrimes();
        long[] p = params.specialPrimes();
        if (q.length > MAX_PRIMES || p.length > MAX_PRIMES || params.digitCount() > 255) {
            throw new IllegalArgumentException("cannot serialize parameters with " + q.length + " data and " + p.length
                    + " special primes (at most " + MAX_PRIMES + " each)");
        }
        o.u8(params.logN());
        o.u8(securityCode(params.security()));
        o.u8(q.length);
        o.u8(p.length);
        o.u8(params.uniformDigits() ? params.digitSize() : 0); // 0 with special primes: the digit table follows
        o.u8(params.compositeDegree());
        o.f64(params.defaultScale());
        for (long x : q) {
            o.u64(x);
        }
        for (long x : p) {
            o.u64(x);
        }
        if (!params.uniformDigits()) {
            o.u8(params.digitCount());
            for (int c : params.digitPrimeCounts()) {
                o.u8(c);
            }
        }
    }

    private static void writePlaintextBody(Shape s, Plaintext pt, Out o) throws IOException {
        o.u8(pt.level());
        o.f64(pt.scale());
        byte[] scratch = o.scratch(s.maxLimbBytes);
        writePoly(s, o, pt.poly(), s.q, s.qBits, pt.level() + 1, scratch, "plaintext");
    }

    private static void writeCiphertextBody(Shape s, Ciphertext ct, byte[] seed, Out o) throws IOException {
        byte[] scratch = o.scratch(s.maxLimbBytes);
        int k = ct.level() + 1;
        if (seed != null) {
            o.u8(ct.level());
            o.f64(ct.scale());
            o.bytes(seed, 0, SEED_BYTES);
            writePoly(s, o, ct.partForReading(0), s.q, s.qBits, k, scratch, "ciphertext part 0");
        } else {
            o.u8(ct.size());
            o.u8(ct.level());
            o.f64(ct.scale());
            for (int i = 0; i < ct.size(); i++) {
                writePoly(s, o, ct.partForReading(i), s.q, s.qBits, k, scratch, "ciphertext part " + i);
            }
        }
    }

    private static void writePublicKeyBody(Shape s, PublicKey pk, Out o) throws IOException {
        byte[] scratch = o.scratch(s.maxLimbBytes);
        writePoly(s, o, pk.b(), s.q, s.qBits, s.q.length, scratch, "public key b");
        writePoly(s, o, pk.a(), s.q, s.qBits, s.q.length, scratch, "public key a");
        if (s.p.length > 0) { // no special prime: the key lives modulo Q only
            writePoly(s, o, pk.bP(), s.p, s.pBits, s.p.length, scratch, "public key bP");
            writePoly(s, o, pk.aP(), s.p, s.pBits, s.p.length, scratch, "public key aP");
        }
    }

    private static void writeSecretKeyBody(long[] coeffs, Out o) throws IOException {
        byte[] packed = new byte[(coeffs.length + 3) / 4];
        for (int j = 0; j < coeffs.length; j++) {
            int code = coeffs[j] == 0 ? 0 : coeffs[j] == 1 ? 1 : 2;
            packed[j >>> 2] |= (byte) (code << (6 - 2 * (j & 3)));
        }
        try {
            o.bytes(packed, 0, packed.length);
        } finally {
            Arrays.fill(packed, (byte) 0);
        }
    }

    private static void writeKskBody(Shape s, KeySwitchKey key, Out o, String what) throws IOException {
        byte[] scratch = o.scratch(s.maxLimbBytes);
        // a compact key is widened one polynomial at a time into these (null for a 64-bit key: no copy)
        RnsPoly wideQ = key.isCompact() ? s.context.ringQ().newPoly(s.q.length, true) : null;
        RnsPoly wideP = key.isCompact() ? s.context.ringP().newPoly(s.p.length, true) : null;
        o.u8(key.digits());
        for (int j = 0; j < key.digits(); j++) {
            for (int part = KeySwitchKey.BQ; part <= KeySwitchKey.AP; part++) {
                boolean q = part == KeySwitchKey.BQ || part == KeySwitchKey.AQ;
                writePoly(s, o, key.wide(part, j, q ? wideQ : wideP), q ? s.q : s.p, q ? s.qBits : s.pBits,
                        q ? s.q.length : s.p.length, scratch, what + " digit " + j + " " + PART_NAMES[part]);
            }
        }
    }

    private static void writeEvaluationKeysBody(Shape s, EvaluationKeys keys, Out o) throws IOException {
        o.u8(keys.relinearization() != null ? 1 : 0);
        o.u32(keys.galois().size());
        if (keys.relinearization() != null) {
            writeKskBody(s, keys.relinearization(), o, "relinearization key");
        }
        for (Map.Entry<Integer, KeySwitchKey> e : new TreeMap<>(keys.galois()).entrySet()) {
            o.u32(e.getKey());
            writeKskBody(s, e.getValue(), o, "Galois key " + e.getKey());
        }
    }

    private static void writePoly(Shape s, Out o, RnsPoly poly, long[] primes, int[] bits, int limbs, byte[] scratch,
                                  String what) throws IOException {
        for (int i = 0; i < limbs; i++) {
            int len = limbBytes(s.n, bits[i]);
            int at = o.reserve(len);
            if (at >= 0) { // the output is an array: pack in place
                pack(poly.limb(i), primes[i], bits[i], o.buf, at, what, i);
                o.commit(at, len);
            } else {
                pack(poly.limb(i), primes[i], bits[i], scratch, 0, what, i);
                o.bytes(scratch, 0, len);
            }
        }
    }

    /** Big-endian 32-bit access to byte arrays: the bit stream is MSB-first, so 4 bytes are one big-endian int. */
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /**
     * Packs the residues of one limb MSB-first at {@code bits} bits each, zero-padded to a whole byte. Primes of at
     * most 32 bits (every vector-kernel prime) go 32 bits of the stream at a time; wider ones byte by byte. Both write
     * the same bytes.
     */
    static void pack(long[] z, long q, int bits, byte[] out, String what, int limb) {
        pack(z, q, bits, out, 0, what, limb);
    }

    /** {@link #pack(long[], long, int, byte[], String, int)} into {@code out} from {@code out[from]}. */
    static void pack(long[] z, long q, int bits, byte[] out, int from, String what, int limb) {
        if (bits > 32) {
            packWide(z, q, bits, out, from, what, limb);
            return;
        }
        long acc = 0; // the stream's last accBits bits are its low bits; higher bits were written already
        int accBits = 0;
        int pos = from;
        for (int j = 0; j < z.length; j++) {
            long r = writable(z[j], q, what, limb, j);
            acc = (acc << bits) | r; // accBits < 32 before, <= 63 after
            accBits += bits;
            if (accBits >= 32) {
                accBits -= 32;
                INT_BE.set(out, pos, (int) (acc >>> accBits));
                pos += 4;
            }
        }
        while (accBits >= 8) {
            accBits -= 8;
            out[pos++] = (byte) (acc >>> accBits);
        }
        if (accBits > 0) {
            out[pos] = (byte) (acc << (8 - accBits));
        }
    }

    /** {@link #pack} for primes above 32 bits, one byte at a time. */
    private static void packWide(long[] z, long q, int bits, byte[] out, int from, String what, int limb) {
        long acc = 0;
        int accBits = 0;
        int pos = from;
        for (int j = 0; j < z.length; j++) {
            long r = writable(z[j], q, what, limb, j);
            // the high bits - 32 bits first, then the low 32, so the accumulator never holds more than 39 bits
            acc = (acc << (bits - 32)) | (r >>> 32);
            accBits += bits - 32;
            while (accBits >= 8) {
                accBits -= 8;
                out[pos++] = (byte) (acc >>> accBits);
            }
            acc = (acc << 32) | (r & 0xFFFFFFFFL);
            accBits += 32;
            while (accBits >= 8) {
                accBits -= 8;
                out[pos++] = (byte) (acc >>> accBits);
            }
        }
        if (accBits > 0) {
            out[pos] = (byte) (acc << (8 - accBits));
        }
    }

    // ================================================================== bodies: read

    private static CkksParameters readParametersBody(In in, SecurityLevel minimum) throws IOException {
        int logN = in.u8("parameters logN");
        if (logN < 1 || logN > 17) {
            throw new CkksFormatException("parameters logN: " + logN + " outside [1, 17]");
        }
        int code = in.u8("parameters security level");
        SecurityLevel level = securityOf(code);
        if (level == null) {
            throw new CkksFormatException("parameters security level: code " + code + " is not 0, 1, 2 or 3");
        }
        if (level.bits() < minimum.bits()) {
            throw new CkksFormatException("parameters security level: the data declare " + level
                    + " but the caller requires at least " + minimum
                    + (level == SecurityLevel.INSECURE_TESTS_ONLY
                    ? " (pass SecurityLevel.INSECURE_TESTS_ONLY to accept insecure test parameters)" : ""));
        }
        int dataCount = in.u8("parameters data prime count");
        if (dataCount < 1 || dataCount > MAX_PRIMES) {
            throw new CkksFormatException("parameters data prime count: " + dataCount + " outside [1, " + MAX_PRIMES + "]");
        }
        int specialCount = in.u8("parameters special prime count");
        if (specialCount > MAX_PRIMES) {
            throw new CkksFormatException("parameters special prime count: " + specialCount + " outside [0, "
                    + MAX_PRIMES + "]");
        }
        int digitSize = in.u8("parameters digit size");
        if (specialCount == 0 && digitSize != 0) {
            throw new CkksFormatException("parameters digit size: " + digitSize + " with no special prime (key "
                    + "switching disabled) must be 0");
        }
        if (specialCount > 0 && digitSize > dataCount) {
            throw new CkksFormatException("parameters digit size: " + digitSize + " outside [0, " + dataCount + "] (0: "
                    + "digits of different widths, listed after the primes)");
        }
        int compositeDegree = in.u8("parameters composite degree");
        if (compositeDegree < 1 || compositeDegree > Math.max(1, dataCount - 1)) {
            throw new CkksFormatException("parameters composite degree: " + compositeDegree + " outside [1, "
                    + Math.max(1, dataCount - 1) + "]");
        }
        double scale = in.f64("parameters default scale");
        if (!(scale >= 2) || Double.isInfinite(scale)) {
            throw new CkksFormatException("parameters default scale: " + scale + " is not a finite number >= 2");
        }
        long fixed = PREAMBLE_BYTES + 6 + 8 + 8L * (dataCount + specialCount) + CHECKSUM_BYTES;
        boolean digitTable = specialCount > 0 && digitSize == 0;
        if (!digitTable) {
            in.checkTotal(fixed);
        } else if (in.declared < fixed + 2 || in.declared > fixed + 1 + dataCount) {
            // bounded before the primes are read: a stream reader must not consume the next object's bytes
            throw new CkksFormatException("total length: header declares " + in.declared + " bytes but a digit table "
                    + "after " + dataCount + " data and " + specialCount + " special primes gives " + (fixed + 2) + " to "
                    + (fixed + 1 + dataCount));
        }
        long[] q = new long[dataCount];
        long[] p = new long[specialCount];
        for (int i = 0; i < dataCount + specialCount; i++) {
            boolean data = i < dataCount;
            String field = data ? "parameters data prime " + i : "parameters special prime " + (i - dataCount);
            long x = in.u64(field);
            if (x < 2 || x >= (1L << Modulus.MAX_BITS)) {
                throw new CkksFormatException(field + ": " + Long.toUnsignedString(x) + " outside [2, 2^"
                        + Modulus.MAX_BITS + ")");
            }
            if (data) {
                q[i] = x;
            } else {
                p[i - dataCount] = x;
            }
        }
        int[] digitCounts = null;
        if (digitTable) {
            int digits = in.u8("parameters digit count");
            if (digits < 1 || digits > dataCount) {
                throw new CkksFormatException("parameters digit count: " + digits + " outside [1, " + dataCount + "]");
            }
            in.checkTotal(fixed + 1 + digits);
            digitCounts = new int[digits];
            int covered = 0;
            for (int j = 0; j < digits; j++) {
                digitCounts[j] = in.u8("parameters digit " + j + " prime count");
                if (digitCounts[j] < 1 || digitCounts[j] > dataCount - covered) {
                    throw new CkksFormatException("parameters digit " + j + " prime count: " + digitCounts[j]
                            + " outside [1, " + (dataCount - covered) + "] (the primes not in earlier digits)");
                }
                covered += digitCounts[j];
            }
            if (covered != dataCount) {
                throw new CkksFormatException("parameters digit prime counts: they cover " + covered + " of the "
                        + dataCount + " data primes");
            }
            boolean uniform = true; // uniform layouts have one encoding only: alpha, never a table
            for (int j = 0; j + 1 < digits; j++) {
                uniform &= digitCounts[j] == digitCounts[0];
            }
            if (uniform && digitCounts[digits - 1] <= digitCounts[0]) {
                throw new CkksFormatException("parameters digit prime counts: " + java.util.Arrays.toString(digitCounts)
                        + " are uniform digits of " + digitCounts[0] + ", which must be written as digit size "
                        + digitCounts[0] + ", not as a table");
            }
        }
        in.finish();
        try {
            CkksParameters.Builder b = CkksParameters.builder().logN(logN).dataPrimes(q).specialPrimes(p);
            if (digitCounts != null) {
                b.digitPrimeCounts(digitCounts);
            } else if (specialCount > 0) {
                b.digitSize(digitSize);
            }
            return b.compositeDegree(compositeDegree).scale(scale).security(level).build();
        } catch (IllegalArgumentException e) {
            throw new CkksFormatException("parameters rejected by validation: " + e.getMessage(), e);
        }
    }

    private static Plaintext readPlaintextBody(Shape s, In in) throws IOException {
        int level = readLevel(s, in, "plaintext");
        double scale = readScale(s, in, level, "plaintext");
        in.checkTotal(plaintextSize(s, level));
        byte[] scratch = in.scratch(s.maxLimbBytes);
        RnsPoly poly = readPoly(s, in, s.q, s.qBits, level + 1, scratch, "plaintext");
        in.finish();
        return new Plaintext(poly, scale);
    }

    private static Ciphertext readCiphertextBody(Shape s, In in, Kind kind, LimbPool pool) throws IOException {
        if (kind == Kind.SEEDED_CIPHERTEXT) {
            int level = readLevel(s, in, "seeded ciphertext");
            double scale = readScale(s, in, level, "seeded ciphertext");
            in.checkTotal(seededCiphertextSize(s, level));
            byte[] seed = new byte[SEED_BYTES];
            in.bytes(seed, 0, SEED_BYTES, "seeded ciphertext seed");
            byte[] scratch = in.scratch(s.maxLimbBytes);
            RnsPoly c0 = readPoly(s, in, s.q, s.qBits, level + 1, scratch, "seeded ciphertext part 0", pool);
            in.finish();
            Ciphertext ct = new Ciphertext(new RnsPoly[] {c0, expandSeed(s, seed, level + 1, pool)}, scale);
            ct.setSeed(seed);
            return ct;
        }
        int parts = in.u8("ciphertext part count");
        if (parts < 2 || parts > 3) {
            throw new CkksFormatException("ciphertext part count: " + parts + " is not 2 or 3");
        }
        int level = readLevel(s, in, "ciphertext");
        double scale = readScale(s, in, level, "ciphertext");
        in.checkTotal(fullCiphertextSize(s, parts, level));
        byte[] scratch = in.scratch(s.maxLimbBytes);
        RnsPoly[] polys = new RnsPoly[parts];
        for (int i = 0; i < parts; i++) {
            polys[i] = readPoly(s, in, s.q, s.qBits, level + 1, scratch, "ciphertext part " + i, pool);
        }
        in.finish();
        return new Ciphertext(polys, scale);
    }

    private static PublicKey readPublicKeyBody(Shape s, In in) throws IOException {
        in.checkTotal(publicKeySize(s));
        byte[] scratch = in.scratch(s.maxLimbBytes);
        RnsPoly b = readPoly(s, in, s.q, s.qBits, s.q.length, scratch, "public key b");
        RnsPoly a = readPoly(s, in, s.q, s.qBits, s.q.length, scratch, "public key a");
        boolean special = s.p.length > 0; // no special prime: the key lives modulo Q only
        RnsPoly bP = special ? readPoly(s, in, s.p, s.pBits, s.p.length, scratch, "public key bP") : null;
        RnsPoly aP = special ? readPoly(s, in, s.p, s.pBits, s.p.length, scratch, "public key aP") : null;
        in.finish();
        return new PublicKey(b, a, bP, aP);
    }

    private static SecretKey readSecretKeyBody(Shape s, In in) throws IOException {
        in.checkTotal(secretKeySize(s));
        byte[] packed = new byte[(s.n + 3) / 4];
        long[] coeffs = new long[s.n];
        try {
            in.bytes(packed, 0, packed.length, "secret key coefficients");
            for (int j = 0; j < packed.length * 4; j++) {
                int code = (packed[j >>> 2] >>> (6 - 2 * (j & 3))) & 3;
                if (j >= s.n) {
                    if (code != 0) {
                        throw new CkksFormatException("secret key padding: code " + code + " at position " + j
                                + " must be 0");
                    }
                } else if (code == 3) {
                    throw new CkksFormatException("secret key coefficient " + j + ": code 3 is not a ternary value"
                            + " (0 -> 0, 1 -> +1, 2 -> -1)");
                } else {
                    coeffs[j] = code == 2 ? -1 : code;
                }
            }
            in.finish();
            RnsRing rq = s.context.ringQ();
            RnsPoly sQ = rq.newPoly(s.q.length, false);
            rq.setSigned(coeffs, sQ);
            rq.ntt(sQ);
            if (s.p.length == 0) {
                return new SecretKey(sQ, null);
            }
            RnsRing rp = s.context.ringP();
            RnsPoly sP = rp.newPoly(s.p.length, false);
            rp.setSigned(coeffs, sP);
            rp.ntt(sP);
            return new SecretKey(sQ, sP);
        } finally {
            Arrays.fill(packed, (byte) 0);
            Arrays.fill(coeffs, 0L);
        }
    }

    /** Refuses to read a key-switching key for parameters without special primes (none can exist). */
    private static void requireKeySwitching(Shape s, String what) {
        if (s.digits == 0) {
            throw new CkksFormatException(what + ": the parameters have no special prime, so no key-switching key "
                    + "belongs to them (key switching is disabled)");
        }
    }

    private static KeySwitchKey readKskBody(Shape s, In in, String what, int source) throws IOException {
        requireKeySwitching(s, what);
        int digits = in.u8(what + " digit count");
        if (digits != s.digits) {
            throw new CkksFormatException(what + " digit count: " + digits + ", the parameters give " + s.digits);
        }
        byte[] scratch = in.scratch(s.maxLimbBytes);
        RnsPoly[] bQ = new RnsPoly[digits];
        RnsPoly[] bP = new RnsPoly[digits];
        RnsPoly[] aQ = new RnsPoly[digits];
        RnsPoly[] aP = new RnsPoly[digits];
        for (int j = 0; j < digits; j++) {
            bQ[j] = readPoly(s, in, s.q, s.qBits, s.q.length, scratch, what + " digit " + j + " bQ");
            bP[j] = readPoly(s, in, s.p, s.pBits, s.p.length, scratch, what + " digit " + j + " bP");
            aQ[j] = readPoly(s, in, s.q, s.qBits, s.q.length, scratch, what + " digit " + j + " aQ");
            aP[j] = readPoly(s, in, s.p, s.pBits, s.p.length, scratch, what + " digit " + j + " aP");
        }
        return KeySwitchKey.of(s.context, source, bQ, bP, aQ, aP);
    }

    private static KeySwitchKey readKskTop(Shape s, In in) throws IOException {
        KeySwitchKey k = readKskBody(s, in, "key-switching key", KeySwitchKey.UNKNOWN_SOURCE);
        in.finish();
        return k;
    }

    private static EvaluationKeys readEvaluationKeysBody(Shape s, In in) throws IOException {
        int flags = in.u8("evaluation keys flags");
        if ((flags & ~1) != 0) {
            throw new CkksFormatException("evaluation keys flags: 0x" + Integer.toHexString(flags)
                    + " has reserved bits set (only bit 0, relinearization key present, is defined)");
        }
        long count = in.u32("evaluation keys Galois key count");
        if (count > s.n) {
            throw new CkksFormatException("evaluation keys Galois key count: " + count + " exceeds N = " + s.n
                    + " (the number of Galois elements)");
        }
        if (flags == 1 || count > 0) {
            requireKeySwitching(s, "evaluation keys with " + (flags == 1 ? "a relinearization key and " : "") + count
                    + " Galois keys");
        }
        in.checkTotal(evaluationKeysSize(s, flags == 1, count));
        KeySwitchKey relin = flags == 1 ? readKskBody(s, in, "relinearization key", KeySwitchKey.RELINEARIZATION) : null;
        Map<Integer, KeySwitchKey> galois = new TreeMap<>();
        long previous = 0;
        for (long i = 0; i < count; i++) {
            long g = in.u32("evaluation keys Galois element #" + i);
            if ((g & 1) == 0 || g >= 2L * s.n) {
                throw new CkksFormatException("evaluation keys Galois element #" + i + ": " + g
                        + " is not odd in [1, 2N = " + 2 * s.n + ")");
            }
            if (g <= previous) {
                throw new CkksFormatException("evaluation keys Galois element #" + i + ": " + g
                        + " does not exceed the previous element " + previous + " (strictly increasing order required)");
            }
            previous = g;
            galois.put((int) g, readKskBody(s, in, "Galois key " + g, (int) g));
        }
        in.finish();
        return new EvaluationKeys(relin, galois);
    }

    private static int readLevel(Shape s, In in, String what) throws IOException {
        int level = in.u8(what, " level");
        if (level > s.maxLevel()) {
            throw new CkksFormatException(what + " level: " + level + " exceeds the maximum level " + s.maxLevel()
                    + " of the parameters");
        }
        return level;
    }

    private static double readScale(Shape s, In in, int level, String what) throws IOException {
        double scale = in.f64(what, " scale");
        String bad = scaleProblem(s, scale, level);
        if (bad != null) {
            throw new CkksFormatException(what + " scale: " + bad);
        }
        return scale;
    }

    private static RnsPoly readPoly(Shape s, In in, long[] primes, int[] bits, int limbs, byte[] scratch, String what)
            throws IOException {
        return readPoly(s, in, primes, bits, limbs, scratch, what, null);
    }

    /** {@link #readPoly} into arrays from {@code pool} (null: fresh ones); unpacking writes every residue. */
    private static RnsPoly readPoly(Shape s, In in, long[] primes, int[] bits, int limbs, byte[] scratch, String what,
                                    LimbPool pool) throws IOException {
        long[][] z = new long[limbs][];
        for (int i = 0; i < limbs; i++) {
            int len = limbBytes(s.n, bits[i]);
            z[i] = pool == null ? new long[s.n] : pool.takeArray();
            int at = in.take(len, what, " limb ", i);
            if (at >= 0) { // the input is an array: unpack in place
                unpack(in.array, at, z[i], primes[i], bits[i], what, i);
            } else {
                in.bytes(scratch, 0, len, what, " limb ", i);
                unpack(scratch, 0, z[i], primes[i], bits[i], what, i);
            }
        }
        // a polynomial of the context's ring (its primes checked by every later operation)
        return (primes == s.p ? s.context.ringP() : s.context.ringQ()).wrap(z, true);
    }

    /**
     * Unpacks one limb, rejecting residues not below q and non-zero padding. Reads exactly
     * {@link #limbBytes}(z.length, bits) bytes of {@code in}: 4 at a time for primes of at most 32 bits.
     */
    static void unpack(byte[] in, long[] z, long q, int bits, String what, int limb) {
        unpack(in, 0, z, q, bits, what, limb);
    }

    /** {@link #unpack(byte[], long[], long, int, String, int)} of the limb that starts at {@code in[from]}. */
    static void unpack(byte[] in, int from, long[] z, long q, int bits, String what, int limb) {
        if (bits > 32) {
            unpackWide(in, from, z, q, bits, what, limb);
            return;
        }
        int len = from + limbBytes(z.length, bits);
        long mask = (1L << bits) - 1;
        long acc = 0; // the stream's next accBits unread bits are acc's low bits
        int accBits = 0;
        int pos = from;
        for (int j = 0; j < z.length; j++) {
            if (accBits < bits) {
                if (pos + 4 <= len) {
                    acc = (acc << 32) | ((int) INT_BE.get(in, pos) & 0xFFFFFFFFL); // accBits < 32 before, <= 63 after
                    pos += 4;
                    accBits += 32;
                } else {
                    while (accBits < bits) {
                        acc = (acc << 8) | (in[pos++] & 0xFF);
                        accBits += 8;
                    }
                }
            }
            accBits -= bits;
            long r = (acc >>> accBits) & mask;
            z[j] = checkResidue(r, q, what, limb, j);
        }
        // all len bytes were read (8 len >= n bits and no read passes len), so accBits < 8 bits of padding remain
        checkPadding(acc, accBits, what, limb);
    }

    /** {@link #unpack} for primes above 32 bits, one byte at a time. */
    private static void unpackWide(byte[] in, int from, long[] z, long q, int bits, String what, int limb) {
        long acc = 0;
        int accBits = 0;
        int pos = from;
        int lo = Math.min(bits, 32);
        int hi = bits - lo;
        long loMask = (1L << lo) - 1;
        for (int j = 0; j < z.length; j++) {
            long r = 0;
            if (hi > 0) {
                while (accBits < hi) {
                    acc = (acc << 8) | (in[pos++] & 0xFF);
                    accBits += 8;
                }
                accBits -= hi;
                r = ((acc >>> accBits) & ((1L << hi) - 1)) << 32;
            }
            while (accBits < lo) {
                acc = (acc << 8) | (in[pos++] & 0xFF);
                accBits += 8;
            }
            accBits -= lo;
            r |= (acc >>> accBits) & loMask;
            z[j] = checkResidue(r, q, what, limb, j);
        }
        checkPadding(acc, accBits, what, limb);
    }

    /** @return r, a residue about to be written, if it lies in [0, q) (a malformed object is refused, not written) */
    private static long writable(long r, long q, String what, int limb, int j) {
        if (r < 0 || r >= q) {
            throw new IllegalArgumentException("cannot serialize " + what + ": limb " + limb + " coefficient " + j
                    + " = " + r + " is not in [0, " + q + ")");
        }
        return r;
    }

    /** @return r, a residue read from the wire, if it is below its prime q */
    private static long checkResidue(long r, long q, String what, int limb, int j) {
        if (r >= q) {
            throw new CkksFormatException(what + " limb " + limb + " coefficient " + j + ": residue " + r
                    + " is not below its prime " + q);
        }
        return r;
    }

    /** The accBits low bits of acc, the padding after a limb's last residue, must be zero. */
    private static void checkPadding(long acc, int accBits, String what, int limb) {
        if (accBits > 0 && (acc & ((1L << accBits) - 1)) != 0) {
            throw new CkksFormatException(what + " limb " + limb + ": " + accBits + " padding bits are not zero");
        }
    }

    // ================================================================== header

    private record Preamble(Kind kind, long length) {
    }

    private static Preamble readPreamble(In in) throws IOException {
        long magic = in.u32("magic");
        if (magic != MAGIC) {
            throw new CkksFormatException("magic: 0x" + Long.toHexString(magic) + ", expected 0x"
                    + Integer.toHexString(MAGIC) + " (\"JCKK\")");
        }
        int version = in.u16("format version");
        if (version != FORMAT_VERSION) {
            throw new CkksFormatException("format version: " + version + " is not supported (this reader reads version "
                    + FORMAT_VERSION + ")");
        }
        int tag = in.u8("type tag");
        Kind kind = Kind.ofTag(tag);
        if (kind == null) {
            throw new CkksFormatException("type tag: " + tag + " is not a known object type (1..8)");
        }
        int reserved = in.u8("reserved byte");
        if (reserved != 0) {
            throw new CkksFormatException("reserved byte: " + reserved + ", must be 0");
        }
        long length = in.u64("total length");
        return new Preamble(kind, length);
    }

    @FunctionalInterface
    private interface BodyReader<T> {
        T read(In in, Kind kind) throws IOException;
    }

    @FunctionalInterface
    private interface BodyWriter {
        void write(Out out) throws IOException;
    }

    private static <T> T readArray(byte[] data, Shape s, BodyReader<T> body, Kind... accepted) {
        if (data == null) {
            throw new CkksFormatException("input: null byte array");
        }
        try {
            return read(new In(data, null), s, body, accepted);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // unreachable: arrays do no I/O
        }
    }

    private static <T> T readStream(InputStream stream, Shape s, BodyReader<T> body, Kind... accepted)
            throws IOException {
        if (stream == null) {
            throw new NullPointerException("input stream");
        }
        return read(new In(null, stream), s, body, accepted);
    }

    private static <T> T read(In in, Shape s, BodyReader<T> body, Kind... accepted) throws IOException {
        Preamble pre = readPreamble(in);
        if (!Arrays.asList(accepted).contains(pre.kind)) {
            StringBuilder exp = new StringBuilder();
            for (int i = 0; i < accepted.length; i++) {
                exp.append(i == 0 ? "" : " or ").append(accepted[i]);
            }
            throw new CkksFormatException("type tag: expected " + exp + ", got " + pre.kind);
        }
        in.declare(pre.length);
        if (s != null) {
            byte[] fp = new byte[FINGERPRINT_BYTES];
            in.bytes(fp, 0, FINGERPRINT_BYTES, "parameter fingerprint");
            if (!MessageDigest.isEqual(fp, s.fingerprint)) {
                throw new CkksFormatException("parameter fingerprint: " + HexFormat.of().formatHex(fp, 0, 8)
                        + "... does not match the context's " + HexFormat.of().formatHex(s.fingerprint, 0, 8)
                        + "... (the object was made with other parameters)");
            }
        }
        T result = body.read(in, pre.kind);
        if (!in.finished) {
            throw new IllegalStateException("internal: body reader did not verify the checksum");
        }
        return result;
    }

    private static byte[] toBytes(long size, Kind kind, byte[] fingerprint, BodyWriter body) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("serialized " + kind + " would take " + size
                    + " bytes, more than a byte array holds: write it to an OutputStream");
        }
        return intoArray(new byte[(int) size], size, kind, fingerprint, body);
    }

    /** Writes the object into {@code buf} (exactly {@code size} bytes long) and returns it. */
    private static byte[] intoArray(byte[] buf, long size, Kind kind, byte[] fingerprint, BodyWriter body) {
        Out o = new Out(buf, null);
        try {
            emit(o, size, kind, fingerprint, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // unreachable: arrays do no I/O
        }
        return o.buf;
    }

    private static void toStream(OutputStream stream, long size, Kind kind, byte[] fingerprint, BodyWriter body)
            throws IOException {
        if (stream == null) {
            throw new NullPointerException("output stream");
        }
        Out o = new Out(new byte[(int) Math.min(size, STREAM_BUFFER)], stream);
        emit(o, size, kind, fingerprint, body);
        o.flush();
    }

    private static void emit(Out o, long size, Kind kind, byte[] fingerprint, BodyWriter body) throws IOException {
        o.u32(MAGIC);
        o.u16(FORMAT_VERSION);
        o.u8(kind.tag);
        o.u8(0);
        o.u64(size);
        if (fingerprint != null) {
            o.bytes(fingerprint, 0, FINGERPRINT_BYTES);
        }
        body.write(o);
        int crc = (int) o.crc.getValue();
        o.u32(crc & 0xFFFFFFFFL);
        if (o.count != size) {
            throw new IllegalStateException("internal: wrote " + o.count + " bytes of " + kind + ", announced " + size);
        }
    }

    private static int securityCode(SecurityLevel level) {
        return switch (level) {
            case INSECURE_TESTS_ONLY -> 0;
            case BITS_128 -> 1;
            case BITS_192 -> 2;
            case BITS_256 -> 3;
        };
    }

    private static SecurityLevel securityOf(int code) {
        return switch (code) {
            case 0 -> SecurityLevel.INSECURE_TESTS_ONLY;
            case 1 -> SecurityLevel.BITS_128;
            case 2 -> SecurityLevel.BITS_192;
            case 3 -> SecurityLevel.BITS_256;
            default -> null;
        };
    }

    // ================================================================== byte sources and sinks

    /** Reads from a byte array or a stream, counting bytes, updating the CRC and detecting truncation. */
    private static final class In {
        private final byte[] array;
        private final InputStream stream;
        private final byte[] small = new byte[8];
        final CRC32C crc = new CRC32C();
        long pos;
        long declared = -1;
        boolean finished;

        In(byte[] array, InputStream stream) {
            this.array = array;
            this.stream = stream;
        }

        /** @return a buffer of {@code n} bytes for limbs read from a stream, or null for an array (read in place) */
        byte[] scratch(int n) {
            return array != null ? null : new byte[n];
        }

        /** Records the header's total length; an array must hold exactly that many bytes. */
        void declare(long length) {
            long min = pos + CHECKSUM_BYTES;
            if (length < min) {
                throw new CkksFormatException("total length: header declares " + Long.toUnsignedString(length)
                        + " bytes, less than the " + min + " of the header alone");
            }
            if (array != null && length != array.length) {
                throw new CkksFormatException("total length: header declares " + length + " bytes but the input holds "
                        + array.length + (array.length > length ? " (trailing bytes)" : " (truncated input)"));
            }
            declared = length;
        }

        /** Checks the declared length against the length the fields imply, before the body is allocated. */
        void checkTotal(long computed) {
            if (declared != computed) {
                throw new CkksFormatException("total length: header declares " + declared + " bytes but the fields give "
                        + computed);
            }
        }

        void bytes(byte[] dst, int off, int len, String field) throws IOException {
            bytes(dst, off, len, field, "", -1);
        }

        /**
         * {@link #bytes(byte[], int, int, String)} for the field {@code what + suffix + index} (no index if negative),
         * whose name is only built for an error: the hot read paths name each limb without a concatenation per call.
         */
        void bytes(byte[] dst, int off, int len, String what, String suffix, int index) throws IOException {
            if (array != null) {
                long avail = array.length - pos;
                if (avail < len) {
                    throw truncated(field(what, suffix, index), len, avail);
                }
                System.arraycopy(array, (int) pos, dst, off, len);
            } else {
                int got = stream.readNBytes(dst, off, len);
                if (got < len) {
                    throw truncated(field(what, suffix, index), len, got);
                }
            }
            crc.update(dst, off, len);
            pos += len;
        }

        /**
         * For input held in an array: checks that {@code len} more bytes are there, adds them to the checksum and
         * returns their offset in {@link #array}, so that the caller reads them in place (no copy); -1 for a stream.
         */
        int take(int len, String what, String suffix, int index) {
            if (array == null) {
                return -1;
            }
            long avail = array.length - pos;
            if (avail < len) {
                throw truncated(field(what, suffix, index), len, avail);
            }
            int at = (int) pos;
            crc.update(array, at, len);
            pos += len;
            return at;
        }

        private static String field(String what, String suffix, int index) {
            return index < 0 ? what + suffix : what + suffix + index;
        }

        private CkksFormatException truncated(String field, int needed, long available) {
            return new CkksFormatException("truncated input: " + field + " at offset " + pos + " needs " + needed
                    + " bytes, only " + available + " remain");
        }

        private long big(int len, String field) throws IOException {
            return big(len, field, "");
        }

        private long big(int len, String what, String suffix) throws IOException {
            bytes(small, 0, len, what, suffix, -1);
            long v = 0;
            for (int i = 0; i < len; i++) {
                v = (v << 8) | (small[i] & 0xFF);
            }
            return v;
        }

        int u8(String field) throws IOException {
            return (int) big(1, field);
        }

        int u16(String field) throws IOException {
            return (int) big(2, field);
        }

        long u32(String field) throws IOException {
            return big(4, field);
        }

        long u64(String field) throws IOException {
            return big(8, field);
        }

        double f64(String field) throws IOException {
            return Double.longBitsToDouble(big(8, field));
        }

        /** {@link #u8(String)} of the field {@code what + suffix}, named only for an error. */
        int u8(String what, String suffix) throws IOException {
            return (int) big(1, what, suffix);
        }

        /** {@link #f64(String)} of the field {@code what + suffix}, named only for an error. */
        double f64(String what, String suffix) throws IOException {
            return Double.longBitsToDouble(big(8, what, suffix));
        }

        /** Reads and verifies the CRC-32C trailer; the object must then end exactly at the declared length. */
        void finish() throws IOException {
            long expected = crc.getValue();
            long stored = big(CHECKSUM_BYTES, "checksum");
            if (stored != expected) {
                throw new CkksFormatException("checksum: stored CRC-32C 0x" + Long.toHexString(stored)
                        + " does not match the computed 0x" + Long.toHexString(expected) + " (corrupted data)");
            }
            if (pos != declared) {
                throw new IllegalStateException("internal: read " + pos + " bytes, declared " + declared);
            }
            finished = true;
        }
    }

    /** Writes into an exact-size array or through a buffer into a stream, counting bytes and updating the CRC. */
    private static final class Out {
        final byte[] buf;
        private final OutputStream stream;
        final CRC32C crc = new CRC32C();
        /** The header fields' bytes ({@link #big}): written out before the next field. */
        private final byte[] small = new byte[8];
        private int len;
        long count;

        Out(byte[] buf, OutputStream stream) {
            this.buf = buf;
            this.stream = stream;
        }

        void bytes(byte[] src, int off, int n) throws IOException {
            crc.update(src, off, n);
            count += n;
            if (stream == null) {
                if (n > buf.length - len) {
                    throw new IllegalStateException("internal: serialized object overflows its announced size");
                }
                System.arraycopy(src, off, buf, len, n);
                len += n;
                return;
            }
            if (n > buf.length - len) {
                flush();
                if (n > buf.length) {
                    stream.write(src, off, n);
                    return;
                }
            }
            System.arraycopy(src, off, buf, len, n);
            len += n;
        }

        /** @return a buffer of {@code n} bytes for limbs written to a stream, or null for an array (packed in place) */
        byte[] scratch(int n) {
            return stream != null ? new byte[n] : null;
        }

        /**
         * @return where the next {@code n} bytes go in {@link #buf} when the output is an array (the caller writes them
         * there, then calls {@link #commit}), or -1 for a stream
         */
        int reserve(int n) {
            if (stream != null) {
                return -1;
            }
            if (n > buf.length - len) {
                throw new IllegalStateException("internal: serialized object overflows its announced size");
            }
            return len;
        }

        /** Takes the {@code n} bytes written in place at {@code at} (from {@link #reserve}) into the checksum and count. */
        void commit(int at, int n) {
            if (at != len) {
                throw new IllegalStateException("internal: commit at " + at + ", expected " + len);
            }
            crc.update(buf, at, n);
            count += n;
            len += n;
        }

        void flush() throws IOException {
            if (stream != null && len > 0) {
                stream.write(buf, 0, len);
                len = 0;
            }
        }

        private void big(long v, int n) throws IOException {
            byte[] b = small;
            for (int i = n - 1; i >= 0; i--) {
                b[i] = (byte) v;
                v >>>= 8;
            }
            bytes(b, 0, n);
        }

        void u8(int v) throws IOException {
            big(v, 1);
        }

        void u16(int v) throws IOException {
            big(v, 2);
        }

        void u32(long v) throws IOException {
            big(v, 4);
        }

        void u64(long v) throws IOException {
            big(v, 8);
        }

        void f64(double v) throws IOException {
            big(Double.doubleToRawLongBits(v), 8);
        }
    }
}
