package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.math.RnsPoly;

/**
 * A polynomial activation p(x) = a + b x + c x<sup>2</sup> (+ d x<sup>3</sup>) applied to every element: the
 * HE-friendly substitutes for ReLU/GELU fitted on an input range (e.g. 0.125 x<sup>2</sup> + 0.5 x + 0.25).
 *
 * <p><b>Encrypted form</b> (input two-part at level l and scale s; every coefficient a scalar shared by the
 * batch, added at the scale T of the products). <b>Degree 2</b>, depth 2: y = x<sup>2</sup> unrescaled, then
 * c&middot;y + b&middot;x + a accumulated at T = s<sup>2</sup> q<sub>l</sub> (c encoded at T / scale(y) =
 * q<sub>l</sub>, b at s q<sub>l</sub>) and rescaled twice, to s<sup>2</sup>/q<sub>l-1</sub> &asymp; s, like a square
 * followed by a linear layer. Cost per element: one ciphertext square (3 (l+1) N products), two scalar passes, two
 * rescales. <b>Degree 3</b>, depth 3: x<sup>2</sup> rescaled and relinearized (one key switch), x<sup>3</sup> =
 * x<sup>2</sup> &middot; x at level l-1, then d x<sup>3</sup> + c x<sup>2</sup> + b x + a accumulated at
 * T = s<sup>3</sup> q<sub>l-1</sub> / q<sub>l</sub> and rescaled twice, to &asymp; s.
 *
 * <p>Under {@link Packing#COMPLEX complex packing} the square is {@code Evaluator.squareComplexPackedInto} (one
 * conjugation: the conjugation key is needed), x<sup>3</sup> is {@code Evaluator.multiplyComplexPacked} (four key
 * switches) and a is added to both packed batches ({@code addComplexScalarInPlace(ct, a, a)}); the factor 4 of the
 * complex square is absorbed in c's encoding scale.
 *
 * <p>Three-part values are relinearized before they are rescaled down to &asymp; s (the result between its two
 * final rescales, x<sup>2</sup> of degree 3 before its rescale: one key switch each, at scale &asymp;
 * s<sup>2</sup> where its noise is negligible; rescaling a three-part ciphertext down to s would add
 * c<sub>2</sub>'s rounding times s<sup>2</sup>, about 10<sup>-2</sup> at s = 2<sup>24</sup>, N = 2<sup>11</sup>). So the
 * output is two-part at scale &asymp; s, also at the end of a network (the accumulation at s<sup>2</sup>
 * q<sub>l</sub> needs the modulus room of both levels anyway).
 */
public final class PolynomialActivation implements Layer {
    private final int size;
    private final double a;
    private final double b;
    private final double c;
    private final double d;

    /** p(x) = a + b x + c x<sup>2</sup> on {@code size} elements (c must not be 0: use a linear layer). */
    public PolynomialActivation(int size, double a, double b, double c) {
        this(size, a, b, c, 0);
    }

