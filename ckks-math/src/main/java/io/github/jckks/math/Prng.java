package io.github.jckks.math;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A deterministic cryptographic pseudo-random generator expanded from a 32-byte seed: the AES-256 key
 * stream in counter mode (AES-CTR with a zero IV), which HotSpot runs on AES-NI. The same seed always gives
 * the same stream, so the uniform half of a ciphertext or key can travel as its seed, as in SEAL and Lattigo.
 *
 * <p>Fresh seeds come from {@link SecureRandom} ({@link #freshSeed()}). Not thread-safe: one instance per
 * thread. Cost: about 1 ns per output byte.
 */
public final class Prng {
    /** Seed length in bytes (an AES-256 key). */
    public static final int SEED_BYTES = 32;
    private static final int BLOCK = 4096;
    /**
     * One SecureRandom per thread (a NIST SP 800-90A DRBG, each instance seeded by the platform's entropy source), so
     * that the pools' threads draw fresh seeds without contending for one lock.
     */
    private static final ThreadLocal<SecureRandom> SECURE = ThreadLocal.withInitial(Prng::newSecureRandom);
    /** The key stream is AES-CTR applied to zeros: one shared, never written input block. */
    private static final byte[] ZEROS = new byte[BLOCK];
    /** The provider of AES/CTR, looked up once (Cipher.getInstance without it searches every provider each time). */
    private static final Provider AES_PROVIDER = aesProvider();
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final Cipher cipher;
    private final byte[] buffer = new byte[BLOCK];
    private int position = BLOCK;

    /**
     * @param seed 32 bytes
     * @throws IllegalArgumentException if the seed is not 32 bytes
     */
    public Prng(byte[] seed) {
        checkSeed(seed);
        try {
            cipher = AES_PROVIDER == null ? Cipher.getInstance("AES/CTR/NoPadding")
                    : Cipher.getInstance("AES/CTR/NoPadding", AES_PROVIDER);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-CTR is unavailable in this JVM", e);
        }
        reseed(seed);
    }

    /**
     * Restarts this generator on another seed: from now on it gives exactly the stream of {@code new Prng(seed)},
     * and nothing of the previous stream remains in its buffer. For a thread that expands many seeds (the uniform
     * halves of seeded ciphertexts): the AES key schedule is redone, but the cipher object, which
     * {@code Cipher.getInstance} takes about a microsecond to make, is kept.
     *
     * @throws IllegalArgumentException if the seed is not 32 bytes
     */
    public void reseed(byte[] seed) {
        checkSeed(seed);
        wipe(); // first: should the key schedule fail, nothing of the previous stream is left behind
        try {
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-CTR is unavailable in this JVM", e);
        }
    }

    private static void checkSeed(byte[] seed) {
        if (seed == null || seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("PRNG seed must be " + SEED_BYTES + " bytes, got "
                    + (seed == null ? "null" : seed.length));
        }
    }

    /** @return a Prng seeded from {@link SecureRandom} */
    public static Prng fromSecureRandom() {
        return new Prng(freshSeed());
    }

    /** @return 32 fresh bytes from {@link SecureRandom} */
    public static byte[] freshSeed() {
        byte[] s = new byte[SEED_BYTES];
        SECURE.get().nextBytes(s);
        return s;
    }

    private static SecureRandom newSecureRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (GeneralSecurityException e) {
            return new SecureRandom();
        }
    }

    private static Provider aesProvider() {
        try {
            return Cipher.getInstance("AES/CTR/NoPadding").getProvider();
        } catch (GeneralSecurityException e) {
            return null; // the constructor reports it
        }
    }

    private void refill() {
        try {
            int produced = cipher.update(ZEROS, 0, BLOCK, buffer, 0);
            if (produced != BLOCK) {
                throw new IllegalStateException("AES-CTR produced " + produced + " bytes");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        position = 0;
    }

    /** @return the next 64 pseudo-random bits */
    public long nextLong() {
        if (position > BLOCK - 8) {
            refill();
        }
        long v = (long) LONGS.get(buffer, position);
        position += 8;
        return v;
    }

    /** @return the next 32 pseudo-random bits */
    public int nextInt() {
        if (position > BLOCK - 4) {
            refill();
        }
        int v = (int) INTS.get(buffer, position);
        position += 4;
        return v;
    }

    /**
     * Fills dst[off .. off + len) with the next 32-bit values, exactly as {@code len} calls of {@link #nextInt} would,
     * in one loop per buffer of key stream.
     */
    public void nextInts(int[] dst, int off, int len) {
        while (len > 0) {
            if (position > BLOCK - 4) {
                refill();
            }
            int k = Math.min((BLOCK - position) >>> 2, len);
            int p = position;
            for (int i = 0; i < k; i++) {
                dst[off + i] = (int) INTS.get(buffer, p + 4 * i);
            }
            position = p + 4 * k;
            off += k;
            len -= k;
        }
    }

    /**
     * Fills dst[off .. off + len) with the next 64-bit values, exactly as {@code len} calls of {@link #nextLong} would,
     * in one loop per buffer of key stream (no per-value refill test).
     */
    public void nextLongs(long[] dst, int off, int len) {
        while (len > 0) {
            if (position > BLOCK - 8) {
                refill();
            }
            int k = Math.min((BLOCK - position) >>> 3, len);
            int p = position;
            for (int i = 0; i < k; i++) {
                dst[off + i] = (long) LONGS.get(buffer, p + 8 * i);
            }
            position = p + 8 * k;
            off += k;
            len -= k;
        }
    }

    /**
     * Fills dst[off .. off + len) with the next bytes, exactly as {@code len} calls of {@link #nextByte} would
     * (block copies of the key stream).
     */
    public void nextBytes(byte[] dst, int off, int len) {
        while (len > 0) {
            if (position >= BLOCK) {
                refill();
            }
            int k = Math.min(BLOCK - position, len);
            System.arraycopy(buffer, position, dst, off, k);
            position += k;
            off += k;
            len -= k;
        }
    }

    /** @return the next pseudo-random byte, in [0, 255] */
    public int nextByte() {
        if (position >= BLOCK) {
            refill();
        }
        return buffer[position++] & 0xFF;
    }

    /** @return a uniform integer in [0, bound) (rejection sampling, unbiased) */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound " + bound + " must be positive");
        }
        long mask = -1L >>> Long.numberOfLeadingZeros(bound - 1 | 1);
        long r;
        do {
            r = nextLong() & mask;
        } while (r >= bound);
        return r;
    }

    /** Fills {@code out} with pseudo-random bytes. */
    public void nextBytes(byte[] out) {
        nextBytes(out, 0, out.length);
    }

    @Override
    public String toString() {
        return "Prng(AES-256-CTR)";
    }

    /** Overwrites internal buffers (best effort; the key schedule inside the Cipher is not reachable). */
    public void wipe() {
        Arrays.fill(buffer, (byte) 0);
        position = BLOCK;
    }
}
