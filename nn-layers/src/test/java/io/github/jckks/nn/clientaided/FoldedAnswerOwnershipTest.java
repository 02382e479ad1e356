package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.Packing;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A {@link FoldingReluOracle} that keeps what {@code reluOfMasked} returned (an audit, a cache) and does not say its
 * answers belong to the caller keeps them intact: the model recycles only answers that belong to it
 * ({@link FoldingReluOracle#answersBelongToCaller}).
 */
class FoldedAnswerOwnershipTest {
    @Test
    void answersKeptByTheOracleAreNotRecycledUnderIt() {
        ForkJoinPool pool = Fixtures.POOL;
        CkksContext ctx = Fixtures.smallContext(1);
        ClientAidedClient client = ClientAidedClient.withFreshKeys(ctx);
        Random r = new Random(6);
        ClientAidedModel model = FoldedMaskingTest.threeLayers(r);
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx), MacKernels.get(), pool, Packing.REAL);
        ActivationChannel channel = Fixtures.reluChannel(client);
        MaskedReluOracle inner = new MaskedReluOracle(rt, new CkksEncoder(ctx),
                new MaskingConfig(MaskMode.PER_CIPHERTEXT, 2, false, 0), null, channel);
        Ciphertext[][] kept = new Ciphertext[1][];
        long[][] snapshot = new long[1][];
        FoldingReluOracle keeping = new FoldingReluOracle() {
            @Override
            public boolean foldsFactors() {
                return true;
            }

            @Override
            public double[] drawFactors(int n) {
                return inner.drawFactors(n);
            }

            @Override
            public Consumer<Ciphertext> firstRescale() {
                return inner.firstRescale();
            }

            @Override
            public Consumer<Ciphertext> rerandomization() {
                return inner.rerandomization();
            }

            @Override
            public Ciphertext[] relu(Ciphertext[] v) {
                return inner.relu(v);
            }

            @Override
            public int outputLevel() {
                return inner.outputLevel();
            }

            @Override
            public Ciphertext[] reluOfMasked(Ciphertext[] masked, double[] factors) {
                Ciphertext[] out = inner.reluOfMasked(masked, factors);
                if (kept[0] == null) { // keep the first round's answers, as an audit or cache would
                    kept[0] = out.clone();
                    snapshot[0] = out[0].part(0).limb(0).clone();
                }
                return out;
            }
        };
        for (int batch = 0; batch < 2; batch++) { // the second batch's layers take the recycled arrays
            Ciphertext[] in = new Ciphertext[6];
            for (int e = 0; e < 6; e++) {
                in[e] = client.encrypt(Fixtures.vector(r, 64, 1));
            }
            model.forward(in, rt, keeping);
        }
        assertArrayEquals(snapshot[0], kept[0][0].part(0).limb(0), "an answer the oracle returned was overwritten");
    }
}
