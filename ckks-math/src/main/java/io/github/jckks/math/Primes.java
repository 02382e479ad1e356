package io.github.jckks.math;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Primality and NTT-friendly prime generation.
 *
 * <p>An NTT-friendly prime for ring degree N is a prime q &equiv; 1 (mod 2N): then Z<sub>q</sub> holds a
 * primitive 2N-th root of unity &psi; and X<sup>N</sup>+1 splits into linear factors, which is what the
 * negacyclic NTT needs. Generation is deterministic: the same request always yields the same primes.
 */
public final class Primes {
    private static final long[] WITNESSES = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};

    private Primes() {
    }

    /**
     * Deterministic Miller-Rabin for n &lt; 2<sup>61</sup> (the first twelve prime bases are a proven
     * witness set below 3.3&middot;10<sup>24</sup>). Cost: about 12 &middot; 61 modular multiplications.
     */
    public static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n >= (1L << Modulus.MAX_BITS)) {
            throw new IllegalArgumentException("primality test limited to n < 2^" + Modulus.MAX_BITS + ", got " + n);
        }
        for (long p : WITNESSES) {
            if (n % p == 0) {
                return n == p;
            }
        }
        Modulus m = new Modulus(n);
        long d = n - 1;
        int s = Long.numberOfTrailingZeros(d);
        d >>>= s;
        for (long a : WITNESSES) {
            long x = m.pow(a % n, d);
            if (x == 1 || x == n - 1) {
                continue;
            }
            boolean composite = true;
            for (int r = 1; r < s; r++) {
                x = m.mul(x, x);
                if (x == n - 1) {
                    composite = false;
                    break;
                }
            }
            if (composite) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns {@code count} distinct primes q &equiv; 1 (mod 2N) of exactly {@code bits} bits, the largest
     * first, skipping any in {@code exclude}.
     *
     * @param bits   bit length of each prime, in [logN + 2, 61]
     * @param logN   log2 of the ring degree N
     * @param count  how many primes
     * @param exclude primes not to return (e.g. those already in a chain); may be empty
     * @throws IllegalArgumentException if fewer than {@code count} such primes exist
     */
    public static long[] nttPrimes(int bits, int logN, int count, Collection<Long> exclude) {
        checkArgs(bits, logN, count);
        long twoN = 2L << logN;
        long lower = 1L << (bits - 1);
        // largest candidate below 2^bits that is 1 mod 2N
        long candidate = ((1L << bits) - 1) / twoN * twoN + 1;
        long[] out = new long[count];
        int found = 0;
        while (found < count && candidate > lower) {
            if (!exclude.contains(candidate) && isPrime(candidate)) {
                out[found++] = candidate;
            }
            candidate -= twoN;
        }
        if (found < count) {
            throw new IllegalArgumentException("only " + found + " NTT-friendly primes of " + bits
                    + " bits exist for N = 2^" + logN + " (excluding " + exclude.size() + "); " + count + " requested");
        }
        return out;
    }

    /**
     * Returns {@code count} distinct NTT-friendly primes as close as possible to 2<sup>bits</sup>, alternating
     * above and below it (as Lattigo does for scale-sized primes), so that the product of consecutive
     * primes stays close to a power of two and CKKS scales drift little after rescaling. Primes above
     * 2<sup>bits</sup> have bits + 1 bits.
     */
    public static long[] nttPrimesNear(int bits, int logN, int count, Collection<Long> exclude) {
        checkArgs(bits, logN, count);
        if (bits + 1 > Modulus.MAX_BITS) {
            throw new IllegalArgumentException("primes near 2^" + bits + " may exceed " + Modulus.MAX_BITS + " bits");
        }
        long twoN = 2L << logN;
        long center = 1L << bits;
        long up = center + 1;
        long down = center - twoN + 1;
        long[] out = new long[count];
        int found = 0;
        boolean takeUp = true;
        while (found < count) {
            if (up >= (1L << (bits + 1)) && down <= (1L << (bits - 1))) {
                throw new IllegalArgumentException("not enough NTT-friendly primes near 2^" + bits + " for N = 2^" + logN);
            }
            if (takeUp) {
                while (up < (1L << (bits + 1)) && (exclude.contains(up) || !isPrime(up))) {
                    up += twoN;
                }
                if (up < (1L << (bits + 1))) {
                    out[found++] = up;
                    up += twoN;
                }
            } else {
                while (down > (1L << (bits - 1)) && (exclude.contains(down) || !isPrime(down))) {
                    down -= twoN;
                }
                if (down > (1L << (bits - 1))) {
                    out[found++] = down;
                    down -= twoN;
                }
            }
            takeUp = !takeUp;
        }
        return out;
    }

    /**
     * Pairs of distinct NTT-friendly primes whose products lie as close as possible to 2<sup>bits</sup>, for the
     * levels of composite scaling (a scale of 2<sup>40</sup> carried by two primes near 2<sup>20</sup> each, where
     * there are too few primes of exactly 20 bits at large N). Candidates are the primes q &equiv; 1 (mod 2N) in
     * [2<sup>16</sup>, 2<sup>bits-16</sup>]; a heuristic keeps the largest distance of a product to 2<sup>bits</sup>
     * in log2 small: the shortest prefix of the pairs sorted by that distance from which a depth-first search (with
     * a budget of 200,000 steps per prefix) picks disjoint pairs; deterministic. Returned as
     * a<sub>0</sub>, b<sub>0</sub>, a<sub>1</sub>, b<sub>1</sub>, ..., closest pair first, with a<sub>i</sub> &gt;
     * b<sub>i</sub>. Cost: a primality test per candidate, then a search over at most candidates<sup>2</sup> pairs.
     *
     * @throws IllegalArgumentException if bits is not in [34, 60] or there are too few candidates
     */
    public static long[] nttPrimePairsNear(int bits, int logN, int pairs, Collection<Long> exclude) {
        if (bits < 34 || bits > 60) {
            throw new IllegalArgumentException("prime pairs near 2^" + bits + ": bits must be in [34, 60]");
        }
        checkArgs(bits / 2, logN, pairs);
        long twoN = 2L << logN;
        long lo = 1L << 16;
        long hi = 1L << (bits - 16);
        java.util.ArrayList<Long> candidates = new java.util.ArrayList<>();
        for (long q = ((lo - 1) / twoN + 1) * twoN + 1; q <= hi; q += twoN) {
            if (!exclude.contains(q) && isPrime(q)) {
                candidates.add(q);
            }
        }
        int c = candidates.size();
        if (2 * pairs > c) {
            throw new IllegalArgumentException("not enough NTT-friendly prime pairs near 2^" + bits + " for N = 2^" + logN
                    + ": " + pairs + " pairs asked, " + c + " candidate primes in [2^16, 2^" + (bits - 16) + "]");
        }
        // every pair (a > b) by its distance to 2^bits in log2, closest first
        java.util.ArrayList<long[]> edges = new java.util.ArrayList<>();
        for (int a = 0; a < c; a++) {
            for (int b = 0; b < a; b++) {
                double err = Math.abs(Math.log((double) candidates.get(a) * candidates.get(b)) / Math.log(2) - bits);
                if (err <= 4) {
                    edges.add(new long[] {a, b, Double.doubleToLongBits(err)});
                }
            }
        }
        edges.sort(java.util.Comparator.comparingDouble(e -> Double.longBitsToDouble(e[2])));
        // the smallest worst error for which `pairs` disjoint pairs exist, by a bounded depth-first search
        int[] chosen = new int[pairs];
        for (int limit = pairs; limit <= edges.size(); limit++) {
            boolean[] used = new boolean[c];
            int[] budget = {200_000};
            if (disjointPairs(edges, limit, 0, 0, pairs, used, chosen, budget)) {
                long[] out = new long[2 * pairs];
                for (int p = 0; p < pairs; p++) {
                    long[] e = edges.get(chosen[p]);
                    out[2 * p] = candidates.get((int) e[0]);
                    out[2 * p + 1] = candidates.get((int) e[1]);
                }
                return out;
            }
        }
        throw new IllegalArgumentException("not enough NTT-friendly prime pairs near 2^" + bits + " for N = 2^" + logN);
    }

    /** Picks {@code need} pairwise disjoint edges among the first {@code limit}, in order, from index {@code from}. */
    private static boolean disjointPairs(java.util.List<long[]> edges, int limit, int from, int depth, int need,
                                         boolean[] used, int[] chosen, int[] budget) {
        if (depth == need) {
            return true;
        }
        for (int i = from; i < limit && budget[0]-- > 0; i++) {
            int a = (int) edges.get(i)[0];
            int b = (int) edges.get(i)[1];
            if (used[a] || used[b]) {
                continue;
            }
            used[a] = true;
            used[b] = true;
            chosen[depth] = i;
            if (disjointPairs(edges, limit, i + 1, depth + 1, need, used, chosen, budget)) {
                return true;
            }
            used[a] = false;
            used[b] = false;
        }
        return false;
    }

    /**
     * Generates a chain of distinct NTT-friendly primes, one per requested bit size, in the order given
     * (as SEAL's {@code CoeffModulus::Create}).
     */
    public static long[] nttPrimeChain(int logN, int... bitSizes) {
        Set<Long> used = new HashSet<>();
        long[] out = new long[bitSizes.length];
        for (int i = 0; i < bitSizes.length; i++) {
            long p = nttPrimes(bitSizes[i], logN, 1, used)[0];
            used.add(p);
            out[i] = p;
        }
        return out;
    }

    /**
     * Checks that q is a prime with q &equiv; 1 (mod 2N).
     *
     * @throws IllegalArgumentException naming the problem otherwise
     */
    public static void requireNttFriendly(long q, int logN) {
        if (!isPrime(q)) {
            throw new IllegalArgumentException("modulus " + q + " is not prime");
        }
        long twoN = 2L << logN;
        if (q % twoN != 1) {
            throw new IllegalArgumentException("prime " + q + " is not NTT-friendly for N = 2^" + logN
                    + ": q mod 2N = " + (q % twoN) + ", need 1");
        }
    }

    /**
     * Returns a primitive 2N-th root of unity &psi; modulo the NTT-friendly prime q: the smallest one, so
     * the choice is canonical.
     */
    public static long primitiveRoot2N(Modulus q, int logN) {
        requireNttFriendly(q.value(), logN);
        long twoN = 2L << logN;
        long exponent = (q.value() - 1) / twoN;
        long minusOne = q.value() - 1;
        long psi = -1;
        for (long g = 2; psi < 0; g++) {
            long cand = q.pow(g % q.value(), exponent);
            if (q.pow(cand, twoN >>> 1) == minusOne) {
                psi = cand;
            }
        }
        // Among psi^(odd k), all primitive 2N-th roots, take the smallest.
        long best = psi;
        long psiSquared = q.mul(psi, psi);
        long cur = psi;
        for (long k = 1; k < twoN; k += 2) {
            if (cur < best) {
                best = cur;
            }
            cur = q.mul(cur, psiSquared);
        }
        return best;
    }

    private static void checkArgs(int bits, int logN, int count) {
        if (logN < 1 || logN > 17) {
            throw new IllegalArgumentException("logN " + logN + " out of range [1, 17]");
        }
        if (bits < logN + 2 || bits > Modulus.MAX_BITS) {
            throw new IllegalArgumentException("prime size " + bits + " bits out of range [" + (logN + 2) + ", "
                    + Modulus.MAX_BITS + "] for N = 2^" + logN);
        }
        if (count < 0) {
            throw new IllegalArgumentException("negative prime count " + count);
        }
    }

    /** Convenience: the primes of {@link #nttPrimes(int, int, int, Collection)} as a list. */
    public static List<Long> asList(long[] primes) {
        List<Long> l = new ArrayList<>(primes.length);
        for (long p : primes) {
            l.add(p);
        }
        return l;
    }
}
