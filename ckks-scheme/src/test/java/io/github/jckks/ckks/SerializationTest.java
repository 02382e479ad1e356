package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.Prng;
import io.github.jckks.math.RnsPoly;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Round trips of every serialized object, with decryption and evaluation checks, and sizes. */
class SerializationTest {
    static CkksParameters params;
    static CkksContext ctx;
    static KeyGenerator kg;
    static CkksEncoder encoder;
    static Decryptor decryptor;
    static PublicKey pk;
    static EvaluationKeys evk;
    static double[] x;
    static double[] y;

    @BeforeAll
    static void setUp() {
        params = CkksParameters.builder().logN(10).dataPrimeBits(45, 36, 36).specialPrimeBits(45).scale(0x1p36)
                .insecureForTestsOnly().build();
        ctx = new CkksContext(params);
        kg = new KeyGenerator(ctx, new Prng(new byte[32]));
        encoder = new CkksEncoder(ctx);
        decryptor = new Decryptor(ctx, kg.secretKey());
        pk = kg.publicKey();
        evk = kg.evaluationKeys(true, true, 1, -3);
        Random r = new Random(7);
        x = new double[params.slots()];
        y = new double[params.slots()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() * 2 - 1;
            y[i] = r.nextDouble() * 2 - 1;
        }
    }

    /** @return the sum of the primes' bit widths */
    static long bitsOf(long[] primes) {
        long s = 0;
        for (long p : primes) {
            s += 64 - Long.numberOfLeadingZeros(p);
        }
        return s;
    }

    static void assertPolyEquals(RnsPoly a, RnsPoly b) {
        assertEquals(a.limbCount(), b.limbCount(), "limb count");
        assertEquals(a.n(), b.n(), "degree");
        assertEquals(a.isNtt(), b.isNtt(), "form");
        for (int i = 0; i < a.limbCount(); i++) {
            assertArrayEquals(a.limb(i), b.limb(i), "limb " + i);
        }
    }

    static void assertCiphertextEquals(Ciphertext a, Ciphertext b) {
        assertEquals(a.size(), b.size(), "parts");
        assertEquals(a.level(), b.level(), "level");
        assertEquals(Double.doubleToLongBits(a.scale()), Double.doubleToLongBits(b.scale()), "scale");
        for (int i = 0; i < a.size(); i++) {
            assertPolyEquals(a.partForReading(i), b.partForReading(i)); // keeps the seeds
        }
    }

