package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.math.LimbPool;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every plan of a {@link LinearLayer} after a square (relinearized or not, one or two rescales, integer weights) hands
 * back to the runtime's limb pool only arrays that nothing uses, each once, and still computes right when the next run
 * takes its outputs from those arrays.
 */
class LinearLayerPoolTortureTest {

    private static void addAll(Set<long[]> s, Ciphertext[] cts) {
        for (Ciphertext c : cts) {
            for (int p = 0; p < c.size(); p++) {
                for (int l = 0; l < c.part(p).limbCount(); l++) {
                    s.add(c.part(p).limb(l));
                }
            }
        }
    }

    /** drains the pool, asserting no array twice and none a live ciphertext uses, then puts them back */
    private static void checkPool(LimbPool pool, Ciphertext[]... live) {
        Set<long[]> used = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Ciphertext[] l : live) {
            addAll(used, l);
        }
        int n = pool.size();
        Set<long[]> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long[][] drained = new long[n][];
        for (int i = 0; i < n; i++) {
            drained[i] = pool.takeArray();
            assertTrue(seen.add(drained[i]), "an array pooled twice");
            assertTrue(!used.contains(drained[i]), "a pooled array is still used by a live ciphertext");
        }
        for (long[] a : drained) {
            pool.release(a);
        }
    }

    @Test
    void everyPlanReleasesOnlyFreeArrays() {
        Random r = new Random(7);
        Harness h = new Harness(Packing.REAL, Harness.POOL, 4);
        double[][] images = h.images(new Random(8), 6, -1, 1);
        double[][] w = Harness.matrix(r, 5, 6, 0.4);
        double[] b = Harness.vector(r, 5, 0.1);
        double[][] wi = new double[5][6];
        for (int o = 0; o < 5; o++) {
            for (int i = 0; i < 6; i++) {
                wi[o][i] = r.nextInt(5) - 2;
            }
        }
        LinearLayer[] plans = {
            LinearLayer.dense(w, b).withPlan(2, true),
            LinearLayer.dense(w, b).withPlan(1, true),
            LinearLayer.dense(w, b).withPlan(1, false),
            LinearLayer.dense(w, b).withPlan(2, false),
            LinearLayer.dense(wi, b).withIntegerPlan(1, true),
            LinearLayer.dense(wi, b).withIntegerPlan(1, false),
        };
        SquareActivation sq = new SquareActivation(6);
        for (int round = 0; round < 3; round++) {
            for (LinearLayer plan : plans) {
                EncryptedRuntime rt = h.rt;
                Ciphertext[] in = h.encrypt(images);
                Ciphertext[] s = sq.forward(in, rt);
                checkPool(rt.limbs(), in, s);
                Ciphertext[] out = plan.forward(s, rt);
                checkPool(rt.limbs(), in, s, out);
                Ciphertext[] out2 = plan.forward(s, rt); // reuses the arrays just released
                checkPool(rt.limbs(), in, s, out, out2);
                for (Ciphertext[] o : new Ciphertext[][] {out, out2}) {
                    Ciphertext[] two = o;
                    if (two[0].size() == 3) {
                        two = new Ciphertext[o.length];
                        for (int i = 0; i < o.length; i++) {
                            two[i] = rt.evaluator().relinearize(o[i]);
                        }
                    }
                    double[][] got = h.decrypt(two);
                    for (int bb = 0; bb < images.length; bb++) {
                        double[] x = images[bb].clone();
                        for (int i = 0; i < x.length; i++) {
                            x[i] *= x[i];
                        }
                        double[] want = plan.forward(x);
                        for (int k = 0; k < want.length; k++) {
                            assertEquals(want[k], got[k][bb], 2e-2, plan.describe() + " image " + bb + " output " + k);
                        }
                    }
                }
                rt.releaseAll(out, new Ciphertext[0]);
                rt.releaseAll(out2, new Ciphertext[0]);
                rt.releaseAll(s, new Ciphertext[0]);
                checkPool(rt.limbs(), in);
            }
        }
    }
}
