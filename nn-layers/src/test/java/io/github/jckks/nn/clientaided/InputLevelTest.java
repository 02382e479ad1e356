package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.Serialization;
import io.github.jckks.nn.LinearLayer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The server asks for the inputs at the lowest level its model can start from (its HELLO's second item); the
 * client encrypts there; results are the same as from the top; a server refuses inputs below its level or at
 * mixed levels, and a client refuses a level outside [0, L].
 */
class InputLevelTest {
    private static final ForkJoinPool POOL = new ForkJoinPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    private static LinearLayer dense(Random r, int out, int in) {
        return LinearLayer.dense(Fixtures.matrix(r, out, in, 0.5), Fixtures.vector(r, out, 0.1));
    }

    @Test
    void minimumInputLevelIsTheFirstSegmentPlusTheMaskRescale() {
        Random r = new Random(1);
        assertEquals(2, ClientAidedModel.builder().add(dense(r, 4, 3)).relu().add(dense(r, 2, 4)).build().minimumInputLevel(3),
                "dense (1) + the mask's rescale (1)");
        assertEquals(3, ClientAidedModel.builder().add(dense(r, 4, 3)).add(dense(r, 4, 4)).relu().add(dense(r, 2, 4)).build()
                .minimumInputLevel(3), "two linear layers before the first round");
        assertEquals(1, ClientAidedModel.builder().add(new ReluActivation(3)).add(dense(r, 2, 3)).build().minimumInputLevel(3),
                "an activation first: only the mask's rescale");
        assertEquals(1, ClientAidedModel.builder().add(dense(r, 2, 3)).build().minimumInputLevel(3), "no round: one rescale");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientAidedModel.builder()
                .add(dense(r, 4, 3)).add(dense(r, 4, 4)).relu().add(dense(r, 2, 4)).build().minimumInputLevel(2));
        assertTrue(e.getMessage().contains("no level left"), e.getMessage());
    }

    @Test
    void theClientEncryptsAtTheServersLevelAndGetsTheSameResults() {
        CkksContext ctx = Fixtures.smallContext(3); // L = 3, the model needs 2
        Random r = new Random(2);
        ClientAidedModel model = ClientAidedNetworkTest.denseReluDense(r, 6, 8, 3);
        ClientAidedServer atTop = new ClientAidedServer(ctx, model, MaskingConfig.defaults(), POOL);
        assertEquals(3, atTop.inputLevel(), "by default the inputs enter at L");
        ClientAidedServer server = atTop.withLowestInputLevel();
        assertEquals(2, server.inputLevel());
        double[][] images = Fixtures.images(r, 64, 6, 1.5);
        double[][] expected = model.forward(images);
        InProcessTransport[] pair = InProcessTransport.pair(ctx, Fixtures.limits());
        CompletableFuture<ClientAidedServer.SessionStats> served = CompletableFuture.supplyAsync(() -> server.serve(pair[1]));
        try (ClientAidedClient.Session s = ClientAidedClient.withFreshKeys(ctx).open(pair[0])) {
            assertEquals(2, s.inputLevel(), "the level the server's HELLO asked for");
            double[][] got = s.infer(images);
            assertTrue(Fixtures.maxError(expected, got) < 1e-3, "error " + Fixtures.maxError(expected, got));
        }
        assertEquals(1, served.join().inferences());
    }

    @Test
    void serverAcceptsInputsAtOrAboveItsLevelAndRefusesLowerOrMixedOnes() {
        CkksContext ctx = Fixtures.smallContext(3);
        Random r = new Random(3);
        ClientAidedModel model = ClientAidedNetworkTest.denseReluDense(r, 2, 3, 1);
        ClientAidedServer server = new ClientAidedServer(ctx, model, MaskingConfig.defaults(), POOL).withLowestInputLevel();
        ClientAidedClient client = ClientAidedClient.withFreshKeys(ctx);
        for (int[] levels : new int[][] {{3, 3}, {2, 2}, {1, 1}, {2, 3}}) {
            boolean accepted = levels[0] == levels[1] && levels[0] >= 2;
            InProcessTransport[] pair = InProcessTransport.pair(ctx, Fixtures.limits());
            CompletableFuture<ClientAidedServer.SessionStats> served = CompletableFuture.supplyAsync(() -> server.serve(pair[1]));
            ClientAidedClient.Session s = client.open(pair[0]);
            Ciphertext[] in = {client.encrypt(new double[] {0.5}, levels[0]), client.encrypt(new double[] {-0.5}, levels[1])};
            if (accepted) {
                assertEquals(1, s.inferEncrypted(in).length, "inputs at levels " + levels[0] + ", " + levels[1]);
                s.close();
                assertEquals(1, served.join().inferences(), "the server served it and ended normally");
            } else {
                ClientAidedException e = assertThrows(ClientAidedException.class, () -> s.inferEncrypted(in));
                assertTrue(e.getMessage().contains("level"), e.getMessage());
                ClientAidedException fromServer = assertThrows(java.util.concurrent.CompletionException.class, served::join)
                        .getCause() instanceof ClientAidedException c ? c : null;
                assertTrue(fromServer != null && fromServer.getMessage().contains("level"), "the server refused it: " + fromServer);
            }
        }
    }

    @Test
    void aServerAtTheTopLevelSendsTheOneItemHelloOfEarlierVersions() {
        CkksContext ctx = Fixtures.smallContext(2);
        ClientAidedModel model = ClientAidedNetworkTest.denseReluDense(new Random(4), 2, 3, 1);
        ClientAidedServer server = new ClientAidedServer(ctx, model, MaskingConfig.defaults(), POOL);
        InProcessTransport[] pair = InProcessTransport.pair(ctx, Fixtures.limits());
        CompletableFuture.runAsync(() -> server.serve(pair[1]));
        pair[0].send(Message.hello(Serialization.write(ctx.parameters()),
                Serialization.write(ctx, new io.github.jckks.ckks.KeyGenerator(ctx).publicKey())));
        Message hello = pair[0].receive();
        assertEquals(MessageKind.HELLO, hello.kind());
        assertEquals(1, hello.items().length, "no input-level item when the inputs enter at L");
        pair[0].send(Message.bye());
    }

    @Test
    void clientRefusesALevelOutsideTheChain() {
        CkksContext ctx = Fixtures.smallContext(2);
        byte[] params = Serialization.write(ctx.parameters());
        assertEquals(2, Message.hello(params).requestedInputLevel(2), "no level item: the top");
        assertEquals(1, Message.serverHello(params, 1).requestedInputLevel(2));
        assertThrows(ClientAidedException.class, () -> Message.serverHello(params, 3).requestedInputLevel(2));
        assertThrows(ClientAidedException.class, () -> Message.serverHello(params, -1).requestedInputLevel(2));
        assertThrows(ClientAidedException.class, () -> Message.hello(params, new byte[3]).requestedInputLevel(2));
        InProcessTransport[] pair = InProcessTransport.pair(ctx, Fixtures.limits().withReadTimeout(Duration.ofSeconds(5)));
        CompletableFuture.runAsync(() -> {
            pair[1].receive();
            pair[1].send(Message.serverHello(params, 7));
        });
        ClientAidedException e = assertThrows(ClientAidedException.class, () -> ClientAidedClient.withFreshKeys(ctx).open(pair[0]));
        assertTrue(e.getMessage().contains("level 7"), e.getMessage());
    }
}
