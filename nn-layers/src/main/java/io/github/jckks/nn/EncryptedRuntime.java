package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CoefficientEncoder;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.math.LimbPool;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * What encrypted layers run with: the {@link Evaluator} (context and public evaluation keys), the
 * multiply-accumulate kernel, the thread pool that evaluates independent outputs in parallel (owned by the
 * caller), and a {@link LimbPool} through which layers recycle the memory of consumed ciphertexts. Thread-safe.
 */
public final class EncryptedRuntime {
    private final Evaluator evaluator;
    private final MacKernel mac;
    private final ForkJoinPool pool;
    private final LimbPool limbs;
    private final Packing packing;
    /** Biases under {@link Packing#COEFFICIENT} (shared by the runtimes derived from this one). */
    private final CoefficientEncoder coefficients;

    /**
     * A runtime for {@link Packing#REAL real-packed} inputs.
     *
     * @param evaluator the evaluator (with a relinearization key if the network relinearizes)
     * @param mac       the multiply-accumulate kernel ({@link MacKernels#get()})
     * @param pool      the pool for parallel evaluation
     */
    public EncryptedRuntime(Evaluator evaluator, MacKernel mac, ForkJoinPool pool) {
        this(evaluator, mac, pool, Packing.REAL);
    }

    /**
     * @param evaluator the evaluator (with a relinearization key if the network relinearizes, and the conjugation
     *                  key for squares under complex packing)
     * @param mac       the multiply-accumulate kernel ({@link MacKernels#get()})
     * @param pool      the pool for parallel evaluation
     * @param packing   how the inputs' slots hold the batch
     */
    public EncryptedRuntime(Evaluator evaluator, MacKernel mac, ForkJoinPool pool, Packing packing) {
        this(evaluator, mac, pool, packing, newLimbPool(evaluator.context().n()));
    }

    /**
     * A runtime that recycles limb arrays through {@code limbs}, e.g. one pool shared by the sessions of a server,
     * so that a session's first batch finds the arrays the previous ones released instead of allocating (and having
     * the garbage collector copy) gigabytes of fresh ones.
     *
     * @param limbs a pool for the evaluator's ring degree
     * @throws IllegalArgumentException if the pool's degree is not the context's
     */
    public EncryptedRuntime(Evaluator evaluator, MacKernel mac, ForkJoinPool pool, Packing packing, LimbPool limbs) {
        this.packing = java.util.Objects.requireNonNull(packing, "packing");
        int d = evaluator.context().parameters().compositeDegree();
        if (d != 1) {
            // the level plans count one prime per rescale
            throw new IllegalArgumentException("nn-layers runs on chains with one prime per rescale; these parameters have"
                    + " composite degree " + d + " (" + evaluator.context().parameters() + ")");
        }
        this.evaluator = evaluator;
        this.mac = mac;
        this.pool = pool;
        if (limbs.n() != evaluator.context().n()) {
            throw new IllegalArgumentException("limb pool of degree " + limbs.n() + " for a context of degree "
                    + evaluator.context().n());
        }
        this.limbs = limbs;
        this.coefficients = new CoefficientEncoder(evaluator.context());
    }

    /** @return a limb pool for degree n holding up to 2 GB of recycled arrays (a CryptoNets batch's largest layer output) */
    public static LimbPool newLimbPool(int n) {
        return LimbPool.holding(n, 2L << 30);
    }

    /** @return the pool of limb arrays that layers allocate their outputs from and release consumed inputs to */
    public LimbPool limbs() {
        return limbs;
    }

    /**
     * Hands the limb arrays of consumed ciphertexts back to the pool and nulls the array's elements. Arrays
     * reachable twice (the same ciphertext at two positions, or views sharing limbs) are released once, and
     * arrays that {@code stillLive} ciphertexts use are not released.
     */
    public void releaseAll(Ciphertext[] consumed, Ciphertext[] stillLive) {
        java.util.Set<long[]> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Ciphertext ct : stillLive) {
            if (ct != null) {
                for (int p = 0; p < ct.size(); p++) {
                    for (int l = 0; l < ct.part(p).limbCount(); l++) {
                        seen.add(ct.part(p).limb(l)); // never recycle memory a live output still uses
                    }
                }
            }
        }
        for (int i = 0; i < consumed.length; i++) {
            Ciphertext ct = consumed[i];
            consumed[i] = null;
            if (ct == null) {
                continue;
            }
            for (int p = 0; p < ct.size(); p++) {
                io.github.jckks.math.RnsPoly poly = ct.part(p);
                for (int l = 0; l < poly.limbCount(); l++) {
                    if (!seen.add(poly.limb(l))) {
                        continue;
                    }
                    limbs.release(poly.limb(l));
                }
            }
        }
    }

    /**
     * @return a runtime for inputs packed as {@code p} that shares this one's evaluator, kernel, thread pool and limb
     * pool (this one if the packing is the same)
     */
    public EncryptedRuntime withPacking(Packing p) {
        return p == packing ? this : new EncryptedRuntime(this, p);
    }

    /**
     * @return a runtime that evaluates with {@code ev} (e.g. one holding a client's evaluation keys, for one session of
     * a server) and shares this one's packing, kernel, thread pool and limb pool
     * @throws IllegalArgumentException if {@code ev} is for another context
     */
    public EncryptedRuntime withEvaluator(Evaluator ev) {
        if (ev.context() != evaluator.context()) {
            throw new IllegalArgumentException("an evaluator of another context cannot share this runtime's limb pool");
        }
        return new EncryptedRuntime(this, packing, ev);
    }

    private EncryptedRuntime(EncryptedRuntime base, Packing packing) {
        this(base, packing, base.evaluator);
    }

    private EncryptedRuntime(EncryptedRuntime base, Packing packing, Evaluator evaluator) {
        this.packing = java.util.Objects.requireNonNull(packing, "packing");
        this.evaluator = evaluator;
        this.mac = base.mac;
        this.pool = base.pool;
        this.limbs = base.limbs;
        this.coefficients = evaluator.context() == base.evaluator.context() ? base.coefficients
                : new CoefficientEncoder(evaluator.context());
    }

    /** @return how the inputs' slots hold the batch */
    public Packing packing() {
        return packing;
    }

    /** @return the coefficient encoder of the context (constants added to every value under {@link Packing#COEFFICIENT}) */
    public CoefficientEncoder coefficientEncoder() {
        return coefficients;
    }

    /** @return the evaluator */
    public Evaluator evaluator() {
        return evaluator;
    }

    /** @return the context */
    public CkksContext context() {
        return evaluator.context();
    }

    /** @return the MAC kernel */
    public MacKernel mac() {
        return mac;
    }

    /** Runs body(i) for i in [0, count) on the pool and waits. */
    public void parallelFor(int count, IntConsumer body) {
        parallelFor(pool, count, body);
    }

    /** @return the threads {@link #parallelFor} runs on (1 without a pool) */
    public int parallelism() {
        return pool == null ? 1 : pool.getParallelism();
    }

    /**
     * Runs body(i) for i in [0, count) on {@code pool} and waits; inline on the calling thread when the pool is null
     * or has parallelism 1, or there is one index.
     */
    public static void parallelFor(ForkJoinPool pool, int count, IntConsumer body) {
        if (pool == null || count == 1 || pool.getParallelism() == 1) {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
            return;
        }
        pool.submit(() -> IntStream.range(0, count).parallel().forEach(body)).join();
    }
}
