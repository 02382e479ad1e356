package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.Plaintext;
import java.util.Arrays;

/**
 * Element-wise arithmetic between two batches of tensors of one image shape, each operand encrypted or plain:
 * he-transformer's cipher/plain combinations of Add, Subtract and Multiply, under batch-axis packing (real or
 * complex). Element e of the result is {@code a[e] op b[e]} for every image of the batch. A plain operand is a
 * {@link Tensor} with the encrypted operand's batch (each element's column of values encoded as a plaintext vector
 * at the ciphertext's level: depth-aware encoding), or with a batch of 1, which broadcasts one image to the whole
 * batch: its values are then the same in every slot and take the <b>scalar encoding</b> (one residue per prime, no
 * encoding pass, no NTT).
 *
 * <p><b>Levels and scales.</b> Add and subtract keep the level; two encrypted operands are first brought to the lower
 * one's level and scale (primes dropped; different scales: a scalar product and a rescale from the higher operand's
 * spare levels, as a residual sum). Multiply consumes one level: a plain factor is encoded at the scale of the last
 * prime q<sub>l</sub> so that the rescale restores the encrypted operand's scale; two encrypted factors are brought to
 * one level, multiplied, relinearized and rescaled together (the relinearization key is needed). Inputs at level 0
 * cannot be multiplied.
 *
 * <p><b>Complex packing</b> (a = x + iy holds two real batches): a plaintext u + iv is added as such, but the slot
 * product (x + iy)(u + iv) is not the element-wise x u + i y v; that is a (u + v)/2 + a&#772; (u - v)/2, so the product by
 * a plain tensor costs one conjugation (the conjugation key is needed) and two plaintext products, unless the
 * factor is broadcast (u = v: one scalar product). Two encrypted factors use {@link Evaluator#multiplyComplexPacked}.
 *
 * <p>Costs per element: add/subtract one pass over c<sub>0</sub> (plain: plus an encoding when not broadcast), two
 * passes for two ciphertexts; multiply by a plain factor one product pass and a rescale (complex, not broadcast: plus
 * a key switch and a second product); by a ciphertext, a product, a key switch (four under complex packing) and a
 * rescale. Elements are evaluated in parallel on the runtime's pool. The operands are not modified. Stateless.
 */
public final class Elementwise {
    /** The operation. */
    public enum Op {
        /** a + b */
        ADD,
        /** a - b */
        SUBTRACT,
        /** a &middot; b */
        MULTIPLY;

        double apply(double a, double b) {
            return switch (this) {
                case ADD -> a + b;
                case SUBTRACT -> a - b;
                case MULTIPLY -> a * b;
            };
        }
    }

    private Elementwise() {
    }

    /** The plaintext reference: a op b element by element (b of batch 1 broadcast). */
    public static Tensor apply(Op op, Tensor a, Tensor b) {
        checkShapes(a.imageShape(), b.imageShape());
        int batch = Math.max(a.batch(), b.batch());
        checkBatch(a.batch(), batch, "a");
        checkBatch(b.batch(), batch, "b");
        int per = a.imageSize();
        double[] out = new double[batch * per];
        double[] x = a.toArray();
        double[] y = b.toArray();
        for (int i = 0; i < batch; i++) {
            int ia = a.batch() == 1 ? 0 : i;
            int ib = b.batch() == 1 ? 0 : i;
            for (int e = 0; e < per; e++) {
                out[i * per + e] = op.apply(x[ia * per + e], y[ib * per + e]);
            }
        }
        int[] shape = new int[a.imageShape().length + 1];
        shape[0] = batch;
        System.arraycopy(a.imageShape(), 0, shape, 1, shape.length - 1);
        return Tensor.of(out, shape);
    }

    /**
     * a op b for two encrypted tensors of one shape, batch and packing.
     *
     * @throws IllegalArgumentException if the shapes, batches or packings differ, the operands cannot be brought to one
     *                                  level and scale, or a product has no level to rescale
     * @throws IllegalStateException    if a product needs a key the runtime's evaluator lacks
     */
    public static EncryptedTensor apply(Op op, EncryptedTensor a, EncryptedTensor b, EncryptedRuntime rt) {
        checkShapes(a.imageShape(), b.imageShape());
        if (a.batch() != b.batch() || a.packing() != b.packing()) {
            throw new IllegalArgumentException("operands of " + op + " differ: " + a + " and " + b);
        }
        Ciphertext[] x = wide(a, rt);
        Ciphertext[] y = wide(b, rt);
        Evaluator ev = rt.evaluator();
        int level = Math.min(x[0].level(), y[0].level());
        Ciphertext[] out = new Ciphertext[x.length];
        if (op == Op.MULTIPLY) {
            requireRescale(level, op);
            rt.parallelFor(out.length, e -> {
                Ciphertext p = ev.dropLevel(x[e], level);
                Ciphertext q = ev.dropLevel(y[e], level);
                Ciphertext prod;
                if (a.packing() == Packing.COMPLEX) {
                    prod = ev.multiplyComplexPacked(p, q);
                    ev.rescaleInPlace(prod);
                } else {
                    prod = ev.multiply(p, q);
                    ev.relinearizeAndRescaleInPlace(prod);
                }
                out[e] = prod;
            });
        } else {
            double scale = x[0].level() <= y[0].level() ? x[0].scale() : y[0].scale();
            int rx = ScaleAlignment.rescalesNeeded(ev, x[0].level(), x[0].scale(), level, scale);
            int ry = ScaleAlignment.rescalesNeeded(ev, y[0].level(), y[0].scale(), level, scale);
            rt.parallelFor(out.length, e -> {
                Ciphertext acc = ScaleAlignment.alignedCopy(x[e], level, scale, 2, rx, rt);
                // at the target's scale already, the second operand is read as it is (its extra primes are dropped on
                // the fly), as a residual sum reads its branches
                boolean asIs = ry == 0 && y[e].size() == 2;
                Ciphertext other = asIs ? y[e] : ScaleAlignment.alignedCopy(y[e], level, scale, 2, ry, rt);
                if (op == Op.ADD) {
                    ev.addInPlace(acc, other);
                } else {
                    ev.subInPlace(acc, other);
                }
                if (!asIs) {
                    ScaleAlignment.release(other, rt);
                }
                out[e] = acc;
            });
        }
        return EncryptedTensor.of(out, a.batch(), a.packing(), a.imageShape());
    }

