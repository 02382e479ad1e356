package io.github.jckks.cryptonets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CoefficientEncoder;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Serialization;
import io.github.jckks.cryptonets.data.MnistDataset;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsShape;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.clientaided.ClientAidedException;
import io.github.jckks.nn.clientaided.InProcessTransport;
import io.github.jckks.nn.clientaided.MaskingConfig;
import io.github.jckks.nn.clientaided.Message;
import io.github.jckks.nn.clientaided.MessageKind;
import io.github.jckks.nn.clientaided.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client and the server over loopback TCP: in one JVM ({@code --mode tcp}) and as the serve/infer commands. */
class CryptoNetsTcpTest {
    @TempDir
    Path tmp;

    @Test
    void squareNetworkOverLoopbackTcpMatchesPlaintext() throws IOException {
        MnistDataset data = TestData.testSetOrSynthetic(tmp, 128);
        CryptoNetsRun.Report r = new CryptoNetsRun(CryptoNetsWeights.loadBundled(Activation.SQUARE), data, 2, null)
                .warmUp(false).run(128, CryptoNetsRun.Mode.TCP);
        assertEquals(CryptoNetsRun.Mode.TCP, r.mode());
        assertEquals(8192, r.ringDegree());
        assertEquals(1.0, r.agreement(), 1e-12, "every encrypted prediction equals the plaintext one");
        assertEquals(r.plaintextAccuracy(), r.encryptedAccuracy(), 1e-12);
        assertTrue(r.maxLogitError() < 0.02, "max logit error " + r.maxLogitError());
        assertEquals(0, r.rounds());
        assertEquals(1, r.server().inferences());
        // 784 seeded ciphertexts at the top level (about 150 KB each) up, ten three-part ones down, plus the keys
        assertTrue(r.bytesSent() > 784 * 140_000L && r.bytesReceived() > 0, r.bytesSent() + " / " + r.bytesReceived());
        assertTrue(r.handshakeBytes() > 1_000_000, "the relinearization key travels in HELLO: " + r.handshakeBytes());
        assertEquals((r.bytesSent() + r.bytesReceived()) / 128.0, r.bytesPerImage(), 1e-9);
        String json = CryptoNetsCli.toJson(r);
        for (String key : new String[] {"plaintext_accuracy", "encrypted_accuracy", "agreement", "server_images_per_second",
            "end_to_end_images_per_second", "batch_latency_seconds", "peak_heap_bytes", "packing", "images", "ring_degree",
            "security_bits", "activation", "mode", "bytes_per_image"}) {
            assertTrue(json.contains("\"" + key + "\": "), key + " in " + json);
        }
        assertTrue(json.contains("\"mode\": \"tcp\"") && json.contains("\"activation\": \"square\""), json);
    }

    @Test
    void complexPackedSquareNetworkOverLoopbackTcpMatchesPlaintext() throws IOException {
        int images = 4096 + 64; // 64 images in the imaginary parts
        MnistDataset data = TestData.testSetOrSynthetic(tmp, images);
        CryptoNetsRun.Report r = new CryptoNetsRun(CryptoNetsWeights.loadBundled(Activation.SQUARE), data, 2, null)
                .packing(Packing.COMPLEX).warmUp(false).run(images, CryptoNetsRun.Mode.TCP);
        assertEquals(8192, r.batchSize());
        // the server squared complex-packed (it got the conjugation key)
        TestData.assertAgreement(r, TestData.mnistDir() != null);
        assertTrue(CryptoNetsCli.toJson(r).contains("\"packing\": \"complex\""), CryptoNetsCli.toJson(r));
    }