    static void assertDecrypts(double[] expected, Ciphertext ct, Decryptor d, double tol) {
        double[] got = encoder.decode(d.decrypt(ct));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], tol, "slot " + i);
        }
    }

    static void assertKeyEquals(KeySwitchKey a, KeySwitchKey b) {
        assertEquals(a.digits(), b.digits());
        for (int j = 0; j < a.digits(); j++) {
            assertPolyEquals(a.bQ(j), b.bQ(j));
            assertPolyEquals(a.bP(j), b.bP(j));
            assertPolyEquals(a.aQ(j), b.aQ(j));
            assertPolyEquals(a.aP(j), b.aP(j));
        }
    }

    @Test
    void parametersRoundTrip() throws IOException {
        for (CkksParameters p : new CkksParameters[] {CkksParameters.cryptoNets(), CkksParameters.clientAided4096(),
            CkksParameters.general16384(), CkksParameters.seal8192()}) {
            byte[] b = Serialization.write(p);
            assertEquals(Serialization.sizeOf(p), b.length);
            CkksParameters back = Serialization.readParameters(b);
            assertEquals(p, back);
            assertArrayEquals(p.fingerprint(), back.fingerprint());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Serialization.write(p, out);
            assertArrayEquals(b, out.toByteArray());
            assertEquals(p, Serialization.readParameters(new ByteArrayInputStream(b)));
            assertEquals(Serialization.Kind.PARAMETERS, Serialization.kindOf(b));
        }
        // cryptoNets: 16-byte preamble, 5 bytes of counts, 8 of scale, 7 primes, 4 of checksum
        assertEquals(16 + 6 + 8 + 7 * 8 + 4, Serialization.write(CkksParameters.cryptoNets()).length);
    }

    @Test
    void insecureParametersNeedTheCallersConsent() {
        byte[] b = Serialization.write(params);
        CkksFormatException e = assertThrows(CkksFormatException.class, () -> Serialization.readParameters(b));
        assertTrue(e.getMessage().contains("security level"), e.getMessage());
        assertEquals(params, Serialization.readParameters(b, SecurityLevel.INSECURE_TESTS_ONLY));
        // a 128-bit file is refused by a caller requiring 192 bits; a 192-bit one is accepted
        byte[] b128 = Serialization.write(CkksParameters.cryptoNets());
        assertThrows(CkksFormatException.class, () -> Serialization.readParameters(b128, SecurityLevel.BITS_192));
        CkksParameters p192 = CkksParameters.builder().logN(13).dataPrimeBits(30, 24, 24).specialPrimeBits(30)
                .scale(0x1p24).security(SecurityLevel.BITS_192).build();
        assertEquals(p192, Serialization.readParameters(Serialization.write(p192), SecurityLevel.BITS_192));
    }

    @Test
    void plaintextRoundTrip() throws IOException {
        Plaintext pt = encoder.encode(x, 1, 0x1p30);
        byte[] b = Serialization.write(ctx, pt);
        assertEquals(Serialization.sizeOf(ctx, pt), b.length);
        Plaintext back = Serialization.readPlaintext(ctx, b);
        assertEquals(pt.level(), back.level());
        assertEquals(pt.scale(), back.scale());
        assertPolyEquals(pt.poly(), back.poly());
        Plaintext fromStream = Serialization.readPlaintext(ctx, new ByteArrayInputStream(b));
        assertPolyEquals(pt.poly(), fromStream.poly());
        double[] d = encoder.decode(back);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], d[i], 1e-6);
        }
    }

    /**
     * Into a caller's buffer (dirty) a ciphertext serializes to exactly write's bytes; read into a limb pool it takes
     * the pool's arrays (dirty) and comes back equal. Seeded and full ciphertexts, primes above 32 bits (this class's
     * context) and of at most 32 (the packers' two paths).
     */
    @Test
    void intoACallersBufferAndOutOfALimbPool() {
        CkksContext narrow = new CkksContext(CkksParameters.builder().logN(10).dataPrimeBits(30, 25).specialPrimeBits(30)
                .scale(0x1p25).insecureForTestsOnly().build());
        for (CkksContext c : new CkksContext[] {ctx, narrow}) {
            KeyGenerator k = new KeyGenerator(c);
            CkksEncoder e = new CkksEncoder(c);
            Ciphertext seeded = new Encryptor(c, k.secretKey()).encrypt(e, x, c.maxLevel(), c.parameters().defaultScale());
            Ciphertext full = new Encryptor(c, k.publicKey()).encrypt(e.encode(y));
            for (Ciphertext ct : new Ciphertext[] {seeded, full}) {
                byte[] want = Serialization.write(c, ct);
                byte[] buf = new byte[want.length];
                java.util.Arrays.fill(buf, (byte) 0x5A);
                Serialization.write(c, ct, buf);
                assertArrayEquals(want, buf, "into a dirty buffer");
                io.github.jckks.math.LimbPool pool = new io.github.jckks.math.LimbPool(c.n(), 64);
                long[] dirty = new long[c.n()];
                java.util.Arrays.fill(dirty, Long.MAX_VALUE);
                pool.release(dirty);
                Ciphertext back = Serialization.readCiphertext(c, want, pool);
                assertTrue(back.partForReading(0).limb(0) == dirty, "the pool's array");
                assertCiphertextEquals(ct, back);
            }
            assertThrows(IllegalArgumentException.class, () -> Serialization.write(c, seeded, new byte[3]));
            assertThrows(IllegalArgumentException.class, () -> Serialization.readCiphertext(c, Serialization.write(c, seeded),
                    new io.github.jckks.math.LimbPool(c.n() / 2, 4)), "a pool of another degree");
        }
    }

    @Test
    void ciphertextRoundTripDecrypts() throws IOException {
        Ciphertext ct = new Encryptor(ctx, pk).encrypt(encoder.encode(x));
        assertNull(ct.seed());
        byte[] b = Serialization.write(ctx, ct);
        assertEquals(Serialization.Kind.CIPHERTEXT, Serialization.kindOf(b));
        assertEquals(Serialization.sizeOf(ctx, ct), b.length);
        assertEquals(Serialization.sizeOfFull(ctx, ct), b.length);
        Ciphertext back = Serialization.readCiphertext(ctx, b);
        assertCiphertextEquals(ct, back);
        assertDecrypts(x, back, decryptor, 1e-6);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Serialization.write(ctx, ct, out);
        assertArrayEquals(b, out.toByteArray());
        assertCiphertextEquals(ct, Serialization.readCiphertext(ctx, new ByteArrayInputStream(b)));

        // three parts (product before relinearization), then a lower level after rescale
        Evaluator ev = new Evaluator(ctx, evk);
        Ciphertext cy = new Encryptor(ctx, pk).encrypt(encoder.encode(y));
        Ciphertext prod = ev.multiply(ct, cy);
        assertEquals(3, prod.size());
        Ciphertext prodBack = Serialization.readCiphertext(ctx, Serialization.write(ctx, prod));
        assertCiphertextEquals(prod, prodBack);
        ev.rescaleInPlace(prodBack);
        double[] xy = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xy[i] = x[i] * y[i];
        }
        assertDecrypts(xy, prodBack, decryptor, 1e-5);
        Ciphertext low = Serialization.readCiphertext(ctx, Serialization.write(ctx, prodBack));
        assertEquals(params.maxLevel() - 1, low.level());
        assertCiphertextEquals(prodBack, low);
        assertDecrypts(xy, low, decryptor, 1e-5);
    }

    @Test
    void operandsTheEvaluatorOnlyReadsKeepTheirSeed() {
        Ciphertext a = new Encryptor(ctx, kg.secretKey()).encrypt(encoder.encode(x));
        Ciphertext b = new Encryptor(ctx, kg.secretKey()).encrypt(encoder.encode(x));
        byte[] before = Serialization.write(ctx, a);
        Evaluator ev = new Evaluator(ctx);
        Ciphertext sum = ev.add(b, a);
        Ciphertext product = ev.multiply(a, b);
        Ciphertext square = ev.square(a);
        assertNotNull(a.seed(), "read as an operand: still seeded");
        assertNotNull(b.seed());
        assertArrayEquals(before, Serialization.write(ctx, a), "and serializes seeded, identically");
        assertNull(sum.seed(), "a result has no seed");
        assertNull(product.seed());
        assertNull(square.seed());
        ev.addInPlace(a, b); // a is written: its seed goes
        assertNull(a.seed());
        assertNotNull(b.seed());
    }

    @Test
    void seededCiphertextIsHalfSizeAndDecrypts() throws IOException {
        Ciphertext ct = new Encryptor(ctx, kg.secretKey()).encrypt(encoder.encode(x));
        assertNotNull(ct.seed());
        byte[] seeded = Serialization.write(ctx, ct);
        byte[] full = Serialization.writeFull(ctx, ct);
        assertEquals(Serialization.Kind.SEEDED_CIPHERTEXT, Serialization.kindOf(seeded));
        assertEquals(Serialization.Kind.CIPHERTEXT, Serialization.kindOf(full));
        assertEquals(Serialization.sizeOf(ctx, ct), seeded.length);
        assertEquals(Serialization.sizeOfFull(ctx, ct), full.length);
        long poly = bitsOf(params.dataPrimes()) * 1024 / 8;
        assertEquals(48 + 1 + 1 + 8 + 2 * poly + 4, full.length);
        assertEquals(48 + 1 + 8 + 32 + poly + 4, seeded.length);
        assertTrue(seeded.length < 0.51 * full.length, seeded.length + " vs " + full.length);

        Ciphertext back = Serialization.readCiphertext(ctx, seeded);
        assertCiphertextEquals(ct, back);
        assertArrayEquals(ct.seed(), back.seed());
        assertDecrypts(x, back, decryptor, 1e-6);
        assertArrayEquals(seeded, Serialization.write(ctx, back), "re-serializes seeded, identically");
        Ciphertext backFull = Serialization.readCiphertext(ctx, full);
        assertCiphertextEquals(ct, backFull);
        assertNull(backFull.seed());
        assertCiphertextEquals(ct, Serialization.readCiphertext(ctx, new ByteArrayInputStream(seeded)));

        // whoever takes c1 for writing makes the ciphertext forget its seed: it then serializes in full, as changed
        Ciphertext tampered = back.copy();
        assertNotNull(tampered.seed(), "a copy keeps the seed");
        assertArrayEquals(seeded, Serialization.write(ctx, tampered), "and serializes seeded, identically");
        assertNotNull(tampered.part(0).limb(0), "reading c0 keeps the seed");
        assertNotNull(tampered.seed());
        tampered.part(1).limb(0)[5] = (tampered.part(1).limb(0)[5] + 1) % params.dataPrimes()[0];
        assertNull(tampered.seed(), "part(1) forgets the seed");
        byte[] fallback = Serialization.write(ctx, tampered);
        assertEquals(Serialization.Kind.CIPHERTEXT, Serialization.kindOf(fallback));
        assertCiphertextEquals(tampered, Serialization.readCiphertext(ctx, fallback));
        assertEquals(tampered.part(1).limb(0)[5], Serialization.readCiphertext(ctx, fallback).part(1).limb(0)[5]);
        // decryption and serialization read c1 without forgetting the seed
        decryptor.decrypt(back);
        Serialization.writeFull(ctx, back);
        assertArrayEquals(seeded, Serialization.write(ctx, back));

        // an evaluator result loses the seed and serializes in full
        Ciphertext sum = new Evaluator(ctx).add(back, back);
        assertEquals(Serialization.Kind.CIPHERTEXT, Serialization.kindOf(Serialization.write(ctx, sum)));
    }

    @Test
    void publicAndSecretKeysRoundTrip() throws IOException {
        byte[] pb = Serialization.write(ctx, pk);
        assertEquals(Serialization.sizeOf(ctx, pk), pb.length);
        PublicKey pkBack = Serialization.readPublicKey(ctx, pb);
        assertPolyEquals(pk.a(), pkBack.a());
        assertPolyEquals(pk.b(), pkBack.b());
        Ciphertext ct = new Encryptor(ctx, pkBack).encrypt(encoder.encode(x));
        assertDecrypts(x, ct, decryptor, 1e-6);

        byte[] sb = Serialization.write(ctx, kg.secretKey());
        assertEquals(48 + 1024 / 4 + 4, sb.length, "secret key: 2 bits per coefficient");
        assertEquals(Serialization.sizeOf(ctx, kg.secretKey()), sb.length);
        SecretKey skBack = Serialization.readSecretKey(ctx, sb);
        assertPolyEquals(kg.secretKey().sQ(), skBack.sQ());
        assertPolyEquals(kg.secretKey().sP(), skBack.sP());
        assertDecrypts(x, ct, new Decryptor(ctx, skBack), 1e-6);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Serialization.write(ctx, kg.secretKey(), out);
        assertArrayEquals(sb, out.toByteArray());
        assertPolyEquals(kg.secretKey().sQ(), Serialization.readSecretKey(ctx, new ByteArrayInputStream(sb)).sQ());

        // a "secret key" that is not ternary cannot be written
        RnsPoly bad = kg.secretKey().sQ().copy();
        bad.limb(1)[0] = (bad.limb(1)[0] + 1) % params.dataPrimes()[1];
        assertThrows(IllegalArgumentException.class,
                () -> Serialization.write(ctx, new SecretKey(bad, kg.secretKey().sP())));
    }

    @Test
    void evaluationKeysRoundTripWorkInEvaluator() throws IOException {
        byte[] b = Serialization.write(ctx, evk);
        assertEquals(Serialization.sizeOf(ctx, evk), b.length);
        long poly = bitsOf(params.dataPrimes()) * 1024 / 8;
        long special = bitsOf(params.specialPrimes()) * 1024 / 8;
        long ksk = 1 + 2L * 3 * (poly + special);
        assertEquals(48 + 1 + 4 + ksk + 3 * (4 + ksk) + 4, b.length, "relin + 3 Galois keys");
        EvaluationKeys back = Serialization.readEvaluationKeys(ctx, b);
        assertKeyEquals(evk.relinearization(), back.relinearization());
        assertEquals(evk.galois().keySet(), back.galois().keySet());
        for (int g : evk.galois().keySet()) {
            assertKeyEquals(evk.galois(g), back.galois(g));
        }
        EvaluationKeys fromStream = Serialization.readEvaluationKeys(ctx, new ByteArrayInputStream(b));
        assertEquals(evk.galois().keySet(), fromStream.galois().keySet());

        Evaluator ev = new Evaluator(ctx, back);
        Encryptor enc = new Encryptor(ctx, pk);
        Ciphertext cx = enc.encrypt(encoder.encode(x));
        Ciphertext cy = enc.encrypt(encoder.encode(y));
        Ciphertext prod = ev.multiplyRelin(cx, cy);
        assertEquals(2, prod.size());
        ev.rescaleInPlace(prod);
        double[] xy = new double[x.length];
        double[] rot1 = new double[x.length];
        double[] rotm3 = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xy[i] = x[i] * y[i];
            rot1[i] = x[(i + 1) % x.length];
            rotm3[i] = x[Math.floorMod(i - 3, x.length)];
        }
        assertDecrypts(xy, prod, decryptor, 1e-5);
        assertDecrypts(rot1, ev.rotate(cx, 1), decryptor, 1e-5);
        assertDecrypts(rotm3, ev.rotate(cx, -3), decryptor, 1e-5);
        assertDecrypts(x, ev.conjugate(cx), decryptor, 1e-5);

        // without relinearization key, and empty
        EvaluationKeys galoisOnly = new EvaluationKeys(null, evk.galois());
        EvaluationKeys gBack = Serialization.readEvaluationKeys(ctx, Serialization.write(ctx, galoisOnly));
        assertNull(gBack.relinearization());
        assertEquals(evk.galois().keySet(), gBack.galois().keySet());
        EvaluationKeys empty = Serialization.readEvaluationKeys(ctx,
                Serialization.write(ctx, new EvaluationKeys(null, java.util.Map.of())));
        assertNull(empty.relinearization());
        assertTrue(empty.galois().isEmpty());
    }

    /** Composite scaling: parameters, keys and seeded ciphertexts of a two-primes-per-rescale chain survive a round trip. */
    @Test
    void compositeChainRoundTrip() throws IOException {
        SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_COMPOSITE);
        CkksParameters back = Serialization.readParameters(Serialization.write(f.params), SecurityLevel.INSECURE_TESTS_ONLY);
        assertEquals(f.params, back);
        assertEquals(2, back.compositeDegree());
        CkksContext c2 = new CkksContext(back);
        EvaluationKeys keys = Serialization.readEvaluationKeys(c2, Serialization.write(f.ctx, f.keys));
        Evaluator ev = new Evaluator(c2, keys);
        double[] a = f.random(70);
        double[] b = f.random(71);
        Ciphertext ca = Serialization.readCiphertext(c2, Serialization.write(f.ctx, f.symmetric.encrypt(
                f.encoder.encode(a, f.top(), f.scale())))); // seeded
        Ciphertext cb = Serialization.readCiphertext(c2, Serialization.write(f.ctx, f.encrypt(b)));
        Ciphertext p = ev.rescale(ev.multiplyRelin(ca, cb));
        assertEquals(f.top() - 2, p.level());
        Ciphertext q = Serialization.readCiphertext(c2, Serialization.write(c2, p));
        double[] ab = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            ab[i] = a[i] * b[i];
        }
        f.check("composite product after two round trips", ab, q, f.product);
        // a degree-1 reader of the same primes has another fingerprint: the objects do not load there
        CkksParameters one = CkksParameters.builder().logN(back.logN()).dataPrimes(back.dataPrimes())
                .specialPrimes(back.specialPrimes()).digitSize(back.digitSize()).scale(back.defaultScale())
                .insecureForTestsOnly().build();
        byte[] bytes = Serialization.write(c2, q);
        assertThrows(CkksFormatException.class, () -> Serialization.readCiphertext(new CkksContext(one), bytes));
    }

    @Test
    void keySwitchKeyRoundTrip() throws IOException {
        KeySwitchKey k = evk.relinearization();
        byte[] b = Serialization.write(ctx, k);
        assertEquals(Serialization.sizeOf(ctx, k), b.length);
        assertKeyEquals(k, Serialization.readKeySwitchKey(ctx, b));
        assertKeyEquals(k, Serialization.readKeySwitchKey(ctx, new ByteArrayInputStream(b)));
        // two special primes, two data primes per digit
        CkksParameters p2 = CkksParameters.builder().logN(10).dataPrimeBits(40, 30, 30, 30).specialPrimeBits(40, 40)
                .scale(0x1p30).insecureForTestsOnly().build();
        CkksContext c2 = new CkksContext(p2);
        KeyGenerator kg2 = new KeyGenerator(c2);
        KeySwitchKey k2 = kg2.relinearizationKey();
        assertEquals(2, k2.digits());
        assertKeyEquals(k2, Serialization.readKeySwitchKey(c2, Serialization.write(c2, k2)));
    }

    @Test
    void severalObjectsOnOneStream() throws IOException {
        Ciphertext ct = new Encryptor(ctx, kg.secretKey()).encrypt(encoder.encode(x));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Serialization.write(params, out);
        Serialization.write(ctx, ct, out);
        Serialization.write(ctx, pk, out);
        Serialization.writeFull(ctx, ct, out);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        CkksParameters p = Serialization.readParameters(in, SecurityLevel.INSECURE_TESTS_ONLY);
        assertEquals(params, p);
        CkksContext c = new CkksContext(p);
        Ciphertext a = Serialization.readCiphertext(c, in);
        PublicKey k = Serialization.readPublicKey(c, in);
        Ciphertext b = Serialization.readCiphertext(c, in);
        assertEquals(0, in.available(), "each reader consumed exactly its object");
        assertCiphertextEquals(ct, a);
        assertCiphertextEquals(ct, b);
        assertPolyEquals(pk.a(), k.a());
        assertDecrypts(x, a, decryptor, 1e-6);
    }

    @Test
    void residuesPackedAtTheirPrimeWidth() {
        // 24-bit primes: 3 bytes per residue
        CkksParameters p = CkksParameters.builder().logN(10).dataPrimeBits(24, 24).specialPrimeBits(30).scale(0x1p20)
                .insecureForTestsOnly().build();
        CkksContext c = new CkksContext(p);
        Plaintext pt = new CkksEncoder(c).encode(new double[] {0.5, -0.25}, 1, 0x1p20);
        byte[] b = Serialization.write(c, pt);
        assertEquals(48 + 1 + 8 + 2 * 1024 * 3 + 4, b.length);
        assertPolyEquals(pt.poly(), Serialization.readPlaintext(c, b).poly());
        // a 30-bit prime takes 30 bits: 1024 * 30 / 8 = 3840 bytes per limb
        assertEquals(3840, Serialization.limbBytes(1024, 30));
        assertEquals(3, Serialization.limbBytes(4, 5), "padded to a whole byte");
    }

    @Test
    void bitPackingRoundTripsEveryWidth() {
        Random r = new Random(3);
        for (int bits = 2; bits <= 61; bits++) {
            for (int n : new int[] {2, 4, 8, 64}) {
                long q = (1L << (bits - 1)) + 1 + (long) (r.nextDouble() * ((1L << (bits - 1)) - 2));
                long[] z = new long[n];
                for (int j = 0; j < n; j++) {
                    z[j] = j == 0 ? q - 1 : j == 1 ? 0 : (long) (r.nextDouble() * q);
                }
                byte[] packed = new byte[Serialization.limbBytes(n, bits)];
                Serialization.pack(z, q, bits, packed, "test", 0);
                long[] back = new long[n];
                Serialization.unpack(packed, back, q, bits, "test", 0);
                assertArrayEquals(z, back, "bits " + bits + ", n " + n);
            }
        }
    }

    /** The format's definition, one bit at a time: residue j's bits MSB-first at stream bits [j bits, (j + 1) bits). */
    private static byte[] packBitByBit(long[] z, int bits) {
        byte[] out = new byte[Serialization.limbBytes(z.length, bits)];
        long bit = 0;
        for (long r : z) {
            for (int b = bits - 1; b >= 0; b--, bit++) {
                if (((r >>> b) & 1) != 0) {
                    out[(int) (bit >>> 3)] |= (byte) (0x80 >>> (bit & 7));
                }
            }
        }
        return out;
    }

    @Test
    void bitPackingMatchesTheBitByBitDefinition() {
        // the word-at-a-time packer (primes up to 32 bits) and the byte-at-a-time one (wider) write the format's bytes,
        // for every width and for lengths that end on and off a 32-bit boundary; unpack reads them back
        Random r = new Random(4);
        for (int bits = 2; bits <= 61; bits++) {
            for (int n : new int[] {1, 2, 3, 5, 8, 13, 64, 1024}) {
                long q = (1L << (bits - 1)) + 1 + (long) (r.nextDouble() * ((1L << (bits - 1)) - 2));
                long[] z = new long[n];
                for (int j = 0; j < n; j++) {
                    z[j] = j == 0 ? q - 1 : j == 1 ? 0 : (long) (r.nextDouble() * q);
                }
                byte[] expected = packBitByBit(z, bits);
                byte[] packed = new byte[expected.length + 7]; // a scratch longer than the limb, as the writer's
                Serialization.pack(z, q, bits, packed, "test", 0);
                assertArrayEquals(expected, Arrays.copyOf(packed, expected.length), "bits " + bits + ", n " + n);
                byte[] scratch = Arrays.copyOf(expected, expected.length + 7);
                Arrays.fill(scratch, expected.length, scratch.length, (byte) 0xFF); // bytes past the limb are not read
                long[] back = new long[n];
                Serialization.unpack(scratch, back, q, bits, "test", 0);
                assertArrayEquals(z, back, "bits " + bits + ", n " + n);
                int padding = 8 * expected.length - n * bits;
                if (padding > 0) {
                    byte[] bad = expected.clone();
                    bad[bad.length - 1] |= 1;
                    int w = bits;
                    int count = n;
                    assertThrows(CkksFormatException.class, () -> Serialization.unpack(bad, new long[count], q, w, "test", 0));
                }
            }
        }
    }

    @Test
    void writeRejectsObjectsOfAnotherContext() {
        CkksParameters other = CkksParameters.builder().logN(11).dataPrimeBits(45, 36).specialPrimeBits(45)
                .scale(0x1p36).insecureForTestsOnly().build();
        CkksContext octx = new CkksContext(other);
        Ciphertext ct = new Encryptor(ctx, pk).encrypt(encoder.encode(x));
        assertThrows(IllegalArgumentException.class, () -> Serialization.write(octx, ct));
        assertThrows(IllegalArgumentException.class, () -> Serialization.write(octx, pk));
        Ciphertext unreduced = ct.copy();
        unreduced.part(0).limb(0)[0] = params.dataPrimes()[0];
        assertThrows(IllegalArgumentException.class, () -> Serialization.write(ctx, unreduced));
        Ciphertext badScale = ct.copy();
        badScale.setScale(0.5);
        assertThrows(IllegalArgumentException.class, () -> Serialization.write(ctx, badScale));
    }
}
