package io.github.jckks.math;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * A residue number system basis: distinct primes q<sub>0</sub>, &hellip;, q<sub>k-1</sub> with product Q. An
 * integer x in [0, Q) is represented by its residues x mod q<sub>i</sub> (the Chinese remainder theorem).
 *
 * <p>{@link #compose} and {@link #decompose} use BigInteger and serve tests, serialization checks and
 * reference paths only; hot paths never leave the residues. Immutable and thread-safe.
 */
public final class RnsBasis {
    private final Modulus[] moduli;
    private final BigInteger product;

    /**
     * @param primes distinct primes, each below 2<sup>61</sup>
     * @throws IllegalArgumentException if empty, not prime, or repeated
     */
    public RnsBasis(long... primes) {
        if (primes.length == 0) {
            throw new IllegalArgumentException("an RNS basis needs at least one prime");
        }
        Set<Long> seen = new HashSet<>();
        moduli = new Modulus[primes.length];
        BigInteger p = BigInteger.ONE;
        for (int i = 0; i < primes.length; i++) {
            if (!seen.add(primes[i])) {
                throw new IllegalArgumentException("prime " + primes[i] + " appears twice in the RNS basis");
            }
            if (!Primes.isPrime(primes[i])) {
                throw new IllegalArgumentException("RNS basis element " + primes[i] + " (index " + i + ") is not prime");
            }
            moduli[i] = new Modulus(primes[i]);
            p = p.multiply(BigInteger.valueOf(primes[i]));
        }
        product = p;
    }

    private RnsBasis(Modulus[] moduli) {
        this.moduli = moduli;
        BigInteger p = BigInteger.ONE;
        for (Modulus m : moduli) {
            p = p.multiply(BigInteger.valueOf(m.value()));
        }
        this.product = p;
    }

    /** @return the number of primes */
    public int size() {
        return moduli.length;
    }

    /** @return the i-th modulus */
    public Modulus modulus(int i) {
        return moduli[i];
    }

    /** @return a copy of the primes */
    public long[] primes() {
        long[] out = new long[moduli.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = moduli[i].value();
        }
        return out;
    }

    /** @return the product Q of all primes */
    public BigInteger product() {
        return product;
    }

    /** @return the product of the first {@code count} primes */
    public BigInteger product(int count) {
        BigInteger p = BigInteger.ONE;
        for (int i = 0; i < count; i++) {
            p = p.multiply(BigInteger.valueOf(moduli[i].value()));
        }
        return p;
    }

    /** @return log2 of Q */
    public double log2Product() {
        double s = 0;
        for (Modulus m : moduli) {
            s += Math.log(m.value()) / Math.log(2);
        }
        return s;
    }

    /** @return the basis of the first {@code count} primes */
    public RnsBasis prefix(int count) {
        if (count < 1 || count > moduli.length) {
            throw new IllegalArgumentException("prefix of " + count + " primes out of range [1, " + moduli.length + "]");
        }
        return count == moduli.length ? this : new RnsBasis(Arrays.copyOf(moduli, count));
    }

    /** @return the basis of primes [from, to) */
    public RnsBasis sub(int from, int to) {
        if (from < 0 || to > moduli.length || from >= to) {
            throw new IllegalArgumentException("sub-basis [" + from + ", " + to + ") out of range for " + moduli.length + " primes");
        }
        return new RnsBasis(Arrays.copyOfRange(moduli, from, to));
    }

    /** @return this basis followed by {@code other}'s primes */
    public RnsBasis concat(RnsBasis other) {
        Modulus[] m = Arrays.copyOf(moduli, moduli.length + other.moduli.length);
        System.arraycopy(other.moduli, 0, m, moduli.length, other.moduli.length);
        return new RnsBasis(Arrays.stream(m).mapToLong(Modulus::value).toArray());
    }

    /** @return the residues of x (any sign) modulo each prime */
    public long[] decompose(BigInteger x) {
        long[] r = new long[moduli.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = x.mod(BigInteger.valueOf(moduli[i].value())).longValue();
        }
        return r;
    }

    /**
     * CRT composition: the unique x in [0, Q<sub>k</sub>) with x &equiv; residues[i] (mod q<sub>i</sub>) for
     * i &lt; k = residues.length.
     */
    public BigInteger compose(long[] residues) {
        int k = residues.length;
        if (k > moduli.length) {
            throw new IllegalArgumentException(k + " residues for a basis of " + moduli.length + " primes");
        }
        BigInteger q = product(k);
        BigInteger x = BigInteger.ZERO;
        for (int i = 0; i < k; i++) {
            BigInteger qi = BigInteger.valueOf(moduli[i].value());
            BigInteger hat = q.divide(qi);
            BigInteger hatInv = hat.mod(qi).modInverse(qi);
            x = x.add(BigInteger.valueOf(residues[i]).multiply(hatInv).mod(qi).multiply(hat));
        }
        return x.mod(q);
    }

    /** @return the CRT composition mapped to (-Q<sub>k</sub>/2, Q<sub>k</sub>/2] */
    public BigInteger composeCentered(long[] residues) {
        BigInteger x = compose(residues);
        BigInteger q = product(residues.length);
        return x.shiftLeft(1).compareTo(q) > 0 ? x.subtract(q) : x;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RnsBasis b && Arrays.equals(moduli, b.moduli);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(moduli);
    }

    @Override
    public String toString() {
        return "RnsBasis" + Arrays.toString(primes());
    }
}
