package io.github.jckks.math;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread-safe pool of limb arrays ({@code long[N]}) so that pipelines which create and drop many
 * polynomials of one degree (encrypted network layers) reuse memory instead of allocating it: fresh arrays
 * cost a zeroing pass and, while they live, young-generation copies by the garbage collector.
 *
 * <p>{@link #take} returns polynomials whose residues are <b>arbitrary</b> (not zeroed): use it only for outputs
 * that are fully overwritten. {@link #release} hands a polynomial's arrays back; the caller must not use that
 * polynomial (or any view sharing its arrays) afterwards. At most {@code capacity} arrays are kept.
 */
public final class LimbPool {
    private final int n;
    private final int capacity;
    private final ConcurrentLinkedQueue<long[]> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pooled = new AtomicInteger();

    /**
     * @param n        ring degree (array length)
     * @param capacity the most arrays kept for reuse
     */
    public LimbPool(int n, int capacity) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("ring degree " + n + " is not a power of two >= 2");
        }
        if (capacity < 0) {
            throw new IllegalArgumentException("negative pool capacity " + capacity);
        }
        this.n = n;
        this.capacity = capacity;
    }

    /**
     * @return a pool for degree n that keeps at most {@code maxBytes} of arrays (and at most 2<sup>20</sup> arrays)
     */
    public static LimbPool holding(int n, long maxBytes) {
        return new LimbPool(n, (int) Math.min(1 << 20, maxBytes / (8L * n)));
    }

    /**
     * @return this pool, if its arrays have {@code degree} residues
     * @throws IllegalArgumentException naming both degrees otherwise
     */
    public LimbPool requireDegree(int degree) {
        if (degree != n) {
            throw new IllegalArgumentException("limb pool of N = " + n + " for a context of N = " + degree);
        }
        return this;
    }

    /** @return a polynomial of {@code limbs} limbs with arbitrary contents, tagged with {@code ntt} */
    public RnsPoly take(int limbs, boolean ntt) {
        return new RnsPoly(takeArrays(limbs), ntt);
    }

    /**
     * {@link #take(int, boolean)} as a polynomial of {@code ring} ({@link RnsRing#wrap}: limb i modulo its i-th prime,
     * checked by its operations like one it made).
     *
     * @throws IllegalArgumentException if the ring's degree is not this pool's N
     */
    public RnsPoly take(RnsRing ring, int limbs, boolean ntt) {
        if (ring.n() != n) {
            throw new IllegalArgumentException("a pool of arrays of " + n + " residues cannot serve a ring of degree " + ring.n());
        }
        return ring.wrap(takeArrays(limbs), ntt);
    }

    private long[][] takeArrays(int limbs) {
        long[][] l = new long[limbs][];
        for (int i = 0; i < limbs; i++) {
            l[i] = takeArray();
        }
        return l;
    }

    /** @return one array of N residues with arbitrary contents, for a limb the caller overwrites entirely */
    public long[] takeArray() {
        long[] a = free.poll();
        if (a != null) {
            pooled.decrementAndGet();
            return a;
        }
        return new long[n];
    }

    /** Returns the limb arrays of {@code p} to the pool (up to its capacity). */
    public void release(RnsPoly p) {
        if (p == null) {
            return;
        }
        for (int i = 0; i < p.limbCount(); i++) {
            release(p.limb(i));
        }
    }

    /** Returns one limb array to the pool (ignored if the pool is full or the length is not N). */
    public void release(long[] limb) {
        if (limb == null || limb.length != n) {
            return;
        }
        if (pooled.incrementAndGet() <= capacity) {
            free.offer(limb);
        } else {
            pooled.decrementAndGet();
        }
    }

    /** @return the ring degree N (the length of the arrays) */
    public int n() {
        return n;
    }

    /** @return how many arrays are currently pooled */
    public int size() {
        return pooled.get();
    }
}
