package io.github.jckks.nn;

import static io.github.jckks.nn.Harness.kernel;
import static io.github.jckks.nn.Harness.matrix;
import static io.github.jckks.nn.Harness.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Evaluator;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link ResidualBlock} and {@link Concat} inside {@link Sequential}: plans, plaintext semantics, encrypted vs plaintext. */
class BranchLayersTest {
    private static final ForkJoinPool pool = Harness.POOL;

    private static LinearLayer conv1x1(Random r, int in, int out, int side) {
        return LinearLayer.conv2d(in, side, side, kernel(r, out, in, 1, 0.5), vector(r, out, 0.1), 1, 0, 0, 0, 0, 1);
    }

    /**
     * dense -> x^2 -> [x + dense(x)^2-branch] -> dense: the residual's identity operand is an unrescaled square
     * (scale s^2) and the body ends at s^2/q, so the identity is aligned with two rescales in its spare levels.
     */
    static Sequential residualAfterSquare(Random r) {
        return Sequential.builder()
                .add(LinearLayer.dense(matrix(r, 4, 6, 0.4), vector(r, 4, 0.1)))
                .square()
                .residual(Sequential.builder()
                        .add(LinearLayer.dense(matrix(r, 4, 4, 0.5), vector(r, 4, 0.1)))
                        .square()
                        .add(LinearLayer.dense(matrix(r, 4, 4, 0.5), vector(r, 4, 0.1))))
                .add(LinearLayer.dense(matrix(r, 3, 4, 0.5), vector(r, 3, 0.1)))
                .build();
    }

    /**
     * pad -> conv -> concat(identity, conv1x1 -> x^2 -> conv1x1) -> residual(identity, conv1x1) -> dense: concat aligns
     * the identity (scale s) to the squared branch (scale s^2/q) with one rescale and pads it to three parts.
     */
    static Sequential padConcatResidual(Random r) {
        return Sequential.builder()
                .add(Pad.symmetric(1, 4, 4, 1))
                .add(LinearLayer.conv2d(1, 6, 6, kernel(r, 2, 1, 3, 0.4), vector(r, 2, 0.1), 1, 0, 0, 0, 0, 1))
                .concat(Sequential.builder(),
                        Sequential.builder().add(conv1x1(r, 2, 1, 4)).square().add(conv1x1(r, 1, 1, 4)))
                .residual(Sequential.builder().add(conv1x1(r, 3, 3, 4)))
                .add(LinearLayer.dense(matrix(r, 2, 48, 0.2), vector(r, 2, 0.1)))
                .build();
    }

    @Test
    void plansAndDepths() {
        Sequential a = residualAfterSquare(new Random(1));
        assertEquals(6, a.depth(), "dense 1 + residual 4 (its body: dense 2 + dense 2; the identity aligns in its spare levels) + dense 1");
        ResidualBlock block = assertInstanceOf(ResidualBlock.class, a.layers().get(2));
        assertEquals(4, block.depth());
        assertEquals(0, block.branches().get(0).size(), "identity shortcut");
        LinearLayer first = (LinearLayer) block.branches().get(1).get(0);
        LinearLayer second = (LinearLayer) block.branches().get(1).get(2);
        assertEquals(2, first.rescales());
        assertTrue(first.relinearizes(), "a square follows inside the branch: lazy relinearization on the dense outputs");
        assertEquals(2, second.rescales(), "a branch output never goes to decryption: rescaled back to ~s");
        assertEquals(1, ((LinearLayer) a.layers().get(3)).rescales());

        Sequential b = padConcatResidual(new Random(2));
        assertEquals(6, b.depth(), "conv 1 + concat 3 + residual 1 + dense 1 (pad free)");
        assertEquals(48, b.layers().get(2).outputSize());
        assertEquals(3, b.layers().get(2).depth());
        assertTrue(b.describe().contains("identity"), b.describe());
    }

    @Test
    void plaintextSemantics() {
        Random r = new Random(3);
        LinearLayer f = LinearLayer.dense(matrix(r, 3, 3, 1), vector(r, 3, 1));
        LinearLayer g = LinearLayer.dense(matrix(r, 2, 3, 1), vector(r, 2, 1));
        Sequential res = Sequential.builder(3).residual(Sequential.builder().add(f)).build();
        Sequential cat = Sequential.builder(3).concat(Sequential.builder().add(g), Sequential.builder(), Sequential.builder(3).square())
                .build();
        double[] x = {0.5, -1, 2};
        double[] fx = f.forward(x);
        double[] gx = g.forward(x);
        assertArrayEquals(new double[] {x[0] + fx[0], x[1] + fx[1], x[2] + fx[2]}, res.forward(x), 1e-15);
        assertArrayEquals(new double[] {gx[0], gx[1], 0.5, -1, 2, 0.25, 1, 4}, cat.forward(x), 1e-15);
        assertEquals(1, res.depth());
        assertEquals(1, res.layers().get(0).depth(), "the block's depth is its deepest branch's");
    }