    /**
     * a op b for an encrypted a and a plain b (b's batch equal to a's, or 1 to broadcast).
     *
     * @throws IllegalArgumentException if the shapes or batches do not fit, or a product has no level to rescale
     * @throws IllegalStateException    if a complex-packed product by a plain factor needs the conjugation key the
     *                                  runtime's evaluator lacks
     */
    public static EncryptedTensor apply(Op op, EncryptedTensor a, Tensor b, CkksEncoder encoder, EncryptedRuntime rt) {
        return mixed(op, a, b, false, encoder, rt);
    }

    /** a op b for a plain a (a's batch equal to b's, or 1 to broadcast) and an encrypted b; as the other order. */
    public static EncryptedTensor apply(Op op, Tensor a, EncryptedTensor b, CkksEncoder encoder, EncryptedRuntime rt) {
        return mixed(op, b, a, true, encoder, rt);
    }

    /** c op p (or p op c if {@code plainFirst}) for a ciphertext tensor c and a plain tensor p. */
    private static EncryptedTensor mixed(Op op, EncryptedTensor c, Tensor p, boolean plainFirst, CkksEncoder encoder,
                                         EncryptedRuntime rt) {
        checkShapes(c.imageShape(), p.imageShape());
        checkBatch(p.batch(), c.batch(), "the plain operand");
        Ciphertext[] x = wide(c, rt);
        Evaluator ev = rt.evaluator();
        int level = x[0].level();
        double scale = x[0].scale();
        boolean broadcast = p.batch() == 1;
        boolean complex = c.packing() == Packing.COMPLEX;
        int slots = encoder.context().parameters().slots();
        if (op == Op.MULTIPLY) {
            requireRescale(level, op);
        }
        double factorScale = op == Op.MULTIPLY ? ev.lastPrime(level) : scale;
        Ciphertext[] out = new Ciphertext[x.length];
        rt.parallelFor(out.length, e -> {
            double[] col = p.element(e);
            Ciphertext r = x[e].copy();
            if (op == Op.MULTIPLY) {
                if (broadcast) {
                    ev.multiplyScalarInPlace(r, col[0], factorScale);
                } else if (!complex) {
                    ev.multiplyPlainInPlace(r, encoder.encode(column(col, 0, slots), level, factorScale));
                } else {
                    // x u + i y v = a (u + v)/2 + conj(a) (u - v)/2 for a = x + iy, slot j: u = image j, v = image j + N/2
                    double[] u = column(col, 0, slots);
                    double[] v = column(col, slots, slots);
                    double[] plus = new double[slots];
                    double[] minus = new double[slots];
                    for (int j = 0; j < slots; j++) {
                        plus[j] = (u[j] + v[j]) / 2;
                        minus[j] = (u[j] - v[j]) / 2;
                    }
                    Ciphertext conj = ev.conjugate(r);
                    ev.multiplyPlainInPlace(r, encoder.encode(plus, level, factorScale));
                    ev.multiplyPlainInPlace(conj, encoder.encode(minus, level, factorScale));
                    ev.addInPlace(r, conj);
                }
                ev.rescaleInPlace(r);
            } else {
                if (plainFirst && op == Op.SUBTRACT) {
                    ev.negateInPlace(r); // p - c = -c + p
                }
                boolean subtract = op == Op.SUBTRACT && !plainFirst;
                if (broadcast) {
                    double v = subtract ? -col[0] : col[0];
                    if (complex) {
                        ev.addComplexScalarInPlace(r, v, v);
                    } else {
                        ev.addScalarInPlace(r, v);
                    }
                } else {
                    Plaintext pt = complex
                            ? encoder.encodeComplexPacked(column(col, 0, slots), column(col, slots, slots), level, scale)
                            : encoder.encode(column(col, 0, slots), level, scale);
                    ev.addPlainInPlace(r, pt, subtract);
                }
            }
            out[e] = r;
        });
        return EncryptedTensor.of(out, c.batch(), c.packing(), c.imageShape());
    }

    /** @return values[from, from + n) zero-padded (a partial batch's missing images are zeros) */
    private static double[] column(double[] values, int from, int n) {
        double[] r = new double[n];
        if (from < values.length) {
            System.arraycopy(values, from, r, 0, Math.min(n, values.length - from));
        }
        return r;
    }

    private static Ciphertext[] wide(EncryptedTensor t, EncryptedRuntime rt) {
        return t.wide(rt.context()).ciphertexts();
    }

    private static void requireRescale(int level, Op op) {
        if (level < 1) {
            throw new IllegalArgumentException(op + " of tensors at level 0: a product needs a level to rescale");
        }
    }

    private static void checkShapes(int[] a, int[] b) {
        if (!Arrays.equals(a, b)) {
            throw new IllegalArgumentException("element-wise operands of image shapes " + Arrays.toString(a) + " and "
                    + Arrays.toString(b));
        }
    }

    private static void checkBatch(int batch, int expected, String what) {
        if (batch != expected && batch != 1) {
            throw new IllegalArgumentException(what + " has a batch of " + batch + ": expected " + expected
                    + " (or 1, broadcast to every image)");
        }
    }
}
