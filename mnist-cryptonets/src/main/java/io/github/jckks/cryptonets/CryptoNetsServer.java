package io.github.jckks.cryptonets;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.EvaluationKeys;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.GaloisElements;
import io.github.jckks.ckks.SecurityLevel;
import io.github.jckks.ckks.Serialization;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.math.LimbPool;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.Sequential;
import io.github.jckks.nn.clientaided.ClientAidedException;
import io.github.jckks.nn.clientaided.ClientAidedModel;
import io.github.jckks.nn.clientaided.ClientAidedServer;
import io.github.jckks.nn.clientaided.MaskingConfig;
import io.github.jckks.nn.clientaided.Message;
import io.github.jckks.nn.clientaided.MessageKind;
import io.github.jckks.nn.clientaided.TcpSessionServer;
import io.github.jckks.nn.clientaided.Transport;
import io.github.jckks.nn.clientaided.TransportLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.concurrent.ForkJoinPool;

/**
 * The server role of the encrypted CryptoNets: holds the model and no secret key, and serves sessions of the
 * client-aided protocol of {@code io.github.jckks.nn.clientaided} (HELLO, INFER, ..., RESULT, BYE, in
 * {@code MessageCodec} frames) on any {@link Transport}.
 * <ul>
 * <li><b>RELU</b>: a {@link ClientAidedServer} runs {@link EncryptedCryptoNets#buildClientAided}: HELLO carries
 * the client's public key (for re-randomization); every INFER runs two masked ReLU rounds (ACTIVATE/ACTIVATED of
 * 845 and 100 ciphertexts).</li>
 * <li><b>SQUARE</b>: the same messages without activation rounds; HELLO carries the client's evaluation keys
 * (relinearization key) instead of its public key, and RESULT the ten three-part outputs of
 * {@link EncryptedCryptoNets#build}. An INFER marked {@link Message#OP_COMPLEX_PACKED} is evaluated with
 * {@link Packing#COMPLEX complex packing} (N images per batch, a conjugation per square), which needs the
 * conjugation key among the evaluation keys; unmarked ones with real packing.</li>
 * </ul>
 * {@link #listen} serves sessions over TCP. Thread-safe: sessions share the pool.
 */
