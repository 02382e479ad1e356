package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Independent ciphertexts evaluated on the caller's executor: the same residues as the sequential loop, the work on
 * the executor's threads, failures passed through with their type.
 */
class ParallelEvaluationTest {

    private static void assertSameResidues(Ciphertext expected, Ciphertext actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        assertEquals(expected.level(), actual.level(), what);
        assertEquals(expected.scale(), actual.scale(), what);
        for (int p = 0; p < expected.size(); p++) {
            for (int i = 0; i <= expected.level(); i++) {
                assertArrayEquals(expected.part(p).limb(i), actual.part(p).limb(i), what + " part " + p + " limb " + i);
            }
        }
    }

    /**
     * Multiply, relinearize and rescale (one key switch each) and a rotation, over 24 pairs at N = 2<sup>10</sup> and
     * at N = 8192.
     */
    @ParameterizedTest
    @ValueSource(strings = {SchemeFixture.SMALL_40, SchemeFixture.SEAL_8192_COMPOSITE})
    void parallelResultsEqualTheSequentialOnes(String set) {
        SchemeFixture f = SchemeFixture.get(set);
        int count = 24;
        Ciphertext[] a = new Ciphertext[count];
        Ciphertext[] b = new Ciphertext[count];
        for (int i = 0; i < count; i++) {
            a[i] = f.symmetric.encrypt(f.encoder.encode(f.random(2 * i)));
            b[i] = f.symmetric.encrypt(f.encoder.encode(f.random(2 * i + 1)));
        }
        ForkJoinPool pool = new ForkJoinPool(2, p -> {
            java.util.concurrent.ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("test-pool-" + t.getPoolIndex());
            return t;
        }, null, false);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try {
            Ciphertext[] products = ParallelEvaluation.zip(pool, a, b, (x, y) -> {
                threads.add(Thread.currentThread().getName());
                Ciphertext p = f.ev.multiply(x, y);
                f.ev.relinearizeAndRescaleInPlace(p);
                return p;
            });
            Ciphertext[] rotated = ParallelEvaluation.map(pool, products, c -> f.ev.rotate(c, 1));
            for (int i = 0; i < count; i++) {
                Ciphertext p = f.ev.multiply(a[i], b[i]);
                f.ev.relinearizeAndRescaleInPlace(p);
                assertSameResidues(p, products[i], set + " product " + i);
                assertSameResidues(f.ev.rotate(p, 1), rotated[i], set + " rotation " + i);
            }
            double[] x = f.random(0);
            double[] y = f.random(1);
            double[] got = f.encoder.decode(f.decryptor.decrypt(products[0]));
            for (int k = 0; k < f.slots; k++) {
                assertEquals(x[k] * y[k], got[k], f.product, "slot " + k);
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(threads.stream().allMatch(n -> n.startsWith("test-pool-")), "ran on the supplied pool: " + threads);
    }

    @Test
    void failuresArriveWithTheirTypeAndEveryIndexRuns() throws Exception {
        SchemeFixture f = SchemeFixture.get(SchemeFixture.SMALL_40);
        Ciphertext[] a = new Ciphertext[5];
        Ciphertext[] b = new Ciphertext[5];
        for (int i = 0; i < 5; i++) {
            a[i] = f.symmetric.encrypt(f.encoder.encode(f.random(i)));
            b[i] = f.symmetric.encrypt(f.encoder.encode(f.random(i + 10)));
        }
        b[3] = f.ev.multiply(b[3], b[3]); // three parts: multiply refuses it
        ExecutorService executor = Executors.newFixedThreadPool(3);
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ParallelEvaluation.zip(executor, a, b, (x, y) -> f.ev.multiply(x, y)));
            assertTrue(e.getMessage().contains("two-part"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> ParallelEvaluation.zip(executor, a, new Ciphertext[4], (x, y) -> x));
            assertThrows(IllegalArgumentException.class, () -> ParallelEvaluation.forEach(executor, -1, i -> { }));
            int[] hits = new int[1000];
            ParallelEvaluation.forEach(executor, hits.length, i -> hits[i]++);
            for (int h : hits) {
                assertEquals(1, h, "every index exactly once");
            }
            ParallelEvaluation.forEach(executor, 0, i -> {
                throw new AssertionError("no index");
            });
        } finally {
            executor.shutdown();
        }
    }

    /** After a failure the other chunks stop early, and an Error arrives as itself once every chunk has stopped. */
    @Test
    void afterAFailureTheOtherChunksStopAndErrorsPassThrough() {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
            assertThrows(IllegalStateException.class, () -> ParallelEvaluation.forEach(pool, 100_000, i -> {
                ran.incrementAndGet();
                if (i == 0) {
                    throw new IllegalStateException("first index fails");
                }
                long until = System.nanoTime() + 1_000; // about 1 µs per index: the whole range would take 0.1 s
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }));
            // the first chunk fails at once; without the stop flag the 7 others would run all their 87,500 indices
            assertTrue(ran.get() < 50_000, "the other chunks stopped early: " + ran.get() + " indices ran");
            assertThrows(StackOverflowError.class, () -> ParallelEvaluation.forEach(pool, 10, i -> {
                throw new StackOverflowError("an Error, not an exception");
            }));
            java.util.concurrent.ExecutorService refusing = Executors.newSingleThreadExecutor();
            refusing.shutdown();
            assertThrows(java.util.concurrent.RejectedExecutionException.class,
                    () -> ParallelEvaluation.forEach(refusing, 10, i -> { }));
        } finally {
            pool.shutdown();
        }
    }
}