    /**
     * A client's warm-up INFERs at the start of the next session are served and left out of its stats; the session
     * after it counts everything again (the setting is taken by one session).
     */
    @Test
    void uncountedInferencesApplyToTheNextSessionOnly() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            CryptoNetsServer server = new CryptoNetsServer(CryptoNetsWeights.loadBundled(Activation.SQUARE),
                    MaskingConfig.defaults(), pool, Packing.REAL);
            CryptoNetsClient client = new CryptoNetsClient(Activation.SQUARE, pool, Packing.REAL);
            double[][] columns = new double[CryptoNetsShape.INPUT_PIXELS][4];
            server.uncountedInNextSession(1);
            for (int expected : new int[] {1, 2}) {
                InProcessTransport[] pair = InProcessTransport.pairByReference(Duration.ofSeconds(600));
                CompletableFuture<CryptoNetsServer.SessionStats> served = CompletableFuture.supplyAsync(() -> server.serve(pair[1]));
                try (CryptoNetsClient.Session s = client.open(pair[0])) {
                    s.infer(columns);
                    s.infer(columns);
                }
                CryptoNetsServer.SessionStats stats = served.get(600, TimeUnit.SECONDS);
                assertEquals(expected, stats.inferences(), "two served, " + expected + " counted");
                assertTrue(stats.networkSeconds() > 0);
            }
        } finally {
            pool.shutdown();
        }
    }

    /** The SQUARE network squares: a coefficient-packed INFER gets an ERROR naming it, not a RESULT of wrong logits. */
    @Test
    void squareServerRefusesCoefficientPackedBatches() {
        ForkJoinPool pool = new ForkJoinPool(1);
        try {
            CryptoNetsServer server = new CryptoNetsServer(CryptoNetsWeights.loadBundled(Activation.SQUARE),
                    MaskingConfig.defaults(), pool);
            CkksContext ctx = server.context();
            KeyGenerator kg = new KeyGenerator(ctx);
            InProcessTransport[] pair = InProcessTransport.pairByReference(Duration.ofSeconds(60));
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try {
                    server.serve(pair[1]);
                    return "served";
                } catch (ClientAidedException e) {
                    return e.getMessage();
                }
            });
            Transport t = pair[0];
            t.send(Message.hello(Serialization.write(ctx.parameters()), Serialization.write(ctx, kg.evaluationKeys(true, false))));
            assertEquals(MessageKind.HELLO, t.receive().kind());
            CoefficientEncoder ce = new CoefficientEncoder(ctx);
            Encryptor enc = new Encryptor(ctx, kg.secretKey());
            Ciphertext[] in = new Ciphertext[CryptoNetsShape.INPUT_PIXELS];
            for (int p = 0; p < in.length; p++) {
                in[p] = enc.encrypt(ce, new double[] {0.5, 0.25}, ctx.maxLevel(), ctx.parameters().defaultScale());
            }
            t.send(Message.infer(1, in, Packing.COEFFICIENT));
            Message m = t.receive();
            assertEquals(MessageKind.ERROR, m.kind());
            assertTrue(m.text().contains("coefficient-packed"), m.text());
            assertTrue(served.join().contains("needs slots"), served.join());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void serveAndInferCommandsRunTheReluNetworkAcrossTcp() throws Exception {
        Path dir = TestData.mnistDirOrSkip(); // the commands read the official files
        StringWriter serverOut = new StringWriter();
        PortWatcher watcher = new PortWatcher(serverOut);
        CompletableFuture<Integer> server = CompletableFuture.supplyAsync(() -> CryptoNetsCli.commandLine()
                .setOut(new PrintWriter(watcher, true))
                .execute("serve", "--activation", "relu", "--port", "0", "--threads", "2", "--exit-after", "1",
                        "--no-warmup"));
        int port = watcher.port.get(60, TimeUnit.SECONDS);
        String[] args = {"infer", "--activation", "RELU", "--port", Integer.toString(port), "--images", "32", "--json",
            "--data", dir.toString()};
        StringWriter clientOut = new StringWriter();
        int rc = CryptoNetsCli.commandLine().setOut(new PrintWriter(clientOut, true)).execute(args);
        String json = clientOut.toString();
        assertEquals(0, rc, json);
        assertEquals(0, (int) server.get(60, TimeUnit.SECONDS), serverOut.toString());
        assertTrue(json.contains("\"agreement\": 1.000000"), json); // the first 32 test images: logit gaps >= 2
        assertTrue(json.contains("\"activation\": \"relu\"") && json.contains("\"mode\": \"remote\""), json);
        assertTrue(json.contains("\"ring_degree\": 4096") && json.contains("\"activation_rounds\": 2"), json);
        assertTrue(serverOut.toString().contains("1 batch(es), 2 activation round(s)"), serverOut.toString());
    }

    /** Collects the server's output and completes {@link #port} from its "listening on HOST:PORT" line. */
    private static final class PortWatcher extends Writer {
        final CompletableFuture<Integer> port = new CompletableFuture<>();
        private final StringWriter sink;
        private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+)");

        PortWatcher(StringWriter sink) {
            this.sink = sink;
        }

        @Override
        public synchronized void write(char[] cbuf, int off, int len) {
            sink.write(cbuf, off, len);
            Matcher m = LISTENING.matcher(sink.toString());
            if (!port.isDone() && m.find()) {
                port.complete(Integer.parseInt(m.group(1)));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
