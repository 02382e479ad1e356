package io.github.jckks.ckks;

import static io.github.jckks.ckks.SchemeFixture.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.RnsPoly;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The evaluator refuses what it cannot do correctly, with an exception that names the problem. */
class BadInputTest {
    private final SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_40);
    private final double[] x = f.random(60);

    private static void refused(Class<? extends RuntimeException> type, String fragment, Executable op) {
        RuntimeException e = assertThrows(type, op);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }

    @Test
    void mismatchedScalesInAdd() {
        Ciphertext a = f.encrypt(x);
        Ciphertext b = f.encrypt(x, f.top(), 0x1p30);
        refused(IllegalArgumentException.class, "scales differ", () -> f.ev.add(a, b));
        refused(IllegalArgumentException.class, "scales differ", () -> f.ev.sub(a, b));
        refused(IllegalArgumentException.class, "scales differ", () -> f.ev.addInPlace(a.copy(), b));
        Plaintext p30 = f.encoder.encode(x, f.top(), 0x1p30);
        refused(IllegalArgumentException.class, "scales differ", () -> f.ev.addPlain(a, p30));
        // a product (scale Δ q_l) cannot be added to a fresh ciphertext (scale Δ) before rescaling
        refused(IllegalArgumentException.class, "scales differ", () -> f.ev.add(f.ev.multiplyScalar(a, 2), a));
        // the lazy accumulator must have the product's scale
        Ciphertext acc = a.copy();
        refused(IllegalArgumentException.class, "scales differ",
                () -> f.ev.multiplyScalarAddInPlace(a, 0.5, f.ev.lastPrime(f.top()), acc));
        // a relative difference below the tolerance is accepted
        Ciphertext close = a.copy();
        close.setScale(a.scale() * (1 + Evaluator.SCALE_TOLERANCE / 2));
        assertEquals(f.top(), f.ev.add(a, close).level());
    }

    @Test
    void productWhoseScaleWouldOverflow() {
        // level 0: Q = q_0 < 2^50, and a product of two 2^40 scales is 2^80
        Ciphertext a = f.ev.dropLevel(f.encrypt(x), 0);
        refused(IllegalArgumentException.class, "overflow", () -> f.ev.multiply(a, a));
        refused(IllegalArgumentException.class, "overflow", () -> f.ev.square(a));
        refused(IllegalArgumentException.class, "overflow", () -> f.ev.multiplyPlain(a, f.encoder.encode(x, 0, f.scale())));
        refused(IllegalArgumentException.class, "overflow", () -> f.ev.multiplyScalar(a, 0.5));
        // at the top level (Q about 2^170) Δ^4 = 2^160 fits, Δ^5 does not
        Ciphertext top = f.encrypt(x);
        Ciphertext x2 = f.ev.multiplyRelin(top, top);
        Ciphertext x4 = f.ev.multiplyRelin(x2, x2);
        assertEquals(0x1p160, x4.scale());
        refused(IllegalArgumentException.class, "rescale first", () -> f.ev.multiply(x4, top));
        // a constant whose encoding overflows
        refused(IllegalArgumentException.class, "overflows", () -> f.ev.addScalar(a, 1e6)); // 2^60 > Q_0 / 2
        refused(IllegalArgumentException.class, "overflows", () -> f.ev.multiplyScalar(top, 1e45, 0x1p40));
        refused(IllegalArgumentException.class, "not finite", () -> f.ev.addScalar(a, Double.NaN));
    }

    @Test
    void rescaleAtLevelZero() {
        Ciphertext a = f.ev.dropLevel(f.encrypt(x), 0);
        refused(IllegalArgumentException.class, "no prime left", () -> f.ev.rescale(a));
        refused(IllegalArgumentException.class, "levels only go down", () -> f.ev.dropLevel(a, 1));
        refused(IllegalArgumentException.class, "levels only go down", () -> f.ev.dropLevel(a, -1));
    }

    @Test
    void compositeRescaleMustLeaveAPrime() {
        SchemeFixture c = SchemeFixture.get(SchemeFixture.SMALL_COMPOSITE);
        Ciphertext a = c.ev.dropLevel(c.encrypt(x), 1);
        refused(IllegalArgumentException.class, "divides by 2 primes (composite degree)", () -> c.ev.rescale(a));
        refused(IllegalArgumentException.class, "no prime left", () -> c.ev.rescale(c.ev.dropLevel(a, 0)));
        assertEquals(c.top() - 2, c.ev.rescale(c.encrypt(x)).level());
        assertThrows(IllegalArgumentException.class, () -> c.ev.rescaleDivisor(c.top() + 1));
        assertThrows(IllegalArgumentException.class, () -> c.ev.rescaleDivisor(1));
        // a level that splits a pair: a rescale there would divide by primes of two different levels
        Ciphertext split = c.ev.dropLevel(c.encrypt(x), c.top() - 1);
        refused(IllegalArgumentException.class, "split a level", () -> c.ev.rescale(split));
        refused(IllegalArgumentException.class, "split a level", () -> c.ev.multiplyScalar(split, 0.5));
    }

    @Test
    void rotationWithoutKey() {
        Ciphertext a = f.encrypt(x);
        refused(IllegalStateException.class, "no Galois key", () -> f.noKeys.rotate(a, 1));
        refused(IllegalStateException.class, "no Galois key", () -> f.noKeys.conjugate(a));
        refused(IllegalStateException.class, "no Galois key", () -> f.noKeys.sumSlots(a));
        // the fixture has keys for 1, 2, 3, 4, 5, ... but not for 9
        refused(IllegalStateException.class, "rotation by 9", () -> f.ev.rotate(a, 9));
        // a three-part ciphertext must be relinearized first
        refused(IllegalArgumentException.class, "relinearize first", () -> f.ev.rotate(f.ev.multiply(a, a), 1));
    }

    @Test
    void relinearizeWithoutKey() {
        Ciphertext a = f.encrypt(x);
        Ciphertext three = f.noKeys.multiply(a, a);
        refused(IllegalStateException.class, "relinearization key", () -> f.noKeys.relinearize(three));
        refused(IllegalStateException.class, "relinearization key", () -> f.noKeys.multiplyRelin(a, a));
        Evaluator rotOnly = new Evaluator(f.ctx, new EvaluationKeys(null, f.keys.galois()));
        refused(IllegalStateException.class, "relinearization key", () -> rotOnly.relinearize(three));
        // products of three-part ciphertexts are refused
        refused(IllegalArgumentException.class, "two-part", () -> f.ev.multiply(three, a));
        refused(IllegalArgumentException.class, "two-part", () -> f.ev.square(three));
    }

    @Test
    void plaintextBelowTheCiphertextLevel() {
        Ciphertext a = f.encrypt(x);
        Plaintext low = f.encoder.encode(x, f.top() - 1, f.scale());
        refused(IllegalArgumentException.class, "depth-aware", () -> f.ev.addPlain(a, low));
        refused(IllegalArgumentException.class, "depth-aware", () -> f.ev.subPlain(a, low));
        refused(IllegalArgumentException.class, "depth-aware", () -> f.ev.multiplyPlain(a, low));
    }

    @Test
    void tooManySlots() {
        refused(IllegalArgumentException.class, "at most " + f.slots + " slots",
                () -> f.encoder.encode(new double[f.slots + 1]));
        refused(IllegalArgumentException.class, "at most " + f.slots + " slots",
                () -> f.encoder.encodeComplexPacked(new double[f.slots], new double[2 * f.slots], 0, f.scale()));
    }

    @Test
    void objectsFromAnotherRingDegree() {
        SchemeFixture other = SchemeFixture.get(SchemeFixture.SMALL_24); // N = 2048
        Ciphertext a = f.encrypt(x);
        Ciphertext b = other.encrypt(other.random(1));
        refused(IllegalArgumentException.class, "does not match", () -> f.ev.add(a, b));
        refused(IllegalArgumentException.class, "does not match", () -> f.ev.multiply(a, b));
        refused(IllegalArgumentException.class, "does not match", () -> f.decryptor.decrypt(b));
        refused(IllegalArgumentException.class, "does not match", () -> f.encryptor.encrypt(other.encoder.encode(x)));
    }

    /**
     * Objects of two parameter sets with the same N (seal8192 and one with other primes) are not mixed: every
     * operation that meets one refuses it by its primes, where it used to compute garbage (a sum decrypted to 1e31).
     * Two contexts of the same parameters interoperate.
     */
    @Test
    void objectsOfAnotherParameterSetOfTheSameDegree() {
        CkksParameters pa = CkksParameters.seal8192();
        CkksParameters pb = CkksParameters.builder().logN(13).dataPrimeBits(50, 40, 40).specialPrimeBits(50)
                .scale(0x1p40).build();
        CkksContext a = new CkksContext(pa);
        CkksContext b = new CkksContext(pb);
        KeyGenerator ka = new KeyGenerator(a);
        KeyGenerator kb = new KeyGenerator(b);
        CkksEncoder ea = new CkksEncoder(a);
        CkksEncoder eb = new CkksEncoder(b);
        double[] v = {1, 2, 3};
        Ciphertext ca = new Encryptor(a, ka.publicKey()).encrypt(ea.encode(v));
        Ciphertext cb = new Encryptor(b, kb.publicKey()).encrypt(eb.encode(v));
        String mixed = "different parameter sets";
        Evaluator eva = new Evaluator(a, ka.evaluationKeys(true, false, 1));
        refused(IllegalArgumentException.class, mixed, () -> eva.add(ca, cb));
        refused(IllegalArgumentException.class, mixed, () -> eva.multiply(ca, cb));
        refused(IllegalArgumentException.class, mixed, () -> eva.rescale(cb));
        refused(IllegalArgumentException.class, mixed, () -> eva.rotate(cb, 1));
        refused(IllegalArgumentException.class, mixed, () -> eva.addPlain(ca, eb.encode(v)));
        refused(IllegalArgumentException.class, mixed, () -> new Decryptor(a, kb.secretKey()).decrypt(ca));
        refused(IllegalArgumentException.class, mixed, () -> new Decryptor(b, kb.secretKey()).decrypt(ca));
        refused(IllegalArgumentException.class, mixed, () -> new Evaluator(a, kb.evaluationKeys(true, false)));
        refused(IllegalArgumentException.class, mixed, () -> CompactCiphertext.of(b, ca));
        // nor written under the other set's fingerprint (it would read back as garbage of the right shape)
        refused(IllegalArgumentException.class, mixed, () -> Serialization.write(a, cb));
        refused(IllegalArgumentException.class, mixed, () -> Serialization.write(a, kb.publicKey()));
        refused(IllegalArgumentException.class, mixed, () -> Serialization.write(a, kb.evaluationKeys(true, false)));
        // deserialized objects carry their context's primes too
        Ciphertext read = Serialization.readCiphertext(a, Serialization.write(a, ca));
        refused(IllegalArgumentException.class, mixed, () -> new Evaluator(b).add(read, cb));
        // the same parameters in two contexts: one set, so they mix
        CkksContext a2 = new CkksContext(pa);
        double[] sum = ea.decode(new Decryptor(a2, ka.secretKey()).decrypt(new Evaluator(a2).add(ca, read)));
        for (int i = 0; i < v.length; i++) {
            assertEquals(2 * v[i], sum[i], 1e-6);
        }
    }

    /**
     * Keys of the same primes with another key-switching digit layout (digit size 1 vs 2) are refused by the
     * evaluator: they decrypted x^2 to -7e30 and rotations to 1e37, or threw an index error (audit, tenth session).
     * A key wrapped from bare polynomials (origin unknown) is still checked for its digit count.
     */
    @Test
    void keysOfAnotherDigitLayout() {
        CkksParameters one = CkksParameters.builder().logN(10).dataPrimeBits(40, 30, 30, 30).specialPrimeBits(45, 45)
                .digitSize(1).scale(0x1p30).insecureForTestsOnly().build();
        CkksParameters two = CkksParameters.builder().logN(10).dataPrimes(one.dataPrimes())
                .specialPrimes(one.specialPrimes()).digitSize(2).scale(0x1p30).insecureForTestsOnly().build();
        CkksContext c1 = new CkksContext(one);
        CkksContext c2 = new CkksContext(two);
        EvaluationKeys k1 = new KeyGenerator(c1).evaluationKeys(true, true, 1);
        EvaluationKeys k2 = new KeyGenerator(c2).evaluationKeys(true, true, 1);
        refused(IllegalArgumentException.class, "different parameter sets", () -> new Evaluator(c2, k1));
        refused(IllegalArgumentException.class, "different parameter sets", () -> new Evaluator(c1, k2));
        KeySwitchKey r = k1.relinearization();
        RnsPoly[] bQ = new RnsPoly[r.digits()];
        RnsPoly[] bP = new RnsPoly[r.digits()];
        RnsPoly[] aQ = new RnsPoly[r.digits()];
        RnsPoly[] aP = new RnsPoly[r.digits()];
        for (int j = 0; j < r.digits(); j++) {
            bQ[j] = r.bQ(j);
            bP[j] = r.bP(j);
            aQ[j] = r.aQ(j);
            aP[j] = r.aP(j);
        }
        EvaluationKeys bare = new EvaluationKeys(new KeySwitchKey(bQ, bP, aQ, aP), java.util.Map.of());
        assertEquals(KeySwitchKey.UNKNOWN_SOURCE, bare.relinearization().source());
        refused(IllegalArgumentException.class, "key-switching digits", () -> new Evaluator(c2, bare));
        new Evaluator(c1, bare); // its own layout: accepted
    }

    /** A key filed under another role than its own (a rotation key under another step, a Galois key as relinearization key). */
    @Test
    void keysFiledUnderAnotherRole() {
        KeyGenerator kg = new KeyGenerator(f.ctx);
        int g1 = GaloisElements.forRotation(f.ctx.n(), 1);
        int g2 = GaloisElements.forRotation(f.ctx.n(), 2);
        KeySwitchKey rot2 = kg.galoisKey(g2);
        KeySwitchKey relin = kg.relinearizationKey();
        assertEquals(g2, rot2.source());
        assertEquals(KeySwitchKey.RELINEARIZATION, relin.source());
        refused(IllegalArgumentException.class, "is the Galois key for element " + g2,
                () -> new EvaluationKeys(null, java.util.Map.of(g1, rot2)));
        refused(IllegalArgumentException.class, "is a relinearization key",
                () -> new EvaluationKeys(null, java.util.Map.of(g1, relin)));
        refused(IllegalArgumentException.class, "Galois key for element " + g2,
                () -> new EvaluationKeys(rot2, java.util.Map.of()));
        // the roles survive serialization; a key read on its own has an unknown source
        EvaluationKeys keys = new EvaluationKeys(relin, java.util.Map.of(g2, rot2));
        EvaluationKeys read = Serialization.readEvaluationKeys(f.ctx, Serialization.write(f.ctx, keys));
        assertEquals(KeySwitchKey.RELINEARIZATION, read.relinearization().source());
        assertEquals(g2, read.galois(g2).source());
        KeySwitchKey alone = Serialization.readKeySwitchKey(f.ctx, Serialization.write(f.ctx, rot2));
        assertEquals(KeySwitchKey.UNKNOWN_SOURCE, alone.source());
        // an element given modulo 2N names the same automorphism: the key's source is the canonical element
        int twoN = 2 * f.ctx.n();
        assertEquals(g2, kg.galoisKey(g2 + twoN).source());
        assertEquals(twoN - 1, kg.galoisKey(-1).source(), "the conjugation key");
        new EvaluationKeys(null, java.util.Map.of(g2, kg.galoisKey(g2 - twoN)));
        java.util.Map<Integer, KeySwitchKey> nullElement = new java.util.HashMap<>();
        nullElement.put(null, rot2);
        refused(IllegalArgumentException.class, "null element", () -> new EvaluationKeys(null, nullElement));
    }

    /** The fused encode-and-encrypt takes only an encoder of the encryptor's parameters (it decrypted to noise). */
    @Test
    void fusedEncryptionWithAForeignEncoder() {
        SchemeFixture other = SchemeFixture.get(SchemeFixture.SMALL_24);
        refused(IllegalArgumentException.class, "encoder belongs to",
                () -> f.encryptor.encrypt(other.encoder, x, other.top(), other.scale()));
        CkksParameters wider = CkksParameters.builder().logN(11).dataPrimeBits(40, 30).specialPrimeBits(45)
                .insecureForTestsOnly().build();
        CkksEncoder wide = new CkksEncoder(new CkksContext(wider));
        refused(IllegalArgumentException.class, "encoder belongs to", () -> f.encryptor.encrypt(wide, x, 1, 0x1p30));
    }

    /**
     * A large constant factor is the caller's to bound, as in SEAL and Lattigo: the evaluator knows the scale, not the
     * values. At level 0 (Q about 2^50, scale 2^40) x 4096 is exact on values of 1e-3 (a check assuming values of
     * magnitude 1, tried in the tenth session, refused it), while a constant whose encoding alone overflows is refused.
     */
    @Test
    void largeConstantFactorsOfSmallValues() {
        double[] small = map(x, v -> v / 1000);
        Ciphertext low = f.ev.dropLevel(f.encrypt(small), 0);
        double[] y = f.decrypt(f.ev.multiplyInteger(low, 4096));
        double[] z = f.decrypt(f.ev.multiplyScalar(low, 4096, 1.0));
        for (int i = 0; i < x.length; i++) {
            assertEquals(4096 * small[i], y[i], 1e-4);
            assertEquals(4096 * small[i], z[i], 1e-4);
        }
        refused(IllegalArgumentException.class, "overflows", () -> f.ev.multiplyScalar(low, 0x1p52, 1.0));
    }

    /** Composite scaling needs a whole number of levels of d primes (5 primes with d = 2 failed at the first rescale). */
    @Test
    void compositeChainOfAPartialLevel() {
        refused(IllegalArgumentException.class, "must be a multiple of 2", () -> CkksParameters.builder().logN(10)
                .dataPrimeBits(30, 30, 20, 20, 20).specialPrimeBits(30).compositeDegree(2).insecureForTestsOnly().build());
    }

    /** squareInto, like the other *Into forms, refuses outputs that share limbs with each other or the input. */
    @Test
    void squareIntoOverlappingOutputs() {
        Ciphertext a = f.encrypt(x);
        int k = a.level() + 1;
        RnsPoly p0 = f.ctx.ringQ().newPoly(k, true);
        RnsPoly p2 = f.ctx.ringQ().newPoly(k, true);
        refused(IllegalArgumentException.class, "overlap", () -> f.ev.squareInto(a, new RnsPoly[] {p0, p0, p2}));
        refused(IllegalArgumentException.class, "overlap", () -> f.ev.squareInto(a, new RnsPoly[] {p0, a.part(1), p2}));
        // null: fresh outputs, as the other *Into forms
        double[] sq = f.decrypt(f.ev.rescale(f.ev.relinearize(f.ev.squareInto(a, null))));
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] * x[i], sq[i], 1e-6);
        }
    }
}