    private PolynomialActivation(int size, double a, double b, double c, double d) {
        if (size < 1) {
            throw new IllegalArgumentException("a polynomial activation needs at least one element, got " + size);
        }
        for (double v : new double[] {a, b, c, d}) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("polynomial coefficients must be finite: " + a + ", " + b + ", " + c + ", " + d);
            }
        }
        if (c == 0 && d == 0) {
            throw new IllegalArgumentException("p(x) = " + a + " + " + b + " x is affine: fold it into a linear layer");
        }
        this.size = size;
        this.a = a;
        this.b = b;
        this.c = c;
        this.d = d;
    }

    /** p(x) = a + b x + c x<sup>2</sup> + d x<sup>3</sup> on {@code size} elements (d must not be 0). */
    public static PolynomialActivation cubic(int size, double a, double b, double c, double d) {
        if (d == 0) {
            throw new IllegalArgumentException("cubic with d = 0: use the degree-2 constructor (one level less)");
        }
        return new PolynomialActivation(size, a, b, c, d);
    }

    /** @return 2 or 3 */
    public int degree() {
        return d != 0 ? 3 : 2;
    }

    @Override
    public int inputSize() {
        return size;
    }

    @Override
    public int outputSize() {
        return size;
    }

    /** @return the levels consumed: 2 for degree 2, 3 for degree 3 */
    @Override
    public int depth() {
        return degree();
    }

    @Override
    public double[] forward(double[] input) {
        if (input.length != size) {
            throw new IllegalArgumentException(describe() + ": input has " + input.length + " elements, expected " + size);
        }
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            double x = input[i];
            out[i] = a + x * (b + x * (c + x * d));
        }
        return out;
    }

    @Override
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt) {
        rt.packing().requireSlots(describe());
        if (input.length != size) {
            throw new IllegalArgumentException(describe() + ": got " + input.length + " ciphertexts, expected " + size);
        }
        for (Ciphertext x : input) {
            if (x.size() != 2) {
                throw new IllegalArgumentException(describe() + ": needs two-part inputs (relinearize first), got " + x);
            }
            if (x.level() < depth()) {
                throw new IllegalArgumentException(describe() + ": input at level " + x.level() + " but the activation needs "
                        + depth() + " levels: the parameters are not deep enough for this network");
            }
        }
        Ciphertext[] out = new Ciphertext[size];
        rt.parallelFor(size, i -> out[i] = d == 0 ? quadratic(input[i], rt) : cubic(input[i], rt));
        return out;
    }

    private Ciphertext quadratic(Ciphertext x, EncryptedRuntime rt) {
        Evaluator ev = rt.evaluator();
        int l = x.level();
        RnsPoly[] ps = take(rt, l + 1);
        Ciphertext y = rt.packing() == Packing.COMPLEX ? ev.squareComplexPackedInto(x, ps) : ev.squareInto(x, ps);
        double s = x.scale();
        double t = s * s * ev.lastPrime(l);
        ev.multiplyScalarInPlace(y, c, t / y.scale());
        ev.multiplyScalarAddInPlace(x, b, t / s, y);
        addConstant(y, rt);
        finish(y, ev);
        releaseUnused(ps, y, rt);
        return y;
    }

    private Ciphertext cubic(Ciphertext x, EncryptedRuntime rt) {
        Evaluator ev = rt.evaluator();
        boolean complex = rt.packing() == Packing.COMPLEX;
        int l = x.level();
        RnsPoly[] ps = take(rt, l + 1);
        Ciphertext x2 = complex ? ev.squareComplexPackedInto(x, ps) : ev.squareInto(x, ps);
        ev.relinearizeAndRescaleInPlace(x2); // relinearized at s^2, before the rescale (see the class comment): one step
        Ciphertext xd = new Ciphertext(new RnsPoly[] {x.part(0).view(l), x.part(1).view(l)}, x.scale()); // a view: read only
        Ciphertext x3 = complex ? ev.multiplyComplexPacked(x2, xd) : ev.multiply(x2, xd);
        double s = x.scale();
        double t = s * s * s * ev.lastPrime(l - 1) / ev.lastPrime(l);
        ev.multiplyScalarInPlace(x3, d, t / x3.scale());
        ev.multiplyScalarAddInPlace(x2, c, t / x2.scale(), x3);
        ev.multiplyScalarAddInPlace(xd, b, t / s, x3);
        addConstant(x3, rt);
        finish(x3, ev);
        for (RnsPoly p : ps) {
            rt.limbs().release(p);
        }
        return x3;
    }

    /** Rescale, then relinearize at &asymp; s<sup>2</sup> and rescale in one step. */
    private static void finish(Ciphertext ct, Evaluator ev) {
        ev.rescaleInPlace(ct);
        ev.relinearizeAndRescaleInPlace(ct);
    }

    private void addConstant(Ciphertext ct, EncryptedRuntime rt) {
        if (rt.packing() == Packing.COMPLEX) {
            rt.evaluator().addComplexScalarInPlace(ct, a, a); // a to both packed batches
        } else {
            rt.evaluator().addScalarInPlace(ct, a);
        }
    }

    private static RnsPoly[] take(EncryptedRuntime rt, int k) {
        return new RnsPoly[] {rt.limbs().take(k, true), rt.limbs().take(k, true), rt.limbs().take(k, true)};
    }

    /** Returns to the pool the limbs of {@code ps} that the rescales and relinearization left out of {@code y}. */
    private static void releaseUnused(RnsPoly[] ps, Ciphertext y, EncryptedRuntime rt) {
        for (int p = 0; p < ps.length; p++) {
            for (int j = p < y.size() ? y.level() + 1 : 0; j < ps[p].limbCount(); j++) {
                rt.limbs().release(ps[p].limb(j));
            }
        }
    }

    @Override
    public String describe() {
        return String.format("Polynomial %g + %g x + %g x^2%s, %d elements [depth %d, relinearized]", a, b, c,
                d != 0 ? String.format(" + %g x^3", d) : "", size, depth());
    }
}