public final class CryptoNetsServer {
    private final Activation activation;
    private final CkksContext context;
    private final CkksParameters params;
    private final ForkJoinPool pool;
    /** The limb arrays the SQUARE sessions recycle, shared so that a session starts with those of the previous ones. */
    private final LimbPool limbs;
    private final Sequential squareNet;
    private final ClientAidedServer reluServer;
    /** INFERs at the start of the next session left out of its stats (a client's warm-up batches); taken by it. */
    private final java.util.concurrent.atomic.AtomicInteger uncountedNext = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * What one session served.
     *
     * @param inferences   INFERs served and counted (all but a client's warm-up batches, {@link #uncountedInNextSession})
     * @param rounds       activation rounds (RELU)
     * @param ciphertextsSentInRounds ciphertexts sent to the client in activation rounds
     * @param maskSeconds  masking time (RELU)
     * @param unmaskSeconds unmasking time (RELU)
     * @param exchangeSeconds time waiting for the client's answers (RELU)
     * @param networkSeconds time in the network outside activation rounds (SQUARE: the whole forward pass)
     */
    public record SessionStats(int inferences, long rounds, long ciphertextsSentInRounds, double maskSeconds,
                               double unmaskSeconds, double exchangeSeconds, double networkSeconds) {
    }

    /**
     * A server with the default masking (per-slot factors in [1/4, 4], re-randomization, no flooding).
     *
     * @param weights the model (its activation selects the network and the parameters)
     * @param pool    the pool the network runs on
     */
    public CryptoNetsServer(CryptoNetsWeights weights, ForkJoinPool pool) {
        this(weights, MaskingConfig.defaults(), pool);
    }

    /**
     * @param weights the model (its activation selects the network and the parameters)
     * @param masking how the RELU network masks the values it sends (unused by SQUARE)
     * @param pool    the pool the network runs on
     */
    public CryptoNetsServer(CryptoNetsWeights weights, MaskingConfig masking, ForkJoinPool pool) {
        this(weights, masking, pool, Packing.COMPLEX);
    }

    /**
     * @param weights the model (its activation selects the network and the parameters)
     * @param masking how the RELU network masks the values it sends (unused by SQUARE)
     * @param pool    the pool the network runs on
     * @param packing the clients' packing as far as it selects the parameters: {@link Packing#COEFFICIENT} selects
     *                {@link EncryptedCryptoNets#coefficientReluParameters()} (and then only coefficient-packed INFERs
     *                make sense), REAL and COMPLEX the same ring (each INFER says which of the two it is)
     * @throws IllegalArgumentException for coefficient packing with a network or masking it cannot run
     */
    public CryptoNetsServer(CryptoNetsWeights weights, MaskingConfig masking, ForkJoinPool pool, Packing packing) {
        this.activation = weights.activation();
        this.params = EncryptedCryptoNets.parameters(activation, masking.mode(), packing);
        this.context = new CkksContext(params);
        this.pool = pool;
        this.limbs = EncryptedRuntime.newLimbPool(context.n());
        if (activation == Activation.SQUARE) {
            this.squareNet = EncryptedCryptoNets.build(weights);
            if (params.maxLevel() < squareNet.depth()) {
                throw new IllegalStateException("parameters give " + params.maxLevel() + " levels, the network needs "
                        + squareNet.depth());
            }
            this.reluServer = null;
        } else {
            ClientAidedModel model = EncryptedCryptoNets.buildClientAided(weights);
            this.squareNet = null;
            // inputs at level 2 instead of 3 (per-slot masks; 1 = L when folded): the first round then leaves at level 0,
            // where the masked conv outputs (|r x| <= 4 * 4.8 on the test set) have 2^29 / 2^21 = 256 of room
            // (EncryptedCryptoNets.reluParameters, foldedReluParameters)
            this.reluServer = new ClientAidedServer(context, model, masking, pool).withLowestInputLevel();
        }
    }

    /** @return the activation of the served network */
    public Activation activation() {
        return activation;
    }

    /** @return the server's context */
    public CkksContext context() {
        return context;
    }

    /**
     * Runs one session to its end (BYE).
     *
     * @throws ClientAidedException if the session ends abnormally (the transport is closed either way)
     */
    public SessionStats serve(Transport t) {
        int uncounted = uncountedNext.getAndSet(0);
        if (reluServer != null) {
            ClientAidedServer.SessionStats s = reluServer.withUncountedInferences(uncounted).serve(t);
            return new SessionStats(s.inferences(), s.rounds(), s.ciphertextsSent(), s.maskNanos() / 1e9,
                    s.unmaskNanos() / 1e9, s.exchangeNanos() / 1e9, Double.NaN);
        }
        return serveSquare(t, uncounted);
    }

    /**
     * Leaves the first {@code inferences} INFERs of the <b>next</b> session this server starts out of that session's
     * {@link SessionStats} (later sessions count everything again): a client's warm-up batches, sent in the session it
     * then measures (a new session's first frames make the JIT recompile the transport and codec paths, which a
     * warm-up in a session of its own left to the measured batches).
     *
     * @throws IllegalArgumentException for a negative count
     */
    public void uncountedInNextSession(int inferences) {
        if (inferences < 0) {
            throw new IllegalArgumentException("uncounted inferences " + inferences + " < 0");
        }
        uncountedNext.set(inferences);
    }

    private SessionStats serveSquare(Transport t, int uncounted) {
        int served = 0;
        int inferences = 0;
        long networkNanos = 0;
        try {
            Message hello = t.receive();
            if (hello.kind() == MessageKind.ERROR) {
                throw new ClientAidedException("client " + t.peer() + " reported: " + hello.text());
            }
            if (hello.kind() != MessageKind.HELLO) {
                throw new ClientAidedException("protocol error: expected HELLO first, got " + hello);
            }
            CkksParameters theirs;
            try {
                theirs = Serialization.readParameters(hello.items()[0], SecurityLevel.INSECURE_TESTS_ONLY);
            } catch (IllegalArgumentException e) {
                throw new ClientAidedException("client parameters unreadable: " + e.getMessage(), e);
            }
            if (!theirs.equals(params)) {
                throw new ClientAidedException("parameter mismatch: client uses " + theirs + ", this server runs the SQUARE "
                        + "network with " + params + " (start the client with --activation square)");
            }
            if (hello.items().length != 2 || Serialization.kindOf(hello.items()[1]) != Serialization.Kind.EVALUATION_KEYS) {
                throw new ClientAidedException("the SQUARE network needs the client's evaluation keys (relinearization key) "
                        + "as the second item of HELLO");
            }
            EvaluationKeys keys;
            try {
                keys = Serialization.readEvaluationKeys(context, hello.items()[1]);
            } catch (IllegalArgumentException e) {
                throw new ClientAidedException("client evaluation keys unreadable: " + e.getMessage(), e);
            }
            if (keys.relinearization() == null) {
                throw new ClientAidedException("the client's evaluation keys hold no relinearization key");
            }
            // each INFER says whether it is complex-packed (its op byte); complex squares need the conjugation key
            EncryptedRuntime real = new EncryptedRuntime(new Evaluator(context, keys), MacKernels.get(), pool, Packing.REAL,
                    limbs);
            EncryptedRuntime complex = keys.galois(GaloisElements.conjugation(context.n())) != null
                    ? real.withPacking(Packing.COMPLEX) : null;
            t.send(Message.hello(Serialization.write(params)));
            while (true) {
                Message m = t.receive(squareNet.inputSize()); // an INFER with more ciphertexts is refused unparsed
                switch (m.kind()) {
                    case BYE -> {
                        t.close();
                        return new SessionStats(inferences, 0, 0, 0, 0, 0, networkNanos / 1e9);
                    }
                    case ERROR -> throw new ClientAidedException("client " + t.peer() + " reported: " + m.text());
                    case INFER -> {
                        checkInputs("INFER " + m.requestId(), m.ciphertexts());
                        EncryptedRuntime runtime = real;
                        if (m.packing() == Packing.COEFFICIENT) {
                            throw new ClientAidedException("INFER " + m.requestId() + " is coefficient-packed, but the "
                                    + "SQUARE network squares its values, which needs slots: send it real- or complex-packed");
                        }
                        if (m.op() == Message.OP_COMPLEX_PACKED) {
                            if (complex == null) {
                                throw new ClientAidedException("INFER " + m.requestId() + " is complex-packed but the "
                                        + "client's HELLO carried no conjugation key");
                            }
                            runtime = complex;
                        }
                        long t0 = System.nanoTime();
                        Ciphertext[] out = squareNet.forward(m.ciphertexts(), runtime);
                        long nanos = System.nanoTime() - t0;
                        t.send(Message.ciphertexts(MessageKind.RESULT, m.requestId(), out));
                        if (++served > uncounted) {
                            networkNanos += nanos;
                            inferences++;
                        }
                    }
                    default -> throw new ClientAidedException("protocol error: expected INFER or BYE, got " + m);
                }
            }
        } catch (RuntimeException e) {
            ClientAidedException failure = e instanceof ClientAidedException c ? c
                    : new ClientAidedException("session with " + t.peer() + " failed: " + e.getMessage(), e);
            try {
                t.send(Message.error(0, failure.getMessage()));
            } catch (RuntimeException ignored) {
                // the peer may be gone: the session fails either way
            }
            t.close();
            throw failure;
        }
    }

    private void checkInputs(String what, Ciphertext[] cts) {
        if (cts.length != squareNet.inputSize()) {
            throw new ClientAidedException(what + ": wrong count: " + cts.length + " ciphertexts, expected "
                    + squareNet.inputSize());
        }
        for (int i = 0; i < cts.length; i++) {
            Ciphertext c = cts[i];
            if (c.size() != 2 || c.level() != context.maxLevel()
                    || Math.abs(c.scale() - params.defaultScale()) > Evaluator.SCALE_TOLERANCE * params.defaultScale()) {
                throw new ClientAidedException(what + ": ciphertext " + i + " is " + c + "; expected two parts at the top level "
                        + context.maxLevel() + " and the default scale");
            }
        }
    }

    /**
     * Starts serving over TCP.
     *
     * @param bind        address to bind, e.g. 127.0.0.1
     * @param port        port, 0 for an ephemeral one ({@link Listener#port()})
     * @param maxSessions sessions served at once (up to 4 x as many further connections wait in a queue, more are closed)
     * @param limits      frame, count and time-out bounds for every connection
     * @param listener    told how each session ended (may be null)
     * @throws IOException if the port cannot be bound
     */
    public Listener listen(InetAddress bind, int port, int maxSessions, TransportLimits limits, SessionListener listener)
            throws IOException {
        return new Listener(bind, port, maxSessions, limits, listener);
    }

    /** Told how each TCP session ended, on the session's thread. */
    @FunctionalInterface
    public interface SessionListener {
        /**
         * @param peer      the client's address
         * @param stats     what was served (null if the session failed)
         * @param bytesSent bytes the server sent (framed)
         * @param bytesReceived bytes it received
         * @param failure   null if the session ended with BYE
         */
        void sessionEnded(SocketAddress peer, SessionStats stats, long bytesSent, long bytesReceived, Throwable failure);
    }

    /**
     * A TCP listener: nn-layers' {@link TcpSessionServer} (one accept thread, {@code maxSessions} session threads,
     * a bounded queue beyond them) serving this server's sessions, with ciphertexts serialized and parsed on the
     * server's pool.
     */
    public final class Listener implements AutoCloseable {
        private final TcpSessionServer<SessionStats> server;

        private Listener(InetAddress bind, int port, int maxSessions, TransportLimits limits, SessionListener listener)
                throws IOException {
            this.server = new TcpSessionServer<>(context, CryptoNetsServer.this::serve, bind, port, maxSessions, limits, pool,
                    listener == null ? null : (id, peer, stats, sent, received, failure)
                            -> listener.sessionEnded(peer, stats, sent, received, failure));
        }

        /** @return the bound port */
        public int port() {
            return server.port();
        }

        /** @return the bound address */
        public InetAddress address() {
            return server.address();
        }

        /** Stops accepting; running sessions get up to 5 s to end, then are interrupted. */
        @Override
        public void close() {
            server.close();
        }
    }
}