    @ParameterizedTest
    @EnumSource(value = Packing.class, names = {"REAL", "COMPLEX"}) // the slot packings: COEFFICIENT holds linear steps only
    void residualAfterSquareMatchesPlaintext(Packing packing) {
        Random r = new Random(4);
        Sequential net = residualAfterSquare(r);
        Harness h = new Harness(packing, pool, net.depth());
        double[][] images = h.images(r, 6, 0, 1);
        Ciphertext[] out = net.forward(h.encrypt(images), h.rt);
        assertEquals(0, out[0].level(), "the network consumes exactly its depth");
        double err = h.maxError(net::forward, images, out);
        // measured (6 runs, fresh encryption noise each): real 1.3e-4 to 1.6e-4, complex 4.2e-4 to 5.8e-4, and one
        // complex run at 1.04e-3 in a clean-clone CI (the conjugation's key switch adds noise): bound 2e-3 for complex
        double bound = packing == Packing.COMPLEX ? 2e-3 : 1e-3;
        assertTrue(err < bound, packing + ": encrypted vs plaintext max error " + err + " (bound " + bound + ")");
    }

    @ParameterizedTest
    @EnumSource(value = Packing.class, names = {"REAL", "COMPLEX"}) // the slot packings: COEFFICIENT holds linear steps only
    void padConcatResidualMatchesPlaintext(Packing packing) {
        Random r = new Random(5);
        Sequential net = padConcatResidual(r);
        Harness h = new Harness(packing, pool, net.depth());
        double[][] images = h.images(r, 16, 0, 1);
        Ciphertext[] out = net.forward(h.encrypt(images), h.rt);
        assertEquals(0, out[0].level(), "the network consumes exactly its depth");
        double err = h.maxError(net::forward, images, out);
        assertTrue(err < 1e-3, packing + ": encrypted vs plaintext max error " + err + " (bound 1e-3)");
    }

    @Test
    void unsupportedConfigurationsAreRejected() {
        Random r = new Random(6);
        LinearLayer d43 = LinearLayer.dense(matrix(r, 3, 4, 1), vector(r, 3, 1));
        LinearLayer d34 = LinearLayer.dense(matrix(r, 4, 3, 1), vector(r, 4, 1));
        IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
                () -> Sequential.builder(4).residual(Sequential.builder().add(d43)));
        assertTrue(sizes.getMessage().contains("same number of elements"), sizes.getMessage());
        IllegalArgumentException input = assertThrows(IllegalArgumentException.class,
                () -> Sequential.builder(4).concat(Sequential.builder(), Sequential.builder().add(d34)));
        assertTrue(input.getMessage().contains("takes 3 inputs"), input.getMessage());
        IllegalStateException scales = assertThrows(IllegalStateException.class,
                () -> Sequential.builder(4).residual(Sequential.builder(4).square()).build());
        assertTrue(scales.getMessage().contains("different scales"), scales.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sequential.builder(4).concat(Sequential.builder()));
        IllegalStateException start = assertThrows(IllegalStateException.class,
                () -> Sequential.builder().residual(Sequential.builder().add(d43)));
        assertTrue(start.getMessage().contains("input size"), start.getMessage());
    }

    @Test
    void alignmentFailsClearlyWithoutSpareLevels() {
        CkksParameters params = CkksParameters.builder().logN(10).dataPrimeBits(30, 24, 24, 24).specialPrimeBits(30)
                .scale(0x1p24).insecureForTestsOnly().build();
        Evaluator ev = new Evaluator(new CkksContext(params));
        assertEquals(0, ScaleAlignment.rescalesNeeded(ev, 3, 0x1p24, 1, 0x1p24), "same scale: primes dropped only");
        assertEquals(1, ScaleAlignment.rescalesNeeded(ev, 3, 0x1p24, 1, 0x1p24 * 1.01), "scale ratio: one rescale");
        assertEquals(2, ScaleAlignment.rescalesNeeded(ev, 3, 0x1p48, 1, 0x1p24), "from s^2 to s: two rescales");
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> ScaleAlignment.rescalesNeeded(ev, 2, 0x1p24, 2, 0x1p24 * 1.01));
        assertTrue(same.getMessage().contains("level 2, scale 2^24.000000") && same.getMessage().contains("scale 2^24.014355")
                && same.getMessage().contains("same level"), same.getMessage());
        IllegalArgumentException shallow = assertThrows(IllegalArgumentException.class,
                () -> ScaleAlignment.rescalesNeeded(ev, 2, 0x1p48, 1, 0x1p24));
        assertTrue(shallow.getMessage().contains("spare level"), shallow.getMessage());
    }
}
