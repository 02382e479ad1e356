package io.github.jckks.math;

import static io.github.jckks.math.MathTestSupport.big;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ModArith} against BigInteger, on both sides of the 31-bit switch between one- and two-word Barrett. */
class ModArithTest {
    private static final int N = 512;

    private static long[] residues(long q, SplittableRandom rnd) {
        long[] a = new long[N];
        for (int j = 0; j < N; j++) {
            a[j] = rnd.nextLong(q);
        }
        a[0] = q - 1;
        a[1] = 0;
        a[2] = q - 1;
        a[3] = 1;
        return a;
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 65537, 1073479681L /* 30 bits */, 2147483647L /* 2^31 - 1 */, 2147483659L /* 32 bits */,
        1152921504606830593L, 2305843009213693951L /* 2^61 - 1 */})
    void elementWiseKernels(long q) {
        Modulus m = new Modulus(q);
        BigInteger bq = big(q);
        SplittableRandom rnd = new SplittableRandom(q);
        long[] x = residues(q, rnd);
        long[] y = residues(q, rnd);
        long[] acc = residues(q, rnd);
        long w = rnd.nextLong(q);
        long[] z = new long[N];
        long[] expMul = new long[N];
        long[] expMulAdd = new long[N];
        long[] expScalar = new long[N];
        long[] expScalarAdd = new long[N];
        long[] expAdd = new long[N];
        long[] expSub = new long[N];
        for (int j = 0; j < N; j++) {
            BigInteger p = big(x[j]).multiply(big(y[j]));
            expMul[j] = p.mod(bq).longValue();
            expMulAdd[j] = p.add(big(acc[j])).mod(bq).longValue();
            expScalar[j] = big(x[j]).multiply(big(w)).mod(bq).longValue();
            expScalarAdd[j] = big(x[j]).multiply(big(w)).add(big(acc[j])).mod(bq).longValue();
            expAdd[j] = big(x[j]).add(big(y[j])).mod(bq).longValue();
            expSub[j] = big(x[j]).subtract(big(y[j])).mod(bq).longValue();
        }
        ModArith.mul(x, y, z, m);
        assertArrayEquals(expMul, z, "mul");
        long[] a = acc.clone();
        ModArith.mulAdd(x, y, a, m);
        assertArrayEquals(expMulAdd, a, "mulAdd");
        ModArith.mulScalar(x, w, m.shoup(w), z, m);
        assertArrayEquals(expScalar, z, "mulScalar");
        a = acc.clone();
        ModArith.mulScalarAdd(x, w, m.shoup(w), a, m);
        assertArrayEquals(expScalarAdd, a, "mulScalarAdd");
        ModArith.add(x, y, z, q);
        assertArrayEquals(expAdd, z, "add");
        ModArith.sub(x, y, z, q);
        assertArrayEquals(expSub, z, "sub");
        // outputs may alias inputs
        long[] xa = x.clone();
        ModArith.mul(xa, y, xa, m);
        assertArrayEquals(expMul, xa, "mul in place");
        xa = x.clone();
        ModArith.sub(xa, y, xa, q);
        assertArrayEquals(expSub, xa, "sub in place");
        // the largest scalar
        ModArith.mulScalar(x, q - 1, m.shoup(q - 1), z, m);
        for (int j = 0; j < N; j++) {
            assertEquals(x[j] == 0 ? 0 : q - x[j], z[j]);
        }
    }
}
