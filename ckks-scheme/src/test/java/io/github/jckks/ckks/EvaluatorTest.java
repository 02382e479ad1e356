package io.github.jckks.ckks;

import static io.github.jckks.ckks.SchemeFixture.map;
import static io.github.jckks.ckks.SchemeFixture.zip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.math.RnsPoly;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link Evaluator} operation decrypts to the exact result within the fixture's stated bound (see
 * {@link SchemeFixture}), at two small insecure rings (2^40 and the 30/24-bit CryptoNets chain) and at the
 * real SEAL size N = 8192 (seal8192). Slot values are uniform in [-1, 1] over all N/2 slots.
 */
class EvaluatorTest {
    private static final String ALL = "io.github.jckks.ckks.SchemeFixture#all";

    // ------------------------------------------------------------------ additive

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void addSubNegateCiphertexts(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(1);
        double[] y = f.random(2);
        Ciphertext cx = f.encrypt(x);
        Ciphertext cy = f.encrypt(y);
        f.check("add", zip(x, y, Double::sum), f.ev.add(cx, cy), 2 * f.fresh);
        f.check("sub", zip(x, y, (a, b) -> a - b), f.ev.sub(cx, cy), 2 * f.fresh);
        f.check("negate", map(x, v -> -v), f.ev.negate(cx), f.fresh);
        Ciphertext acc = cx.copy();
        f.ev.addInPlace(acc, cy);
        f.ev.subInPlace(acc, cy);
        f.ev.subInPlace(acc, cy);
        f.check("addInPlace/subInPlace", zip(x, y, (a, b) -> a - b), acc, 3 * f.fresh);
        // the inputs are untouched by the non-in-place forms
        f.check("input after add", x, cx, f.fresh);
        assertEquals(f.scale(), f.ev.add(cx, cy).scale());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void addSubPlaintext(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(3);
        double[] y = f.random(4);
        Ciphertext cx = f.encrypt(x);
        Plaintext py = f.encoder.encode(y, f.top(), f.scale());
        f.check("add plain", zip(x, y, Double::sum), f.ev.addPlain(cx, py), f.fresh);
        f.check("sub plain", zip(x, y, (a, b) -> a - b), f.ev.subPlain(cx, py), f.fresh);
        // a plaintext above the ciphertext's level is fine (its extra primes are ignored)
        Ciphertext low = f.ev.dropLevel(cx, f.bottom());
        Ciphertext r = f.ev.addPlain(low, py);
        assertEquals(f.bottom(), r.level());
        f.check("add plain (plaintext above)", zip(x, y, Double::sum), r, f.fresh);
    }

    /** The explicit-output forms (SEAL's destination arguments), and the outputs they refuse. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void intoFormsWriteTheirOutputsAndRefuseOverlaps(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(40);
        double[] y = f.random(41);
        int k = f.top() + 1;
        RnsPoly[] two = {f.ctx.ringQ().newPoly(k, true), f.ctx.ringQ().newPoly(k, true)};
        RnsPoly[] three = {f.ctx.ringQ().newPoly(k, true), f.ctx.ringQ().newPoly(k, true), f.ctx.ringQ().newPoly(k, true)};
        Ciphertext cx = f.encrypt(x);
        Ciphertext cy = f.symmetric.encrypt(f.encoder.encode(y, f.top(), f.scale())); // seeded
        Plaintext py = f.encoder.encode(y, f.top(), f.scale());
        Ciphertext sum = f.ev.addInto(cx, cy, two);
        assertSame(two[0], sum.part(0));
        f.check("addInto", zip(x, y, Double::sum), sum, 2 * f.fresh);
        f.check("subInto", zip(x, y, (a, b) -> a - b), f.ev.subInto(cx, cy, two), 2 * f.fresh);
        f.check("addPlainInto", zip(x, y, Double::sum), f.ev.addPlainInto(cx, py, two), f.fresh);
        f.check("addScalarInto", map(x, v -> v + 0.25), f.ev.addScalarInto(cx, 0.25, two), f.fresh);
        Ciphertext mp = f.ev.multiplyPlainInto(cx, py, two);
        f.check("multiplyPlainInto + rescale", zip(x, y, (a, b) -> a * b), f.ev.rescale(mp), f.product);
        Ciphertext ms = f.ev.multiplyScalarInto(cx, -0.5, f.ev.rescaleDivisor(f.top()), two);
        f.check("multiplyScalarInto + rescale", map(x, v -> -0.5 * v), f.ev.rescale(ms), f.fresh);
        Ciphertext m = f.ev.multiplyInto(cx, cy, three);
        assertSame(three[2], m.part(2));
        f.check("multiplyInto + relinearize + rescale", zip(x, y, (a, b) -> a * b), f.ev.rescale(f.ev.relinearize(m)),
                f.product);
        f.check("rotateInto 3", rotated(x, 3, f.slots), f.ev.rotateInto(cx, 3, two), f.fresh);
        f.check("conjugateInto of a real vector", x, f.ev.conjugateInto(cx, two), f.fresh);
        // decryption into a reused polynomial, and its refusals
        RnsPoly dest = f.ctx.ringQ().newPoly(k, true);
        assertSame(dest, f.decryptor.decryptInto(cx, dest).poly());
        PrecisionStats decrypted = PrecisionStats.of(x, f.encoder.decode(f.decryptor.decryptInto(cx, dest)));
        assertTrue(decrypted.maxError() < f.fresh, "decryptInto: " + decrypted);
        assertThrows(IllegalArgumentException.class, () -> f.decryptor.decryptInto(cx, cx.part(0)));
        assertThrows(IllegalArgumentException.class, () -> f.decryptor.decryptInto(cx, dest.view(k - 1)));
                assertTrue(cy.seed() != null, "reading a seeded operand keeps its seed");
        f.check("seeded operand intact", y, cy, f.fresh);
        // outputs that overlap each other or an input are refused (the InPlace forms overwrite an input)
        Ciphertext own = f.encrypt(x);
        assertThrows(IllegalArgumentException.class,
                () -> f.ev.addPlainInto(own, py, new RnsPoly[] {own.part(0), own.part(1)}));
        assertThrows(IllegalArgumentException.class, () -> f.ev.addInto(cx, cy, new RnsPoly[] {cy.part(1), two[1]}));
        assertThrows(IllegalArgumentException.class, () -> f.ev.addInto(cx, cy, new RnsPoly[] {two[0], two[0]}));
        assertThrows(IllegalArgumentException.class, () -> f.ev.multiplyScalarInto(own, 2, 0x1p20,
                new RnsPoly[] {own.part(0).view(k), two[1]}));
        assertThrows(IllegalArgumentException.class, () -> f.ev.rotateInto(own, 1, new RnsPoly[] {two[0], own.part(1)}));
        assertThrows(IllegalArgumentException.class, () -> f.ev.addInto(cx, cy, new RnsPoly[] {two[0], null}));
        // outputs of the wrong shape are refused
        assertThrows(IllegalArgumentException.class, () -> f.ev.addInto(cx, cy, new RnsPoly[] {two[0]}));
        assertThrows(IllegalArgumentException.class, () -> f.ev.multiplyInto(cx, cy, two));
        RnsPoly[] shortParts = {two[0].view(k - 1), two[1].view(k - 1)};
        assertThrows(IllegalArgumentException.class, () -> f.ev.multiplyPlainInto(cx, py, shortParts));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void addScalar(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(5);
        Ciphertext cx = f.encrypt(x);
        f.check("add 0.25", map(x, v -> v + 0.25), f.ev.addScalar(cx, 0.25), f.fresh);
        f.check("add -1.5", map(x, v -> v - 1.5), f.ev.addScalar(cx, -1.5), f.fresh);
        f.check("add 0", x, f.ev.addScalar(cx, 0), f.fresh);
        f.check("sub 0.75", map(x, v -> v - 0.75), f.ev.subScalar(cx, 0.75), f.fresh);
        Ciphertext inPlace = cx.copy();
        f.ev.subScalarInPlace(inPlace, -2.5);
        f.check("sub -2.5 in place", map(x, v -> v + 2.5), inPlace, f.fresh);
        // at a lower level and a product scale: the constant is encoded at the ciphertext's scale
        Ciphertext prod = f.ev.multiplyScalar(cx, 0.5);
        f.check("0.5x + 3 (scale Δ q_l)", map(x, v -> 0.5 * v + 3), f.ev.addScalar(prod, 3), f.fresh);
    }

    // ------------------------------------------------------------------ products

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void multiplyWithoutRelinearizationDecryptsDirectly(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(6);
        double[] y = f.random(7);
        Ciphertext p = f.ev.multiply(f.encrypt(x), f.encrypt(y));
        assertEquals(3, p.size());
        assertEquals(f.top(), p.level());
        assertEquals(f.scale() * f.scale(), p.scale());
        double[] xy = zip(x, y, (a, b) -> a * b);
        f.check("multiply, 3 parts, decrypted with s^2", xy, p, f.product);
        // a three-part ciphertext rescales and adds like a two-part one
        Ciphertext r = f.ev.rescale(p);
        assertEquals(3, r.size());
        // rescaling before relinearizing rounds c2 too, and that rounding error is multiplied by s^2: larger
        f.check("multiply then rescale, 3 parts", xy, r, 10 * f.product);
        Ciphertext twice = f.ev.add(p, f.ev.multiplyRelin(f.encrypt(x), f.encrypt(y)));
        assertEquals(3, twice.size());
        f.check("3-part + 2-part product", map(xy, v -> 2 * v), twice, 2 * f.product);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void squareRelinearizeRescale(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(8);
        Ciphertext cx = f.encrypt(x);
        double[] x2 = map(x, v -> v * v);
        Ciphertext sq = f.ev.square(cx);
        assertEquals(3, sq.size());
        f.check("square (3 parts)", x2, sq, f.product);
        Ciphertext relin = f.ev.relinearize(sq);
        assertEquals(2, relin.size());
        assertEquals(3, sq.size(), "relinearize leaves its input alone");
        f.check("square + relinearize", x2, relin, f.product);
        Ciphertext res = f.ev.rescale(relin);
        assertEquals(f.top() - f.d(), res.level());
        assertEquals(f.scale() * f.scale() / f.ev.rescaleDivisor(f.top()), res.scale(), 1e-12 * res.scale());
        f.check("square + relinearize + rescale", x2, res, f.product);
        // multiply(a, a) is a square
        f.check("multiply(a, a)", x2, f.ev.rescale(f.ev.multiplyRelin(cx, cx)), f.product);
        // relinearizing a two-part ciphertext is a no-op
        Ciphertext two = cx.copy();
        f.ev.relinearizeInPlace(two);
        f.check("relinearize 2 parts", x, two, f.fresh);
    }

    /**
     * The fused relinearize-and-rescale (one division by P q<sub>l</sub>) decrypts to the product within the same bound
     * as the two steps, lands at the same level and scale, and differs from the two steps' result by their rounding
     * only; on a two-part ciphertext it is the rescale; at the lowest level it is refused.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void relinearizeAndRescaleFused(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(31);
        double[] y = f.random(32);
        Ciphertext cx = f.encrypt(x);
        Ciphertext cy = f.encrypt(y);
        double[] xy = zip(x, y, (a, b) -> a * b);
        Ciphertext fused = f.ev.multiply(cx, cy);
        Ciphertext steps = fused.copy();
        f.ev.relinearizeAndRescaleInPlace(fused);
        f.ev.relinearizeInPlace(steps);
        f.ev.rescaleInPlace(steps);
        assertEquals(2, fused.size());
        assertEquals(steps.level(), fused.level());
        assertEquals(steps.scale(), fused.scale(), 0.0);
        f.check("multiply + fused relinearize and rescale", xy, fused, f.product);
        double[] a = f.encoder.decode(f.decryptor.decrypt(fused));
        double[] b = f.encoder.decode(f.decryptor.decrypt(steps));
        double worst = PrecisionStats.of(b, a).maxError();
        assertTrue(worst <= f.product, "fused vs two steps differ by " + worst);
        // the square goes the same way
        Ciphertext sq = f.ev.square(cx);
        f.ev.relinearizeAndRescaleInPlace(sq);
        f.check("square + fused relinearize and rescale", map(x, v -> v * v), sq, f.product);
        // two parts: only the rescale
        Ciphertext two = f.ev.multiplyRelin(cx, cy);
        Ciphertext twoSteps = two.copy();
        f.ev.relinearizeAndRescaleInPlace(two);
        f.ev.rescaleInPlace(twoSteps);
        assertEquals(twoSteps.level(), two.level());
        f.check("two parts: rescale only", xy, two, f.product);
        // no level left to divide by (a small scale, so that the product itself is allowed there)
        Ciphertext small = f.symmetric.encrypt(f.encoder.encode(x, f.d() - 1, 0x1p8));
        Ciphertext low = f.ev.multiply(small, small);
        assertEquals(3, low.size());
        assertThrows(IllegalArgumentException.class, () -> f.ev.relinearizeAndRescaleInPlace(low));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void multiplyRelinRescale(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(9);
        double[] y = f.random(10);
        Ciphertext cx = f.encrypt(x);
        Ciphertext cy = f.symmetric.encrypt(f.encoder.encode(y, f.top(), f.scale()));
        double[] xy = zip(x, y, (a, b) -> a * b);
        Ciphertext p = f.ev.multiplyRelin(cx, cy);
        assertEquals(2, p.size());
        f.check("multiplyRelin", xy, p, f.product);
        f.ev.rescaleInPlace(p);
        f.check("multiplyRelin + rescale (pk x sk)", xy, p, f.product);
        // explicit relinearize of multiply equals multiplyRelin
        Ciphertext q = f.ev.relinearize(f.ev.multiply(cx, cy));
        f.ev.rescaleInPlace(q);
        f.check("relinearize(multiply) + rescale", xy, q, f.product);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void multiplyChainDownToLevelZero(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(11);
        double[] y = map(f.random(12), v -> 0.5 + 0.5 * Math.abs(v)); // in [0.5, 1]: the product stays visible
        Ciphertext acc = f.encrypt(x);
        Ciphertext cy = f.encrypt(y);
        double[] expected = x.clone();
        int depth = 0;
        while (acc.level() > f.bottom()) {
            acc = f.ev.multiplyRelin(acc, cy); // cy is matched to acc's level automatically
            f.ev.rescaleInPlace(acc);
            expected = zip(expected, y, (a, b) -> a * b);
            depth++;
        }
        assertEquals((f.top() - f.bottom()) / f.d(), depth);
        f.check("x * y^" + depth + " down to level " + f.bottom(), expected, acc, depth * f.product);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void multiplyPlain(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(13);
        double[] y = f.random(14);
        Ciphertext cx = f.encrypt(x);
        Plaintext py = f.encoder.encode(y, f.top(), f.scale());
        Ciphertext p = f.ev.multiplyPlain(cx, py);
        assertEquals(f.scale() * f.scale(), p.scale());
        double[] xy = zip(x, y, (a, b) -> a * b);
        f.check("multiplyPlain", xy, p, f.fresh);
        f.ev.rescaleInPlace(p);
        f.check("multiplyPlain + rescale", xy, p, f.product);
        // depth-aware: a plaintext made at the ciphertext's (lower) level, at the last prime's scale
        Ciphertext low = f.ev.dropLevel(cx, f.top() - f.d());
        double ql = f.ev.rescaleDivisor(f.top() - f.d());
        Ciphertext pl = f.ev.multiplyPlain(low, f.encoder.encode(y, f.top() - f.d(), ql));
        f.ev.rescaleInPlace(pl);
        assertEquals(f.scale(), pl.scale(), 1e-12 * f.scale());
        f.check("multiplyPlain at level top-1, scale q_l", xy, pl, f.product);
    }

    /**
     * A dot product of 20 ciphertext-plaintext products with one rescale: residue for residue the sum of the single
     * products (the lazy sums reduce every lazyTerms() terms: 8 with the composite sets' 30-bit primes, so twice
     * within the sum; all at once with 24-bit ones; each product with 60-bit ones), and within the product bound of
     * the exact dot product over the slots (weights 1/20 keep it in [-1, 1]).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void dotPlainIsTheLazySumOfProducts(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        int terms = 20;
        Ciphertext[] cts = new Ciphertext[terms];
        Plaintext[] pts = new Plaintext[terms];
        double[] expected = new double[f.slots];
        Ciphertext sum = null;
        for (int i = 0; i < terms; i++) {
            double[] x = f.random(100 + i);
            double[] w = map(f.random(200 + i), v -> v / terms);
            cts[i] = f.encrypt(x);
            pts[i] = f.encoder.encode(w, f.top(), f.scale());
            for (int k = 0; k < f.slots; k++) {
                expected[k] += x[k] * w[k];
            }
            Ciphertext prod = f.ev.multiplyPlain(cts[i], pts[i]);
            sum = sum == null ? prod : f.ev.add(sum, prod);
        }
        Ciphertext dot = f.ev.dotPlain(cts, pts);
        assertSameCiphertext(sum, dot, name);
        f.ev.rescaleInPlace(dot);
        f.check("dotPlain + one rescale", expected, dot, f.product);
        assertThrows(IllegalArgumentException.class, () -> f.ev.dotPlain(cts, java.util.Arrays.copyOf(pts, 3)));
        assertThrows(IllegalArgumentException.class, () -> f.ev.dotPlain(new Ciphertext[0], new Plaintext[0]));
        Ciphertext[] mixed = cts.clone();
        mixed[4] = f.ev.dropLevel(mixed[4], f.top() - f.d());
        assertThrows(IllegalArgumentException.class, () -> f.ev.dotPlain(mixed, pts));
    }

    /**
     * dotScalar (real weights, scalar encoding, lazy reduction) gives residue for residue the sum that a loop of
     * multiplyScalarAddInPlace accumulates, skips zero weights, and decrypts after one rescale to the weighted sum.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void dotScalarIsTheLazySumOfScalarProducts(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        int terms = 40; // more than the 8 to 16 products a 30-bit lazy sum takes between reductions
        Ciphertext[] cts = new Ciphertext[terms];
        double[] w = new double[terms];
        double[] expected = new double[f.slots];
        Random r = new Random(9);
        for (int i = 0; i < terms; i++) {
            double[] x = f.random(300 + i);
            w[i] = i % 7 == 3 ? 0 : (2 * r.nextDouble() - 1) / 8;
            cts[i] = f.encrypt(x);
            for (int k = 0; k < f.slots; k++) {
                expected[k] += w[i] * x[k];
            }
        }
        double ql = f.ev.rescaleDivisor(f.top());
        Ciphertext loop = f.ev.multiplyScalar(cts[0], w[0], ql);
        for (int i = 1; i < terms; i++) {
            f.ev.multiplyScalarAddInPlace(cts[i], w[i], ql, loop);
        }
        Ciphertext dot = f.ev.dotScalar(cts, w, ql);
        assertSameCiphertext(loop, dot, name);
        f.ev.rescaleInPlace(dot);
        assertEquals(f.scale(), dot.scale(), 1e-15 * f.scale());
        f.check("dotScalar of 40 terms + one rescale", expected, dot, 10 * f.fresh);
        assertThrows(IllegalArgumentException.class, () -> f.ev.dotScalar(cts, java.util.Arrays.copyOf(w, 3), ql));
        assertThrows(IllegalArgumentException.class, () -> f.ev.dotScalar(new Ciphertext[0], new double[0], ql));
        Ciphertext[] mixed = cts.clone();
        mixed[4] = f.ev.dropLevel(mixed[4], f.top() - f.d());
        assertThrows(IllegalArgumentException.class, () -> f.ev.dotScalar(mixed, w, ql));
    }

    /**
     * dot (ciphertext by ciphertext, lazy reduction) gives residue for residue the sum of the three-part products and,
     * relinearized and rescaled once, the slot-wise dot product.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void dotIsTheLazySumOfCiphertextProducts(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        int terms = 12;
        Ciphertext[] a = new Ciphertext[terms];
        Ciphertext[] b = new Ciphertext[terms];
        double[] expected = new double[f.slots];
        Ciphertext sum = null;
        for (int i = 0; i < terms; i++) {
            double[] x = f.random(400 + i);
            double[] y = map(f.random(500 + i), v -> v / terms);
            a[i] = f.encrypt(x);
            b[i] = f.encrypt(y);
            for (int k = 0; k < f.slots; k++) {
                expected[k] += x[k] * y[k];
            }
            Ciphertext prod = f.ev.multiply(a[i], b[i]);
            sum = sum == null ? prod : f.ev.add(sum, prod);
        }
        Ciphertext dot = f.ev.dot(a, b);
        assertEquals(3, dot.size());
        assertSameCiphertext(sum, dot, name);
        f.ev.relinearizeAndRescaleInPlace(dot);
        f.check("dot of 12 products, one relinearization and rescale", expected, dot, 4 * f.product);
        assertThrows(IllegalArgumentException.class, () -> f.ev.dot(a, java.util.Arrays.copyOf(b, 3)));
        Ciphertext[] low = b.clone();
        low[2] = f.ev.dropLevel(low[2], f.top() - f.d());
        assertThrows(IllegalArgumentException.class, () -> f.ev.dot(a, low));
        Ciphertext[] three = b.clone();
        three[1] = f.ev.multiply(b[1], b[1]);
        assertThrows(IllegalArgumentException.class, () -> f.ev.dot(a, three));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void multiplyScalarRestoresScaleAfterRescale(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(15);
        Ciphertext cx = f.encrypt(x);
        for (double c : new double[] {0.3721, -2.5, 1e-3}) {
            Ciphertext p = f.ev.multiplyScalar(cx, c);
            assertEquals(f.scale() * f.ev.rescaleDivisor(f.top()), p.scale(), "encoded at the rescale's divisor q_l");
            f.ev.rescaleInPlace(p);
            assertEquals(f.scale(), p.scale(), 1e-15 * f.scale(), "rescale restores the scale");
            assertEquals(f.top() - f.d(), p.level());
            f.check("multiplyScalar " + c + " + rescale", map(x, v -> c * v), p, Math.max(1, Math.abs(c)) * f.fresh);
        }
        // explicit scale
        Ciphertext e = f.ev.multiplyScalar(cx, 0.75, 0x1p10);
        assertEquals(f.scale() * 0x1p10, e.scale());
        f.check("multiplyScalar 0.75 at scale 2^10", map(x, v -> 0.75 * v), e, f.fresh);
        // after multiplyScalar the sum with an untouched ciphertext works once rescaled
        Ciphertext r = f.ev.rescale(f.ev.multiplyScalar(cx, 2));
        f.check("2x + x (level matched)", map(x, v -> 3 * v), f.ev.add(r, cx), 4 * f.fresh);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void lazyRescalingDotProductOf50Ciphertexts(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        int terms = 50;
        Random r = new Random(16);
        double[] w = new double[terms];
        double[] expected = new double[f.slots];
        Ciphertext[] cts = new Ciphertext[terms];
        for (int t = 0; t < terms; t++) {
            w[t] = 2 * r.nextDouble() - 1;
            double[] x = f.random(100 + t);
            cts[t] = f.encrypt(x);
            for (int j = 0; j < f.slots; j++) {
                expected[j] += w[t] * x[j];
            }
        }
        double ql = f.ev.rescaleDivisor(f.top());
        Ciphertext acc = f.ev.multiplyScalar(cts[0], w[0]);
        for (int t = 1; t < terms; t++) {
            f.ev.multiplyScalarAddInPlace(cts[t], w[t], ql, acc);
        }
        Ciphertext before = acc.copy();
        f.ev.multiplyScalarAddInPlace(cts[1], 0, ql, acc);
        assertSameCiphertext(before, acc, "a zero weight leaves the sum as it is");
        // and is checked like any other term: an accumulator at another scale is refused
        assertThrows(IllegalArgumentException.class, () -> f.ev.multiplyScalarAddInPlace(cts[1], 0, ql / 2, acc));
        assertEquals(f.top(), acc.level(), "no rescale yet");
        f.ev.rescaleInPlace(acc);
        assertEquals(f.scale(), acc.scale(), 1e-15 * f.scale());
        f.check("sum of 50 w_t x_t, one rescale", expected, acc, 10 * f.fresh);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void multiplyInteger(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(17);
        Ciphertext cx = f.encrypt(x);
        for (long c : new long[] {0, 1, -1, 7, -3}) {
            Ciphertext p = f.ev.multiplyInteger(cx, c);
            assertEquals(f.scale(), p.scale(), "integer products keep the scale");
            assertEquals(f.top(), p.level());
            assertNotSame(cx, p);
            f.check("multiplyInteger " + c, map(x, v -> c * v), p, Math.max(1, Math.abs(c)) * f.fresh);
        }
        double[] zero = f.decrypt(f.ev.multiplyInteger(cx, 0));
        for (double v : zero) {
            assertEquals(0.0, v, 0.0, "0 * ct decrypts to exactly 0");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void multiplyByI(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] re = f.random(18);
        double[] im = f.random(19);
        Ciphertext cz = f.encrypt(re, im);
        Ciphertext iz = f.ev.multiplyByI(cz);
        assertEquals(cz.scale(), iz.scale());
        f.checkComplex("i * (a + ib) = -b + ia", map(im, v -> -v), re, iz, f.fresh);
        f.checkComplex("i * i * z = -z", map(re, v -> -v), map(im, v -> -v), f.ev.multiplyByI(iz), f.fresh);
    }

    // ------------------------------------------------------------------ levels

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void dropLevelAndAutomaticLevelMatching(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(20);
        double[] y = f.random(21);
        Ciphertext cx = f.encrypt(x);
        Ciphertext cy = f.encrypt(y);
        for (int level = f.top(); level >= f.bottom(); level--) {
            Ciphertext d = f.ev.dropLevel(cx, level);
            assertEquals(level, d.level());
            assertEquals(cx.scale(), d.scale());
            f.check("dropLevel to " + level, x, d, f.fresh);
        }
        Ciphertext low = f.ev.dropLevel(cy, f.bottom());
        double[] sum = zip(x, y, Double::sum);
        Ciphertext s1 = f.ev.add(cx, low);
        Ciphertext s2 = f.ev.add(low, cx);
        assertEquals(f.bottom(), s1.level());
        assertEquals(f.bottom(), s2.level());
        f.check("add top + bottom level", sum, s1, 2 * f.fresh);
        f.check("add bottom level + top", sum, s2, 2 * f.fresh);
        f.check("sub bottom level - top", zip(y, x, (a, b) -> a - b), f.ev.sub(low, cx), 2 * f.fresh);
        // a rescaled product meets a fresh ciphertext: same scale (scalar at q_l), lower level
        Ciphertext scaled = f.ev.rescale(f.ev.multiplyScalar(cy, 0.5));
        f.check("x + 0.5 y across levels", zip(x, y, (a, b) -> a + 0.5 * b), f.ev.add(cx, scaled), 2 * f.fresh);
        // products of operands at different levels
        double[] xy = zip(x, y, (a, b) -> a * b);
        Ciphertext mid = f.ev.dropLevel(cy, f.bottom() + f.d());
        Ciphertext p = f.ev.multiplyRelin(cx, mid);
        assertEquals(f.bottom() + f.d(), p.level());
        f.check("multiplyRelin top x level 1", xy, p, f.product);
    }

    // ------------------------------------------------------------------ Galois

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void rotate(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(22);
        Ciphertext cx = f.encrypt(x);
        for (int k : new int[] {1, 2, 3, -1, -7, 5, -100, f.slots / 2}) {
            double[] expected = new double[f.slots];
            for (int i = 0; i < f.slots; i++) {
                expected[i] = x[Math.floorMod(i + k, f.slots)];
            }
            f.check("rotate " + k, expected, f.ev.rotate(cx, k), f.fresh);
        }
        f.check("rotate 0", x, f.ev.rotate(cx, 0), f.fresh);
        f.check("rotate N/2", x, f.ev.rotate(cx, f.slots), f.fresh);
        // rotations at a lower level, and composition 3 then -1 = 2
        Ciphertext low = f.ev.dropLevel(cx, f.bottom());
        double[] by2 = new double[f.slots];
        for (int i = 0; i < f.slots; i++) {
            by2[i] = x[(i + 2) % f.slots];
        }
        f.check("rotate 3 then -1 at the bottom level", by2, f.ev.rotate(f.ev.rotate(low, 3), -1), f.fresh);
    }

    /**
     * Hoisted rotations (one ModUp for all steps) give, residue for residue, what separate rotations give, at the top
     * level and at the bottom one; identity steps give copies; a step without a key is refused.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void rotateHoistedEqualsSeparateRotations(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(25);
        Ciphertext cx = f.encrypt(x);
        int[] steps = {1, 2, 3, -1, -7, 5, -100, 0, f.slots};
        for (Ciphertext ct : new Ciphertext[] {cx, f.ev.dropLevel(cx, f.bottom())}) {
            Ciphertext[] hoisted = f.ev.rotateHoisted(ct, steps);
            assertEquals(steps.length, hoisted.length);
            for (int s = 0; s < steps.length; s++) {
                assertSameCiphertext(f.ev.rotate(ct, steps[s]), hoisted[s],
                        name + " step " + steps[s] + " level " + ct.level());
            }
        }
        double[] by5 = new double[f.slots];
        for (int i = 0; i < f.slots; i++) {
            by5[i] = x[(i + 5) % f.slots];
        }
        f.check("hoisted rotation by 5", by5, f.ev.rotateHoisted(cx, 5)[0], f.fresh);
        assertThrows(IllegalStateException.class, () -> f.ev.rotateHoisted(cx, 1, 6)); // no key for 6
        assertThrows(IllegalArgumentException.class, () -> f.ev.rotateHoisted(f.ev.multiply(cx, cx), 1));
    }

    /**
     * A hoisted ciphertext serves rotations and conjugation one call at a time, each residue for residue the plain
     * operation's; the identity step gives the ciphertext back; changing the source afterwards changes nothing.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void hoistedCiphertextServesRotationsAndConjugation(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        Ciphertext ct = f.encrypt(f.random(27), f.random(28));
        HoistedCiphertext h = f.ev.hoist(ct);
        assertEquals(ct.level(), h.level());
        assertEquals(f.ctx.parameters().digitCount(), h.digits());
        Ciphertext conj = f.ev.conjugate(ct);
        Ciphertext rot = f.ev.rotate(ct, -7);
        Ciphertext same = ct.copy();
        f.ev.addScalarInPlace(ct, 1.0); // the hoisted copy does not follow its source
        assertSameCiphertext(conj, f.ev.conjugate(h), name + " conjugate");
        assertSameCiphertext(rot, f.ev.rotate(h, -7), name + " rotate -7");
        assertSameCiphertext(same, f.ev.rotate(h, 0), name + " rotate 0");
        assertThrows(IllegalStateException.class, () -> f.ev.rotate(h, 6)); // no key for 6
        assertThrows(IllegalArgumentException.class, () -> f.ev.hoist(f.ev.multiply(same, same)));
        assertThrows(IllegalStateException.class, () -> f.noKeys.rotate(h, 1));
        // a hoisted ciphertext of other parameters is refused by name
        SchemeFixture other = SchemeFixture.get(name.equals(SchemeFixture.SMALL_40) ? SchemeFixture.SMALL_24
                : SchemeFixture.SMALL_40);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.ev.rotate(h, 1));
        assertTrue(e.getMessage().contains("different parameter sets"), e.getMessage());
    }

    /**
     * Hoisted rotations with digits of two primes, so that the last digit is partial at every other level, and of
     * different widths ({1, 2, 2}), with a 61-bit special prime (no lazy key switching): residue for residue those
     * of rotate at every level.
     */
    @Test
    void rotateHoistedWithPartialAndUnevenDigits() {
        for (int[] counts : new int[][] {{2, 2, 1}, {1, 2, 2}}) {
            CkksParameters p = CkksParameters.builder().logN(10).dataPrimeBits(30, 30, 30, 30, 30).specialPrimeBits(61)
                    .digitPrimeCounts(counts).scale(0x1p30).insecureForTestsOnly().build();
            CkksContext ctx = new CkksContext(p);
            KeyGenerator kg = new KeyGenerator(ctx);
            int[] steps = {1, -3, 7};
            Evaluator ev = new Evaluator(ctx, kg.evaluationKeys(false, false, steps));
            Ciphertext top = new Encryptor(ctx, kg.publicKey()).encrypt(new CkksEncoder(ctx).encode(SchemeFixture.random(26, 512)));
            for (int level = p.maxLevel(); level >= 0; level--) {
                Ciphertext ct = ev.dropLevel(top, level);
                Ciphertext[] hoisted = ev.rotateHoisted(ct, steps);
                for (int s = 0; s < steps.length; s++) {
                    assertSameCiphertext(ev.rotate(ct, steps[s]), hoisted[s],
                            java.util.Arrays.toString(counts) + " level " + level + " step " + steps[s]);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void conjugate(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] re = f.random(23);
        double[] im = f.random(24);
        Ciphertext cz = f.encrypt(re, im);
        f.checkComplex("conjugate", re, map(im, v -> -v), f.ev.conjugate(cz), f.fresh);
        f.checkComplex("conjugate twice", re, im, f.ev.conjugate(f.ev.conjugate(cz)), f.fresh);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void sumSlots(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(25);
        double total = 0;
        for (double v : x) {
            total += v;
        }
        double[] expected = new double[f.slots];
        java.util.Arrays.fill(expected, total);
        f.check("sumSlots", expected, f.ev.sumSlots(f.encrypt(x)), Math.sqrt(f.slots) * f.fresh / 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void multiplyComplexPacked(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(26);
        double[] y = f.random(27);
        double[] u = f.random(28);
        double[] v = f.random(29);
        Ciphertext a = f.encryptor.encrypt(f.encoder.encodeComplexPacked(x, y, f.top(), f.scale()));
        Ciphertext b = f.encryptor.encrypt(f.encoder.encodeComplexPacked(u, v, f.top(), f.scale()));
        Ciphertext p = f.ev.multiplyComplexPacked(a, b);
        assertEquals(2, p.size());
        f.ev.rescaleInPlace(p);
        f.checkComplex("(x+iy)*(u+iv) -> xu + i yv", zip(x, u, (s, t) -> s * t), zip(y, v, (s, t) -> s * t), p,
                4 * f.product);
        // complex packing commutes with real linear operations: 2 a + b
        Ciphertext lin = f.ev.add(f.ev.multiplyInteger(a, 2), b);
        f.checkComplex("2(x+iy) + (u+iv)", zip(x, u, (s, t) -> 2 * s + t), zip(y, v, (s, t) -> 2 * s + t), lin,
                4 * f.fresh);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void squareComplexPacked(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(31);
        double[] y = f.random(32);
        Ciphertext a = f.encryptor.encrypt(f.encoder.encodeComplexPacked(x, y, f.top(), f.scale()));
        Ciphertext sq = f.ev.squareComplexPacked(a);
        assertEquals(3, sq.size(), "left three-part: decrypted with s^2 or relinearized later");
        assertEquals(4 * a.scale() * a.scale(), sq.scale(), 1e-6 * sq.scale());
        f.checkComplex("(x+iy) -> x^2 + i y^2, three-part", zip(x, x, (s, t) -> s * t), zip(y, y, (s, t) -> s * t), sq,
                4 * f.product);
        f.ev.relinearizeInPlace(sq);
        f.ev.rescaleInPlace(sq);
        f.checkComplex("(x+iy) -> x^2 + i y^2, relinearized and rescaled", zip(x, x, (s, t) -> s * t),
                zip(y, y, (s, t) -> s * t), sq, 4 * f.product);
        // the same into caller-supplied memory; the input is left untouched
        RnsPoly[] out = new RnsPoly[3];
        for (int i = 0; i < 3; i++) {
            out[i] = f.ctx.ringQ().newPoly(a.level() + 1, true);
        }
        Ciphertext into = f.ev.squareComplexPackedInto(a, out);
        assertSame(out[2], into.part(2));
        f.checkComplex("squareComplexPackedInto", zip(x, x, (s, t) -> s * t), zip(y, y, (s, t) -> s * t), into, 4 * f.product);
        f.checkComplex("input unchanged", x, y, a, 4 * f.fresh);
        assertThrows(IllegalArgumentException.class, () -> f.ev.squareComplexPacked(f.ev.squareComplexPacked(a)));
        assertThrows(IllegalStateException.class, () -> new Evaluator(f.ctx).squareComplexPacked(a),
                "without the conjugation key");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void addComplexScalarAddsToBothPackedBatches(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(33);
        double[] y = f.random(34);
        Ciphertext a = f.encryptor.encrypt(f.encoder.encodeComplexPacked(x, y, f.top(), f.scale()));
        f.ev.addComplexScalarInPlace(a, 0.75, -1.25);
        f.checkComplex("(x+iy) + (0.75 - 1.25i)", zip(x, x, (s, t) -> s + 0.75), zip(y, y, (s, t) -> s - 1.25), a,
                4 * f.fresh);
    }

    // ------------------------------------------------------------------ encryption paths

    @ParameterizedTest(name = "{0}")
    @MethodSource(ALL)
    void secretKeyCiphertextsCarryASeedThatOperationsClear(String name) {
        SchemeFixture f = SchemeFixture.get(name);
        double[] x = f.random(30);
        Ciphertext c = f.symmetric.encrypt(f.encoder.encode(x, f.top(), f.scale()));
        assertEquals(32, c.seed().length);
        f.check("secret-key encryption", x, c, f.fresh);
        assertNull(f.ev.addScalar(c, 1).seed());
        assertNull(f.ev.negate(c).seed());
        assertNull(f.encrypt(x).seed(), "public-key ciphertexts have no seed");
        assertTrue(f.ev.multiplyInteger(c, 3).seed() == null);
    }

    // ------------------------------------------------------------------ threads

    @org.junit.jupiter.api.Test
    void oneEvaluatorServesSeveralThreads() throws Exception {
        SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_40);
        int threads = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.List<java.util.concurrent.Future<PrecisionStats>> results = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                double[] x = f.random(200 + t);
                double[] y = f.random(300 + t);
                Ciphertext cx = f.encrypt(x);
                Ciphertext cy = f.encrypt(y);
                double[] expected = new double[f.slots];
                for (int i = 0; i < f.slots; i++) {
                    expected[i] = x[(i + 1) % f.slots] * y[(i + 1) % f.slots];
                }
                results.add(pool.submit(() -> {
                    Ciphertext r = null;
                    for (int rep = 0; rep < 10; rep++) {
                        r = f.ev.rotate(f.ev.rescale(f.ev.multiplyRelin(cx, cy)), 1);
                    }
                    return PrecisionStats.of(expected, f.decrypt(r));
                }));
            }
            for (java.util.concurrent.Future<PrecisionStats> r : results) {
                f.report("concurrent multiplyRelin + rescale + rotate", r.get(), f.product);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** x rotated left by k slots. */
    private static double[] rotated(double[] x, int k, int slots) {
        double[] r = new double[slots];
        for (int i = 0; i < slots; i++) {
            r[i] = x[Math.floorMod(i + k, slots)];
        }
        return r;
    }

    /** Asserts that two ciphertexts have the same size, level and scale and the same residues in every limb. */
    private static void assertSameCiphertext(Ciphertext expected, Ciphertext actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": size");
        assertEquals(expected.level(), actual.level(), what + ": level");
        assertEquals(expected.scale(), actual.scale(), what + ": scale");
        for (int p = 0; p < expected.size(); p++) {
            for (int i = 0; i <= expected.level(); i++) {
                assertArrayEquals(expected.part(p).limb(i), actual.part(p).limb(i), what + ": part " + p + " limb " + i);
            }
        }
    }
}
