import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Plaintext;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.ToLongFunction;

/**
 * The scheme operations {@code bin/ab} compares, at SEAL's sizes with composite scaling (logN 13:
 * seal8192Composite, 14: general16384Composite), called as SchemeBenchmark calls them: into reused
 * destinations, relinearize and rescale in place on an operand refilled outside the timer. Each call of
 * {@link #applyAsLong} runs one operation 20 times and returns the mean thread CPU time in ns. Uses only
 * the public API, so one compiled copy runs against either build.
 */
public final class AbOps implements ToLongFunction<String> {
    private static final int REPS = 20;
    private final Evaluator ev;
    private final Ciphertext a;
    private final Ciphertext b;
    private final Ciphertext product;
    private final Plaintext plain;
    private final RnsPoly[] dest2;
    private final RnsPoly[] dest3;
    private final ThreadMXBean bean = ManagementFactory.getThreadMXBean();

    public AbOps(Integer logN) {
        if (logN != 13 && logN != 14) {
            throw new IllegalArgumentException("logN " + logN + ": 13 (seal8192Composite) or 14 (general16384Composite)");
        }
        CkksParameters params = logN == 13 ? CkksParameters.seal8192Composite() : CkksParameters.general16384Composite();
        CkksContext ctx = new CkksContext(params);
        CkksEncoder enc = new CkksEncoder(ctx);
        KeyGenerator kg = new KeyGenerator(ctx);
        Encryptor encryptor = new Encryptor(ctx, kg.publicKey());
        ev = new Evaluator(ctx, kg.evaluationKeys(true, true, 1));
        double[] v = new double[params.slots()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sin(i);
        }
        plain = enc.encode(v);
        a = encryptor.encrypt(plain);
        b = encryptor.encrypt(plain);
        product = ev.multiply(a, b);
        RnsRing ring = ctx.ringQ();
        int k = a.level() + 1;
        dest2 = new RnsPoly[] {ring.newPoly(k, true), ring.newPoly(k, true)};
        dest3 = new RnsPoly[] {ring.newPoly(k, true), ring.newPoly(k, true), ring.newPoly(k, true)};
    }

    @Override
    public long applyAsLong(String op) {
        long total = 0;
        for (int i = 0; i < REPS; i++) {
            Ciphertext three = op.equals("relinearize") ? product.copy() : null;
            Ciphertext two = op.equals("rescale") ? ev.relinearize(product) : null;
            long t0 = bean.getCurrentThreadCpuTime();
            switch (op) {
                case "add" -> ev.addInto(a, b, dest2);
                case "addPlain" -> ev.addPlainInto(a, plain, dest2);
                case "multiplyPlain" -> ev.multiplyPlainInto(a, plain, dest2);
                case "multiply" -> ev.multiplyInto(a, b, dest3);
                case "relinearize" -> ev.relinearizeInPlace(three);
                case "rescale" -> ev.rescaleInPlace(two);
                case "rotate" -> ev.rotateInto(a, 1, dest2);
                case "conjugate" -> ev.conjugateInto(a, dest2);
                case "mrr" -> {
                    Ciphertext p = ev.multiplyInto(a, b, dest3);
                    ev.relinearizeInPlace(p);
                    ev.rescaleInPlace(p);
                }
                default -> throw new IllegalArgumentException("operation " + op + ": add, addPlain, multiplyPlain, "
                        + "multiply, relinearize, rescale, rotate, conjugate or mrr");
            }
            total += bean.getCurrentThreadCpuTime() - t0;
        }
        return total / REPS;
    }
}
