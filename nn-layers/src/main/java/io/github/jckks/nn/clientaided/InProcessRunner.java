package io.github.jckks.nn.clientaided;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a client and a server in one process over an {@link InProcessTransport} (messages pass through the
 * wire encoding): the server's session on its own thread, the client on the caller's.
 */
public final class InProcessRunner {
    private InProcessRunner() {
    }

    /**
     * @return the decrypted outputs of {@code images}, outputs[b] for image b
     * @throws ClientAidedException if either side fails (the server's failure is preferred: it says why)
     */
    public static double[][] infer(ClientAidedServer server, ClientAidedClient client, double[][] images,
                                   TransportLimits limits) {
        return infer(server, client, images, limits, io.github.jckks.nn.Packing.REAL);
    }

    /** {@link #infer(ClientAidedServer, ClientAidedClient, double[][], TransportLimits)} with the batch packed so. */
    public static double[][] infer(ClientAidedServer server, ClientAidedClient client, double[][] images,
                                   TransportLimits limits, io.github.jckks.nn.Packing packing) {
        InProcessTransport[] pair = InProcessTransport.pair(server.context(), limits);
        AtomicReference<RuntimeException> serverFailure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                server.serve(pair[1]);
            } catch (RuntimeException e) {
                serverFailure.set(e);
            }
        }, "client-aided-in-process-server");
        t.setDaemon(true);
        t.start();
        double[][] out;
        try (ClientAidedClient.Session s = client.open(pair[0])) {
            out = s.infer(images, packing);
        } catch (RuntimeException e) {
            join(t, limits.readTimeout());
            RuntimeException sf = serverFailure.get();
            if (sf != null) {
                sf.addSuppressed(e);
                throw sf;
            }
            throw e;
        }
        join(t, limits.readTimeout());
        if (serverFailure.get() != null) {
            throw serverFailure.get();
        }
        return out;
    }

    private static void join(Thread t, Duration timeout) {
        try {
            t.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
