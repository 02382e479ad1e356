package io.github.jckks.ckks;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BinaryOperator;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * Evaluation of independent ciphertexts in parallel, on an executor the caller supplies (a {@link ForkJoinPool} or
 * a fixed thread pool): the library keeps no threads of its own. Prefer long-lived threads: an {@link Evaluator}
 * keeps a key-switching workspace per thread (about 15 MB at N = 2<sup>14</sup>), which a thread-per-task executor
 * (virtual threads) would allocate for every chunk; and do not call it from a task of the same fixed-size pool
 * (the waiting task holds a thread its chunks need; a ForkJoinPool compensates). The operations given are
 * typically an {@link Evaluator}'s, which one instance serves from many threads at once on different ciphertexts
 * (its key-switching scratch is per thread); an {@link Encryptor} is not thread-safe, so encrypt in parallel with
 * one encryptor per thread.
 *
 * <p>Work is cut into at most {@code 4 x parallelism} contiguous chunks (parallelism: the pool's, or the available
 * processors for other executors), each one task; the call returns when every submitted chunk has stopped, and
 * then rethrows the first failure (unwrapped: an {@link IllegalArgumentException} of an operation arrives as itself;
 * an {@link Error} as itself too); after a failure the other chunks stop at their next index. Results are those of the sequential loop, bit for bit: the operations are deterministic and
 * each writes only its own index. Cost: the operations' own, plus one task per chunk.
 */
public final class ParallelEvaluation {
    private ParallelEvaluation() {
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, count) on {@code executor} and waits for all.
     *
     * @throws IllegalArgumentException if count is negative
     * @throws RuntimeException         the first failure of a body (its type kept), once all chunks have stopped
     */
    public static void forEach(Executor executor, int count, IntConsumer body) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(body, "body");
        if (count < 0) {
            throw new IllegalArgumentException("count " + count + " is negative");
        }
        if (count == 0) {
            return;
        }
        int parallelism = executor instanceof ForkJoinPool p ? p.getParallelism() : Runtime.getRuntime().availableProcessors();
        int chunks = Math.min(count, 4 * Math.max(1, parallelism));
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.List<CompletableFuture<?>> tasks = new java.util.ArrayList<>(chunks);
        Throwable first = null;
        try {
            for (int c = 0; c < chunks; c++) {
                int from = (int) ((long) count * c / chunks);
                int to = (int) ((long) count * (c + 1) / chunks);
                tasks.add(CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = from; i < to && !failed.get(); i++) {
                            body.accept(i);
                        }
                    } catch (Throwable t) {
                        failed.set(true);
                        throw t;
                    }
                }, executor));
            }
        } catch (RuntimeException rejected) { // the executor refused a chunk: stop the others, then report it
            failed.set(true);
            first = rejected;
        }
        for (CompletableFuture<?> t : tasks) {
            try {
                t.join();
            } catch (CompletionException e) {
                if (first == null) {
                    first = e.getCause() != null ? e.getCause() : e;
                }
            }
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new CompletionException(first);
        }
    }

    /**
     * @return op(in[i]) for every i, computed on {@code executor} (e.g. {@code ct -> evaluator.rotate(ct, 1)})
     */
    public static Ciphertext[] map(Executor executor, Ciphertext[] in, UnaryOperator<Ciphertext> op) {
        Ciphertext[] out = new Ciphertext[in.length];
        forEach(executor, in.length, i -> out[i] = op.apply(in[i]));
        return out;
    }

    /**
     * @return op(a[i], b[i]) for every i, computed on {@code executor} (e.g. {@code evaluator::multiply})
     * @throws IllegalArgumentException if the arrays differ in length
     */
    public static Ciphertext[] zip(Executor executor, Ciphertext[] a, Ciphertext[] b, BinaryOperator<Ciphertext> op) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("operand arrays differ in length: " + a.length + " and " + b.length);
        }
        Ciphertext[] out = new Ciphertext[a.length];
        forEach(executor, a.length, i -> out[i] = op.apply(a[i], b[i]));
        return out;
    }
}
