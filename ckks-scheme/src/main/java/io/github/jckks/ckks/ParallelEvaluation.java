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
 * Evaluation of independent ciphertexts in parallel, on an executor the caller supplies (a {@link ForkJoinPool}, a
 * fixed thread pool, virtual threads...): the library keeps no threads of its own. The operations given are
 * typically an {@link Evaluator}'s, which one instance serves from many threads at once on different ciphertexts
 * (its key-switching scratch is per thread); an {@link Encryptor} is not thread-safe, so encrypt in parallel with
 * one encryptor per thread.
 *
 * <p>Work is cut into at most {@code 4 x parallelism} contiguous chunks (parallelism: the pool's, or the available
 * processors for other executors), each one task; the call returns when every chunk has run, and rethrows the
 * first failure (unwrapped: an {@link IllegalArgumentException} of an operation arrives as itself) after all
 * chunks have stopped. Results are those of the sequential loop, bit for bit: the operations are deterministic and
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
        CompletableFuture<?>[] tasks = new CompletableFuture<?>[chunks];
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) count * c / chunks);
            int to = (int) ((long) count * (c + 1) / chunks);
            tasks[c] = CompletableFuture.runAsync(() -> {
                for (int i = from; i < to; i++) {
                    body.accept(i);
                }
            }, executor);
        }
        RuntimeException first = null;
        for (CompletableFuture<?> t : tasks) {
            try {
                t.join();
            } catch (CompletionException e) {
                if (first == null) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    first = cause instanceof RuntimeException re ? re : e;
                }
            }
        }
        if (first != null) {
            throw first;
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
