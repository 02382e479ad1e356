package io.github.jckks.math;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** BigInteger reference helpers shared by the ckks-math tests. */
final class MathTestSupport {
    static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private MathTestSupport() {
    }

    /** @return x read as an unsigned 64-bit integer */
    static BigInteger unsigned(long x) {
        BigInteger b = BigInteger.valueOf(x);
        return x < 0 ? b.add(TWO_64) : b;
    }

    static BigInteger big(long x) {
        return BigInteger.valueOf(x);
    }

    /** @return floor(a / b) for b &gt; 0 and any sign of a (BigInteger.divide truncates towards zero) */
    static BigInteger floorDiv(BigInteger a, BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    /** @return a / b rounded to the nearest integer, halves upwards (b &gt; 0) */
    static BigInteger roundDiv(BigInteger a, BigInteger b) {
        return floorDiv(a.shiftLeft(1).add(b), b.shiftLeft(1));
    }

    /** @return x mod m mapped to (-m/2, m/2] */
    static BigInteger centered(BigInteger x, BigInteger m) {
        BigInteger r = x.mod(m);
        return r.shiftLeft(1).compareTo(m) > 0 ? r.subtract(m) : r;
    }

    /** @return a uniform BigInteger in [0, bound) */
    static BigInteger randomBelow(SplittableRandom rnd, BigInteger bound) {
        BigInteger r;
        do {
            byte[] bytes = new byte[(bound.bitLength() + 7) / 8 + 1];
            rnd.nextBytes(bytes);
            bytes[0] = 0;
            r = new BigInteger(bytes).mod(BigInteger.ONE.shiftLeft(bound.bitLength()));
        } while (r.compareTo(bound) >= 0);
        return r;
    }

    /** A polynomial with uniform residues in every limb (equivalently, uniform coefficients in [0, Q)). */
    static RnsPoly randomPoly(RnsRing ring, int limbs, boolean ntt, SplittableRandom rnd) {
        RnsPoly p = ring.newPoly(limbs, ntt);
        for (int i = 0; i < limbs; i++) {
            long q = ring.modulus(i).value();
            long[] z = p.limb(i);
            for (int j = 0; j < z.length; j++) {
                z[j] = rnd.nextLong(q);
            }
        }
        return p;
    }

    /** CRT constants e_i = (Q/q_i) * ((Q/q_i)^-1 mod q_i) per basis prefix, computed independently of RnsBasis. */
    private static final java.util.Map<List<Long>, BigInteger[]> CRT = new java.util.concurrent.ConcurrentHashMap<>();

    private static BigInteger[] crt(List<Long> primes) {
        return CRT.computeIfAbsent(primes, ps -> {
            BigInteger q = BigInteger.ONE;
            for (long p : ps) {
                q = q.multiply(big(p));
            }
            BigInteger[] e = new BigInteger[ps.size() + 1];
            for (int i = 0; i < ps.size(); i++) {
                BigInteger qi = big(ps.get(i));
                BigInteger hat = q.divide(qi);
                e[i] = hat.multiply(hat.modInverse(qi));
            }
            e[ps.size()] = q;
            return e;
        });
    }

    /** @return the CRT composition of every coefficient of p (coefficient form read as is), in [0, Q_k) */
    static BigInteger[] compose(RnsBasis basis, RnsPoly p) {
        int k = p.limbCount();
        List<Long> primes = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            primes.add(basis.modulus(i).value());
        }
        BigInteger[] e = crt(primes);
        BigInteger q = e[k];
        BigInteger[] out = new BigInteger[p.n()];
        for (int j = 0; j < p.n(); j++) {
            BigInteger x = BigInteger.ZERO;
            for (int i = 0; i < k; i++) {
                x = x.add(e[i].multiply(big(p.limb(i)[j])));
            }
            out[j] = x.mod(q);
        }
        return out;
    }

    /** @return a coefficient-form polynomial with the given integer coefficients reduced modulo each prime */
    static RnsPoly fromBig(RnsRing ring, BigInteger[] coefficients, int limbs) {
        RnsPoly p = ring.newPoly(limbs, false);
        for (int i = 0; i < limbs; i++) {
            BigInteger q = big(ring.modulus(i).value());
            long[] z = p.limb(i);
            for (int j = 0; j < coefficients.length; j++) {
                z[j] = coefficients[j].mod(q).longValueExact();
            }
        }
        return p;
    }

    /** Naive negacyclic product in Z_m[X]/(X^N + 1). */
    static BigInteger[] negacyclicMul(BigInteger[] a, BigInteger[] b, BigInteger m) {
        int n = a.length;
        BigInteger[] c = new BigInteger[n];
        java.util.Arrays.fill(c, BigInteger.ZERO);
        for (int i = 0; i < n; i++) {
            if (a[i].signum() == 0) {
                continue;
            }
            for (int j = 0; j < n; j++) {
                BigInteger t = a[i].multiply(b[j]);
                int k = i + j;
                if (k < n) {
                    c[k] = c[k].add(t);
                } else {
                    c[k - n] = c[k - n].subtract(t);
                }
            }
        }
        for (int k = 0; k < n; k++) {
            c[k] = c[k].mod(m);
        }
        return c;
    }

    /** @return the NTT kernels this JVM can run (the scalar kernel, and the vector kernel when available) */
    static List<NttKernel> kernels() {
        List<NttKernel> l = new ArrayList<>();
        l.add(NttKernels.scalar());
        NttKernels.vector().ifPresent(l::add);
        return l;
    }
}
