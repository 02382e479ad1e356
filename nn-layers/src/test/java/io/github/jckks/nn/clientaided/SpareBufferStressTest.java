package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Serialization;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * A pooled {@link TcpTransport} serializes items into the buffers of items it has written: 40 frames of 1 to 60
 * ciphertexts at random levels, seeded and full (items of many sizes), arrive byte for byte as they were sent.
 */
class SpareBufferStressTest {
    @Test
    void framesOfMixedSizesArriveIntact() throws Exception {
        var ctx = PooledTransportTest.CTX;
        KeyGenerator kg = new KeyGenerator(ctx);
        Encryptor sk = new Encryptor(ctx, kg.secretKey());
        Encryptor pk = new Encryptor(ctx, kg.publicKey());
        CkksEncoder enc = new CkksEncoder(ctx);
        Random r = new Random(5);
        int frames = 40;
        Ciphertext[][] msgs = new Ciphertext[frames][];
        for (int f = 0; f < frames; f++) {
            msgs[f] = new Ciphertext[1 + r.nextInt(60)];
            for (int i = 0; i < msgs[f].length; i++) {
                int level = r.nextInt(ctx.maxLevel() + 1);
                double[] v = {r.nextDouble(), -r.nextDouble()};
                msgs[f][i] = r.nextBoolean() ? sk.encrypt(enc, v, level, 0x1p25) : pk.encrypt(enc.encode(v, level, 0x1p25));
            }
        }
        ForkJoinPool pool = new ForkJoinPool(4);
        TransportLimits limits = TransportLimits.defaults().withReadTimeout(Duration.ofSeconds(30));
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
                    TcpTransport t = new TcpTransport(s, ctx, limits, pool);
                    for (int f = 0; f < frames; f++) {
                        t.send(Message.ciphertexts(MessageKind.ACTIVATE, f, msgs[f]));
                    }
                    s.getInputStream().read();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (Socket a = ss.accept()) {
                TcpTransport t = new TcpTransport(a, ctx, limits);
                for (int f = 0; f < frames; f++) {
                    Message m = t.receive(1000);
                    assertEquals(f, m.requestId());
                    for (int i = 0; i < msgs[f].length; i++) {
                        assertArrayEquals(Serialization.write(ctx, msgs[f][i]), Serialization.write(ctx, m.ciphertexts()[i]),
                                "frame " + f + " item " + i);
                    }
                }
            }
            sender.exceptionally(x -> null).join();
        } finally {
            pool.shutdown();
        }
    }
}
