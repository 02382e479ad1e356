package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.EncryptedTensor;
import io.github.jckks.nn.LinearLayer;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.SquareActivation;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * Coefficient packing ({@link Packing#COEFFICIENT}): N images in the coefficients, a client-aided model of linear
 * layers and folded ReLUs. On a one-prime ring (no rescale: {@link LinearLayer#forwardUnrescaled}) and on a two-prime
 * ring (the rescaling plan, biases in every coefficient) it decrypts to the plaintext reference; what needs slots or a
 * masking product is refused by name.
 */
class CoefficientPackingTest {
    static final MaskingConfig FOLDED = MaskingConfig.defaults().withMode(MaskMode.PER_CIPHERTEXT);
    static final ForkJoinPool pool = Fixtures.POOL;

    /** N = 1024, one 30-bit prime, scale 2^11, no special prime (insecure test size; mnist-cryptonets' ring at N = 2048). */
    static CkksContext onePrime() {
        return new CkksContext(CkksParameters.builder().logN(10).dataPrimeBits(30).specialPrimes().scale(0x1p11)
                .insecureForTestsOnly().build());
    }

    /** dense 6->16 -> ReLU -> dense 16->8 -> ReLU -> dense 8->3, values well below the 256 of the unrescaled plan. */
    private static ClientAidedModel threeLayers(Random r) {
        return ClientAidedModel.builder()
                .add(LinearLayer.dense(Fixtures.matrix(r, 16, 6, 0.5), Fixtures.vector(r, 16, 0.3)))
                .relu()
                .add(LinearLayer.dense(Fixtures.matrix(r, 8, 16, 0.5), Fixtures.vector(r, 8, 0.3)))
                .relu()
                .add(LinearLayer.dense(Fixtures.matrix(r, 3, 8, 0.5), Fixtures.vector(r, 3, 0.3)))
                .build();
    }

    private static double encryptedError(ClientAidedModel model, CkksContext ctx, double[][] images) {
        ClientAidedServer server = new ClientAidedServer(ctx, model, FOLDED, pool).withLowestInputLevel();
        double[][] got = InProcessRunner.infer(server, ClientAidedClient.withFreshKeys(ctx), images, Fixtures.limits(),
                Packing.COEFFICIENT);
        return Fixtures.maxError(model.forward(images), got);
    }

    /**
     * One prime, no rescale: inputs at 2^11, weights at q0 / 2^20 (about 2^10), outputs at about q0 / 2^9. The errors:
     * weights quantized to 2^-11, fresh encryptions 20 / 2^11 per value, re-randomization 6 x 3.2 sqrt(4N/3) / 2^21, on
     * values of magnitude 1 through three layers: below 4e-2 (measured 1.5e-2).
     */
    @Test
    void onePrimeNetworkMatchesPlaintextWithoutRescaling() {
        CkksContext ctx = onePrime();
        Random r = new Random(11);
        ClientAidedModel model = threeLayers(r);
        assertTrue(model.unrescaledForm());
        assertEquals(0, model.checkLevels(0, 0, true), "nothing is rescaled on one prime");
        assertEquals(0, model.minimumInputLevel(0, true));
        double[][] images = Fixtures.images(r, ctx.n(), 6, 1); // a full batch: N images, one per coefficient
        double err = encryptedError(model, ctx, images);
        System.out.printf("coefficient packing, one prime, no rescale: max error %.3g%n", err);
        assertTrue(err < 4e-2, "max error " + err);
    }

    /** Two primes: the folded plan rescales as with slots (the rescale divides every coefficient); biases go to all. */
    @Test
    void twoPrimeNetworkMatchesPlaintextWithRescales() {
        CkksContext ctx = Fixtures.smallContext(1);
        Random r = new Random(12);
        ClientAidedModel model = threeLayers(r);
        double[][] images = Fixtures.images(r, 500, 6, 1);
        double err = encryptedError(model, ctx, images);
        System.out.printf("coefficient packing, two primes: max error %.3g%n", err);
        assertTrue(err < 1e-3, "max error " + err);
    }

    @Test
    void whatNeedsSlotsOrMaskingProductsIsRefused() {
        CkksContext ctx = onePrime();
        Random r = new Random(13);
        ClientAidedModel model = threeLayers(r);
        double[][] images = Fixtures.images(r, 8, 6, 1);
        // per-slot masks multiply by a plaintext of factors: no value-wise meaning in the coefficients
        IllegalArgumentException perSlot = assertThrows(IllegalArgumentException.class,
                () -> new ClientAidedServer(ctx, model, MaskingConfig.defaults(), pool));
        assertTrue(perSlot.getMessage().contains("step 0"), perSlot.getMessage());
        CkksContext two = Fixtures.smallContext(3);
        ClientAidedServer slots = new ClientAidedServer(two, model, MaskingConfig.defaults(), pool);
        ClientAidedException refused = assertThrows(ClientAidedException.class, () -> InProcessRunner.infer(slots,
                ClientAidedClient.withFreshKeys(two), images, Fixtures.limits(), Packing.COEFFICIENT));
        assertTrue(refused.getMessage().contains("PER_CIPHERTEXT"), refused.getMessage());
        // a step that is neither linear nor a ReLU between two linear layers
        ClientAidedModel withSquare = ClientAidedModel.builder()
                .add(LinearLayer.dense(Fixtures.matrix(r, 4, 6, 0.5), Fixtures.vector(r, 4, 0.1)))
                .add(new SquareActivation(4))
                .add(LinearLayer.dense(Fixtures.matrix(r, 2, 4, 0.5), Fixtures.vector(r, 2, 0.1)))
                .build();
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(two), MacKernels.get(), pool, Packing.COEFFICIENT);
        ClientAidedClient client = ClientAidedClient.withFreshKeys(two);
        Ciphertext[] in = new Ciphertext[6];
        for (int e = 0; e < in.length; e++) {
            in[e] = client.encrypt(new double[4], Packing.COEFFICIENT, two.maxLevel());
        }
        IllegalArgumentException square = assertThrows(IllegalArgumentException.class, () -> withSquare.forward(in, rt,
                new MaskedReluOracle(rt, new io.github.jckks.ckks.CkksEncoder(two),
                        new MaskingConfig(MaskMode.PER_CIPHERTEXT, 2, false, 0), null, masked -> masked)));
        assertTrue(square.getMessage().contains("step 1") && square.getMessage().contains("COEFFICIENT"), square.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SquareActivation(6).forward(in, rt), "a square");
        io.github.jckks.nn.Sequential squares = io.github.jckks.nn.Sequential.builder()
                .add(LinearLayer.dense(Fixtures.matrix(r, 4, 6, 0.5), Fixtures.vector(r, 4, 0.1)))
                .square()
                .add(LinearLayer.dense(Fixtures.matrix(r, 2, 4, 0.5), Fixtures.vector(r, 2, 0.1)))
                .build();
        IllegalArgumentException sequential = assertThrows(IllegalArgumentException.class, () -> squares.forward(in, rt));
        assertTrue(sequential.getMessage().contains("slot-packed"), sequential.getMessage());
        IllegalArgumentException tensor = assertThrows(IllegalArgumentException.class,
                () -> EncryptedTensor.of(in, 4, Packing.COEFFICIENT, 6));
        assertTrue(tensor.getMessage().contains("slot-packed"), tensor.getMessage());
    }

    /** A one-prime server runs unrescaled layers: a slot-packed INFER would decode their noise 25x larger, refused. */
    @Test
    void aOnePrimeServerRefusesSlotPackedBatches() {
        CkksContext ctx = onePrime();
        Random r = new Random(14);
        ClientAidedModel model = threeLayers(r);
        double[][] images = Fixtures.images(r, 8, 6, 1);
        ClientAidedServer server = new ClientAidedServer(ctx, model, FOLDED, pool);
        for (Packing p : new Packing[] {Packing.REAL, Packing.COMPLEX}) {
            ClientAidedException e = assertThrows(ClientAidedException.class, () -> InProcessRunner.infer(server,
                    ClientAidedClient.withFreshKeys(ctx), images, Fixtures.limits(), p));
            assertTrue(e.getMessage().contains("only COEFFICIENT packing keeps precise"), p + ": " + e.getMessage());
        }
        // flooding above what the unrescaled values' scale (q0 / 512) absorbs is refused when the server is made
        IllegalArgumentException flood = assertThrows(IllegalArgumentException.class,
                () -> new ClientAidedServer(ctx, model, FOLDED.withFloodingBits(24), pool));
        assertTrue(flood.getMessage().contains("use at most 12 bits"), flood.getMessage());
        double err = Fixtures.maxError(model.forward(images), InProcessRunner.infer(
                new ClientAidedServer(ctx, model, FOLDED.withFloodingBits(8), pool).withLowestInputLevel(),
                ClientAidedClient.withFreshKeys(ctx), images, Fixtures.limits(), Packing.COEFFICIENT));
        assertTrue(err < 4e-2, "8 flooding bits: max error " + err);
    }

    /**
     * The activations called directly under coefficient packing: ReLU and ReLU6 with per-ciphertext factors compute
     * value by value (ReLU6's -6 in every coefficient); per-slot factors, a product by a plaintext of factors, are
     * refused instead of decrypting to the convolution of the values with the factors.
     */
    @Test
    void activationsUnderCoefficientPackingActValueByValueOrRefuse() {
        CkksContext ctx = Fixtures.smallContext(2);
        ClientAidedClient client = ClientAidedClient.withFreshKeys(ctx);
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx), MacKernels.get(), pool, Packing.COEFFICIENT);
        ActivationChannel channel = masked -> {
            Ciphertext[] out = new Ciphertext[masked.length];
            for (int k = 0; k < masked.length; k++) {
                double[] v = client.decrypt(masked[k], Packing.COEFFICIENT);
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.max(v[i], 0);
                }
                out[k] = client.encrypt(v, Packing.COEFFICIENT, ctx.maxLevel());
            }
            return out;
        };
        Random r = new Random(15);
        double[] x = new double[ctx.n()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() * 16 - 8;
        }
        MaskedReluOracle perCiphertext = new MaskedReluOracle(rt, new io.github.jckks.ckks.CkksEncoder(ctx),
                new MaskingConfig(MaskMode.PER_CIPHERTEXT, 2, false, 0), null, channel);
        for (ClientAidedActivation act : new ClientAidedActivation[] {new ReluActivation(1), new Relu6Activation(1)}) {
            Ciphertext[] out = act.forward(new Ciphertext[] {client.encrypt(x, Packing.COEFFICIENT, ctx.maxLevel())},
                    perCiphertext, rt);
            double[] got = client.decrypt(out[0], Packing.COEFFICIENT);
            for (int i = 0; i < x.length; i++) {
                assertEquals(act.forward(new double[] {x[i]})[0], got[i], 1e-3, act.describe() + " value " + i);
            }
        }
        MaskedReluOracle perSlot = new MaskedReluOracle(rt, new io.github.jckks.ckks.CkksEncoder(ctx),
                new MaskingConfig(MaskMode.PER_SLOT, 2, false, 0), null, channel);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReluActivation(1)
                .forward(new Ciphertext[] {client.encrypt(x, Packing.COEFFICIENT, ctx.maxLevel())}, perSlot, rt));
        assertTrue(e.getMessage().contains("per-slot mask"), e.getMessage());
    }

    @Test
    void inferMessagesCarryThePacking() {
        CkksContext ctx = onePrime();
        ClientAidedClient client = ClientAidedClient.withFreshKeys(ctx);
        Ciphertext[] c = {client.encrypt(new double[] {1, 2}, Packing.COEFFICIENT, 0)};
        for (Packing p : Packing.values()) {
            Message m = MessageCodec.decode(ctx, MessageCodec.encode(ctx, Message.infer(3, c, p)), 4);
            assertEquals(p, m.packing(), "INFER of " + p);
        }
        byte[] activate = MessageCodec.encode(ctx, Message.ciphertexts(MessageKind.ACTIVATE, 4, c));
        activate[6] = (byte) Message.OP_COEFFICIENT_PACKED;
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(ctx, activate, 4), "packing flag on ACTIVATE");
    }
}
