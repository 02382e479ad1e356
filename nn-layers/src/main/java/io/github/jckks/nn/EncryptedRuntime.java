package io.github.jckks.nn;

import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.Evaluator;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * What encrypted layers run with: the {@link Evaluator} (context and public evaluation keys), the
 * multiply-accumulate kernel, and the thread pool that evaluates independent outputs in parallel. The caller
 * owns the pool. Thread-safe.
 */
public final class EncryptedRuntime {
    private final Evaluator evaluator;
    private final MacKernel mac;
    private final ForkJoinPool pool;

    /**
     * @param evaluator the evaluator (with a relinearization key if the network relinearizes)
     * @param mac       the multiply-accumulate kernel ({@link MacKernels#get()})
     * @param pool      the pool for parallel evaluation
     */
    public EncryptedRuntime(Evaluator evaluator, MacKernel mac, ForkJoinPool pool) {
        this.evaluator = evaluator;
        this.mac = mac;
        this.pool = pool;
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
        if (count == 1 || pool.getParallelism() == 1) {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
            return;
        }
        pool.submit(() -> IntStream.range(0, count).parallel().forEach(body)).join();
    }
}
