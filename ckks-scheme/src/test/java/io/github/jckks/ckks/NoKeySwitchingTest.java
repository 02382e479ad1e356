package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.Prng;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Parameters with no special prime (k = 0: no key switching), at the real size of the client-aided use case:
 * N = 2048, data primes {30, 24} (54 bits, exactly the 128-bit bound for N = 2048), scale 2<sup>21</sup>.
 *
 * <p>Stated bounds on the absolute error for slot values in [-1, 1], with the measured maxima over 1024 slots:
 * secret-key encryption {@value #SECRET_FRESH} (measured 1.8e-4); public-key encryption {@value #PUBLIC_FRESH}
 * (measured 1.0e-2 to 1.7e-2 over 48 runs, mean 1.9e-3: the noise u e + e0 + e1 s is not divided by a P, about 167
 * per coefficient at N = 2048 against 3.2); a scalar product, rescale and scalar addition on secret-key ciphertexts
 * {@value #SCALAR_CHAIN} (median 8.2e-4, max 1.6e-3 over 48 runs: each encryption's fresh mask changes the
 * rescale's rounding); the three-part product of two secret-key ciphertexts, decrypted with
 * s<sup>2</sup> at scale 2<sup>42</sup>, {@value #PRODUCT} (measured 1.8e-4).
 */
class NoKeySwitchingTest {
    static final double SECRET_FRESH = 1e-3;
    static final double PUBLIC_FRESH = 5e-2;
    static final double SCALAR_CHAIN = 5e-3;
    static final double PRODUCT = 1e-3;

    private static final CkksParameters PARAMS = CkksParameters.builder().logN(11).dataPrimeBits(30, 24)
            .specialPrimeBits().scale(0x1p21).build();
    private static final CkksContext CTX = new CkksContext(PARAMS);
    private static final KeyGenerator KEYGEN = new KeyGenerator(CTX, new Prng(seed(1)));
    private static final PublicKey PK = KEYGEN.publicKey();
    private static final CkksEncoder ENCODER = new CkksEncoder(CTX);
    private static final Encryptor PUBLIC = new Encryptor(CTX, PK, null, new Prng(seed(2)));
    private static final Encryptor SECRET = new Encryptor(CTX, null, KEYGEN.secretKey(), new Prng(seed(3)));
    private static final Decryptor DECRYPTOR = new Decryptor(CTX, KEYGEN.secretKey());
    private static final Evaluator EV = new Evaluator(CTX);

    private static byte[] seed(int b) {
        byte[] s = new byte[Prng.SEED_BYTES];
        s[0] = (byte) b;
        s[1] = 0x4B;
        return s;
    }

    private static double[] decrypt(Ciphertext ct) {
        return ENCODER.decode(DECRYPTOR.decrypt(ct));
    }

    private static void check(String what, double[] expected, Ciphertext ct, double tol) {
        PrecisionStats st = PrecisionStats.of(expected, decrypt(ct));
        if (Boolean.getBoolean("jckks.test.verbose")) {
            System.out.printf("%-45s %s%n", what, st);
        }
        assertTrue(st.within(tol), what + " exceeds the stated bound " + tol + ": " + st);
    }

    private static IllegalStateException refusedForNoSpecialPrime(Executable call) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call);
        assertTrue(e.getMessage().contains("no special prime") && e.getMessage().contains("N=2^11"),
                "message should name the parameters and the missing special prime: " + e.getMessage());
        return e;
    }

    @Test
    void parametersWithoutSpecialPrimeMeet128BitSecurity() {
        assertFalse(PARAMS.supportsKeySwitching());
        assertEquals(0, PARAMS.specialPrimes().length);
        assertEquals(0, PARAMS.digitSize());
        assertEquals(0, PARAMS.digitCount());
        assertEquals(54, PARAMS.totalModulusBits());
        assertEquals(1, PARAMS.maxLevel());
        assertEquals(SecurityLevel.BITS_128, PARAMS.security());
        assertEquals(SecurityLevel.BITS_128, PARAMS.achievedSecurity());
        long[] q = PARAMS.dataPrimes();
        assertEquals(30, 64 - Long.numberOfLeadingZeros(q[0]));
        assertEquals(24, 64 - Long.numberOfLeadingZeros(q[1]));
        assertEquals(0x1p21, PARAMS.defaultScale());
        String s = PARAMS.toString();
        assertTrue(s.contains("special {} (no key switching)") && s.contains("log2 QP = 54")
                && s.contains("security 128-bit"), s);
        // explicit empty primes, and a digit size (ignored without special primes), give the same parameters
        CkksParameters same = CkksParameters.builder().logN(11).dataPrimes(q).specialPrimes().digitSize(2)
                .scale(0x1p21).build();
        assertEquals(PARAMS, same);
        assertEquals(PARAMS.hashCode(), same.hashCode());
        assertArrayEquals(PARAMS.fingerprint(), same.fingerprint());
        // the same data primes with a special prime are other parameters (insecure at N = 2048, so named as such)
        CkksParameters withP = CkksParameters.builder().logN(11).dataPrimes(q).specialPrimeBits(30).scale(0x1p21)
                .insecureForTestsOnly().build();
        assertTrue(withP.supportsKeySwitching());
        assertNotEquals(PARAMS, withP);
        assertFalse(java.util.Arrays.equals(withP.fingerprint(), PARAMS.fingerprint()));
        assertTrue(CkksParameters.cryptoNets().supportsKeySwitching());
        // setting no special prime at all is still an error: "none" must be said
        IllegalArgumentException unset = assertThrows(IllegalArgumentException.class,
                () -> CkksParameters.builder().logN(11).dataPrimeBits(30, 24).scale(0x1p21).build());
        assertTrue(unset.getMessage().contains("special primes not set"), unset.getMessage());
    }

    @Test
    void securityCountsTheDataPrimesAndStillRefuses55BitsAtN2048() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CkksParameters.builder().logN(11).dataPrimeBits(30, 25).specialPrimeBits().scale(0x1p21).build());
        assertTrue(e.getMessage().contains("55 bits") && e.getMessage().contains("54 bits"), e.getMessage());
        CkksParameters insecure = CkksParameters.builder().logN(11).dataPrimeBits(30, 25).specialPrimeBits()
                .scale(0x1p21).security(SecurityLevel.INSECURE_TESTS_ONLY).build();
        assertEquals(55, insecure.totalModulusBits());
        assertEquals(SecurityLevel.INSECURE_TESTS_ONLY, insecure.achievedSecurity());
        assertFalse(insecure.supportsKeySwitching());
        assertEquals(insecure, CkksParameters.builder().logN(11).dataPrimeBits(30, 25).specialPrimeBits()
                .scale(0x1p21).insecureForTestsOnly().build());
        // one data prime alone is a valid chain too (SEAL's single-prime chain)
        CkksParameters single = CkksParameters.builder().logN(11).dataPrimeBits(40).specialPrimeBits().scale(0x1p20)
                .build();
        assertEquals(0, single.maxLevel());
        assertFalse(single.supportsKeySwitching());
    }

    @Test
    void contextHasNoSpecialRing() {
        assertEquals(0.0, CTX.log2P());
        refusedForNoSpecialPrime(CTX::ringP);
        assertEquals(2, CTX.ringQ().basis().size());
    }

    @Test
    void secretKeyAndPublicKeyLiveModuloQ() {
        assertNull(KEYGEN.secretKey().sP());
        assertEquals(2, KEYGEN.secretKey().sQ().limbCount());
        assertNull(PK.bP());
        assertNull(PK.aP());
        assertEquals(2, PK.b().limbCount());
        assertEquals(2, PK.a().limbCount());
    }

    @Test
    void publicAndSecretKeyEncryptionDecryptAtEveryLevel() {
        double[] x = SchemeFixture.random(1, PARAMS.slots());
        for (int level = 1; level >= 0; level--) {
            Plaintext p = ENCODER.encode(x, level, 0x1p21);
            Ciphertext viaPublic = PUBLIC.encrypt(p);
            Ciphertext viaSecret = SECRET.encrypt(p);
            assertEquals(level, viaPublic.level());
            assertEquals(level, viaSecret.level());
            assertNull(viaPublic.seed());
            assertTrue(viaSecret.seed() != null);
            check("public-key encryption, level " + level, x, viaPublic, PUBLIC_FRESH);
            check("secret-key encryption, level " + level, x, viaSecret, SECRET_FRESH);
            // the one-pass encode-and-encrypt path
            check("secret-key encrypt(encoder, ...), level " + level, x, SECRET.encrypt(ENCODER, x, level, 0x1p21),
                    SECRET_FRESH);
            check("public-key encrypt(encoder, ...), level " + level, x, PUBLIC.encrypt(ENCODER, x, level, 0x1p21),
                    PUBLIC_FRESH);
        }
        // encryptions of zero: without P, encryptZero is the modulo-Q one
        double[] zero = new double[PARAMS.slots()];
        check("encryptZero", zero, PUBLIC.encryptZero(1, 0x1p21), PUBLIC_FRESH);
        check("encryptZeroModQ", zero, PUBLIC.encryptZeroModQ(0, 0x1p21), PUBLIC_FRESH);
        // another key does not decrypt
        Decryptor other = new Decryptor(CTX, new KeyGenerator(CTX).secretKey());
        PrecisionStats wrong = PrecisionStats.of(x, ENCODER.decode(other.decrypt(PUBLIC.encrypt(ENCODER.encode(x)))));
        assertTrue(wrong.maxError() > 1, "a wrong key must not decrypt: " + wrong);
    }

    @Test
    void scalarProductRescaleAndScalarAddition() {
        double[] x = SchemeFixture.random(2, PARAMS.slots());
        double[] y = SchemeFixture.random(3, PARAMS.slots());
        Ciphertext cx = SECRET.encrypt(ENCODER.encode(x));
        Ciphertext cy = SECRET.encrypt(ENCODER.encode(y));
        // 0.75 x - 0.5 y + 0.25 at level 0, scale exactly 2^21 again after the rescale
        Ciphertext acc = EV.multiplyScalar(cx, 0.75);
        acc = EV.add(acc, EV.multiplyScalar(cy, -0.5));
        EV.rescaleInPlace(acc);
        assertEquals(0, acc.level());
        assertEquals(0x1p21, acc.scale(), 0x1p21 * 1e-9);
        acc = EV.addScalar(acc, 0.25);
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = 0.75 * x[i] - 0.5 * y[i] + 0.25;
        }
        check("0.75 x - 0.5 y + 0.25 (scalar, rescale, addScalar)", expected, acc, SCALAR_CHAIN);
        // plaintext product, subtraction and level dropping work too
        Ciphertext px = EV.multiplyPlain(cx, ENCODER.encode(y, 1, EV.rescaleDivisor(1)));
        EV.rescaleInPlace(px);
        Ciphertext diff = EV.sub(px, EV.dropLevel(cy, 0));
        double[] e2 = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            e2[i] = x[i] * y[i] - y[i];
        }
        check("x * plain(y), rescale, - dropLevel(y)", e2, diff, SCALAR_CHAIN);
    }

    @Test
    void threePartProductDecryptsWithSSquared() {
        double[] x = SchemeFixture.random(4, PARAMS.slots());
        double[] y = SchemeFixture.random(5, PARAMS.slots());
        Ciphertext xy = EV.multiply(SECRET.encrypt(ENCODER.encode(x)), SECRET.encrypt(ENCODER.encode(y)));
        assertEquals(3, xy.size());
        assertEquals(0x1p42, xy.scale());
        double[] expected = SchemeFixture.zip(x, y, (a, b) -> a * b);
        check("x * y, three parts, decrypted with s^2", expected, xy, PRODUCT);
        // a three-part ciphertext takes additions and scalar products as well
        Ciphertext sum = EV.add(xy, EV.multiplyScalar(xy, 1.0, 1.0));
        check("x * y + x * y (three parts)", SchemeFixture.map(expected, v -> 2 * v), sum, 2 * PRODUCT);
        // relinearization is refused with a message naming the parameters
        IllegalStateException e = refusedForNoSpecialPrime(() -> EV.relinearize(xy));
        assertTrue(e.getMessage().startsWith("relinearization is impossible"), e.getMessage());
    }

    @Test
    void keySwitchingKeysAreRefused() {
        refusedForNoSpecialPrime(KEYGEN::relinearizationKey);
        refusedForNoSpecialPrime(() -> KEYGEN.galoisKey(GaloisElements.forRotation(CTX.n(), 1)));
        refusedForNoSpecialPrime(() -> KEYGEN.galoisKey(GaloisElements.conjugation(CTX.n())));
        refusedForNoSpecialPrime(() -> KEYGEN.evaluationKeys(true, false));
        refusedForNoSpecialPrime(() -> KEYGEN.evaluationKeys(false, true));
        IllegalStateException e = refusedForNoSpecialPrime(() -> KEYGEN.evaluationKeys(false, false, 0, 3));
        assertTrue(e.getMessage().contains("rotation key for step 3"), e.getMessage());
        // asking for nothing (or identity rotations only) is fine
        EvaluationKeys none = KEYGEN.evaluationKeys(false, false, 0, PARAMS.slots());
        assertNull(none.relinearization());
        assertTrue(none.galois().isEmpty());
        new Evaluator(CTX, none);
        // the evaluator refuses rotations and conjugation, and keys of other parameters
        Ciphertext ct = SECRET.encrypt(ENCODER.encode(SchemeFixture.random(6, PARAMS.slots())));
        refusedForNoSpecialPrime(() -> EV.rotate(ct, 1));
        refusedForNoSpecialPrime(() -> EV.conjugate(ct));
        refusedForNoSpecialPrime(() -> EV.squareComplexPacked(ct));
        assertEquals(ct.level(), EV.rotate(ct, 0).level()); // the identity needs no key
        SchemeFixture other = SchemeFixture.get(SchemeFixture.SMALL_24);
        IllegalArgumentException wrongKeys = assertThrows(IllegalArgumentException.class,
                () -> new Evaluator(CTX, other.keys));
        assertTrue(wrongKeys.getMessage().contains("no special prime"), wrongKeys.getMessage());
    }

    @Test
    void serializationRoundTrips() {
        // parameters: 34 + 8 (L + 1) bytes, read back at the default 128-bit minimum
        byte[] pb = Serialization.write(PARAMS);
        assertEquals(34 + 16, pb.length);
        assertEquals(pb.length, Serialization.sizeOf(PARAMS));
        assertEquals(0, pb[19]); // special prime count
        assertEquals(0, pb[20]); // digit size
        CkksParameters back = Serialization.readParameters(pb);
        assertEquals(PARAMS, back);
        assertFalse(back.supportsKeySwitching());
        assertArrayEquals(pb, Serialization.write(back));
        // public key: b and a modulo Q only, 52 + 2 Q(L) bytes; the loaded key encrypts
        long qBytes = (30 + 24) * 2048L / 8;
        byte[] pkb = Serialization.write(CTX, PK);
        assertEquals(52 + 2 * qBytes, pkb.length);
        PublicKey pk2 = Serialization.readPublicKey(CTX, pkb);
        assertNull(pk2.bP());
        assertNull(pk2.aP());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(PK.b().limb(i), pk2.b().limb(i));
            assertArrayEquals(PK.a().limb(i), pk2.a().limb(i));
        }
        double[] x = SchemeFixture.random(7, PARAMS.slots());
        check("encryption with the loaded public key", x, new Encryptor(CTX, pk2).encrypt(ENCODER.encode(x)),
                PUBLIC_FRESH);
        // secret key: modulo Q only after loading
        SecretKey sk2 = Serialization.readSecretKey(CTX, Serialization.write(CTX, KEYGEN.secretKey()));
        assertNull(sk2.sP());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(KEYGEN.secretKey().sQ().limb(i), sk2.sQ().limb(i));
        }
        // seeded ciphertext: 93 + Q(l) bytes, re-expanded on read, stays seeded
        Ciphertext ct = SECRET.encrypt(ENCODER.encode(x));
        byte[] cb = Serialization.write(CTX, ct);
        assertEquals(Serialization.Kind.SEEDED_CIPHERTEXT, Serialization.kindOf(cb));
        assertEquals(93 + qBytes, cb.length);
        Ciphertext ct2 = Serialization.readCiphertext(CTX, cb);
        assertArrayEquals(ct.seed(), ct2.seed());
        assertArrayEquals(decrypt(ct), decrypt(ct2));
        assertArrayEquals(cb, Serialization.write(CTX, ct2));
        // a three-part ciphertext in full form
        Ciphertext xy = EV.multiply(ct, ct);
        Ciphertext xy2 = Serialization.readCiphertext(CTX, Serialization.write(CTX, xy));
        assertEquals(3, xy2.size());
        assertArrayEquals(decrypt(xy), decrypt(xy2));
        // empty evaluation keys round-trip; key-switching keys do not exist
        EvaluationKeys none = Serialization.readEvaluationKeys(CTX,
                Serialization.write(CTX, new EvaluationKeys(null, Map.of())));
        assertNull(none.relinearization());
        assertTrue(none.galois().isEmpty());
        SchemeFixture other = SchemeFixture.get(SchemeFixture.SMALL_24);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Serialization.write(CTX, other.keys.relinearization()));
        assertTrue(e.getMessage().contains("no special prime"), e.getMessage());
        // a key from parameters with a special prime is not accepted for these: its P parts have no place
        assertThrows(IllegalArgumentException.class, () -> Serialization.write(CTX, new PublicKey(PK.b(), PK.a(),
                other.publicKey.bP(), other.publicKey.aP())));
    }

    @Test
    void readersAcceptZeroSpecialPrimesAndStillRejectHostileCounts() {
        byte[] pb = Serialization.write(PARAMS);
        // the special prime count: 0 is accepted (above), more than 64 is not
        for (int count : new int[] {65, 255}) {
            SerialValidationTest.rejects(() -> Serialization.readParameters(
                    SerialValidationTest.reseal(SerialValidationTest.patched(pb, 19, (byte) count))), "special prime count");
        }
        // a count of 1 without the prime's bytes is a length mismatch
        SerialValidationTest.rejects(() -> Serialization.readParameters(SerialValidationTest.reseal(
                SerialValidationTest.patched(pb, 19, (byte) 1, (byte) 1))), "total length");
        // with no special prime the digit size must be 0
        for (int digit : new int[] {1, 2, 255}) {
            SerialValidationTest.rejects(() -> Serialization.readParameters(
                    SerialValidationTest.reseal(SerialValidationTest.patched(pb, 20, (byte) digit))), "digit size");
        }
        // {30, 25} without special prime is 55 bits: refused unless insecure test parameters are accepted by name
        CkksParameters insecure = CkksParameters.builder().logN(11).dataPrimeBits(30, 25).specialPrimeBits()
                .scale(0x1p21).insecureForTestsOnly().build();
        byte[] ib = Serialization.write(insecure);
        SerialValidationTest.rejects(() -> Serialization.readParameters(ib), "security level");
        SerialValidationTest.rejects(() -> Serialization.readParameters(SerialValidationTest.reseal(
                SerialValidationTest.patched(ib, 17, (byte) 1)), SecurityLevel.INSECURE_TESTS_ONLY), "54 bits");
        assertEquals(insecure, Serialization.readParameters(ib, SecurityLevel.INSECURE_TESTS_ONLY));
        // evaluation keys that declare a key-switching key are refused before any length is trusted
        byte[] eb = Serialization.write(CTX, new EvaluationKeys(null, Map.of()));
        SerialValidationTest.rejects(() -> Serialization.readEvaluationKeys(CTX,
                SerialValidationTest.reseal(SerialValidationTest.patched(eb, 48, (byte) 1))), "no special prime");
        SerialValidationTest.rejects(() -> Serialization.readEvaluationKeys(CTX, SerialValidationTest.reseal(
                SerialValidationTest.patched(eb, 49, (byte) 0x7F, (byte) 0, (byte) 0, (byte) 0))), "Galois key count");
        SerialValidationTest.rejects(() -> Serialization.readEvaluationKeys(CTX, SerialValidationTest.reseal(
                SerialValidationTest.patched(eb, 52, (byte) 1))), "no special prime");
        // a standalone key-switching key cannot belong to these parameters
        byte[] kb = eb.clone();
        kb[6] = (byte) Serialization.Kind.KEY_SWITCH_KEY.tag();
        SerialValidationTest.rejects(() -> Serialization.readKeySwitchKey(CTX, SerialValidationTest.reseal(kb)),
                "no special prime");
        // the public key's length is 52 + 2 Q(L): bytes of a key with P parts do not fit
        byte[] pkb = Serialization.write(CTX, PK);
        byte[] longer = java.util.Arrays.copyOf(pkb, pkb.length + 2 * 3840);
        java.nio.ByteBuffer.wrap(longer).putLong(8, longer.length);
        SerialValidationTest.rejects(() -> Serialization.readPublicKey(CTX, SerialValidationTest.reseal(longer)),
                "total length");
    }
}
