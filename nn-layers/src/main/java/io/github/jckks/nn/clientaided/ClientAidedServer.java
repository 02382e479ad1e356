package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.EvaluationKeys;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.PublicKey;
import io.github.jckks.ckks.SecurityLevel;
import io.github.jckks.ckks.Serialization;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.MacKernels;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;

/**
 * The server role: holds the model and no secret key. {@link #serve} runs one session on a transport:
 * <ol>
 * <li>HELLO from the client (its parameters, which must equal the server's, its public key, needed for
 * re-randomization, and, when the model switches keys ({@link ClientAidedModel#needsKeySwitching}: a segment that
 * relinearizes, squares under complex packing), its evaluation keys, which this session then evaluates with);
 * the server answers HELLO with its parameters and, if it asks for the inputs below the top level
 * ({@link #withLowestInputLevel}), that level;</li>
 * <li>any number of INFER (encrypted inputs at the default scale, all at one level: the top level L, or at least
 * the level the server asked for) &rarr; the model runs; every
 * client-aided activation round sends ACTIVATE (masked, shuffled, re-randomized values, a fresh round id) and
 * expects ACTIVATED with the same id and count, every ciphertext two-part at the top level and default scale
 * &rarr; RESULT (re-randomized outputs) with the INFER's id;</li>
 * <li>BYE ends the session normally.</li>
 * </ol>
 * Anything else (a disconnect, a time-out, a malformed or oversized frame, a wrong kind, id, count, level or
 * scale, an ERROR from the client) ends that session: the server sends ERROR if it still can, closes the
 * transport and throws {@link ClientAidedException}. Thread-safe: one instance serves many sessions at once,
 * sharing the runtime's pool.
 */
public final class ClientAidedServer {
    private final CkksContext context;
    private final CkksParameters params;
    private final CkksEncoder encoder;
    private final EncryptedRuntime runtime;
    private final ClientAidedModel model;
    private final int inputLevel;
    private final int uncounted;
    private final MaskingConfig masking;
    private volatile Consumer<MaskedReluOracle.RoundAudit> audit;

    /**
     * What a session served.
     *
     * @param inferences      INFERs served and counted (all but the first {@link #withUncountedInferences} of them)
     * @param rounds          activation rounds
     * @param ciphertextsSent ciphertexts sent to the client in rounds
     * @param maskNanos       wall-clock time masking (factors, products, re-randomization, rescale)
     * @param exchangeNanos   wall-clock time waiting for the client's answers (wire and client work)
     * @param unmaskNanos     wall-clock time unmasking
     */
    public record SessionStats(int inferences, long rounds, long ciphertextsSent, long maskNanos, long exchangeNanos,
                               long unmaskNanos) {
    }

    /**
     * @param context the context (its parameters are the only ones accepted from clients)
     * @param model   the model
     * @param masking masking settings
     * @param runtime evaluator (with evaluation keys if the model relinearizes), MAC kernel and pool
     * @throws IllegalArgumentException if the parameters are not deep enough for the model
     */
    public ClientAidedServer(CkksContext context, ClientAidedModel model, MaskingConfig masking, EncryptedRuntime runtime) {
        if (runtime.context() != context) {
            throw new IllegalArgumentException("the runtime was made for another context");
        }
        this.context = context;
        this.params = context.parameters();
        this.encoder = new CkksEncoder(context);
        this.runtime = runtime;
        this.model = model;
        this.masking = masking;
        model.checkLevels(context.maxLevel(), context.maxLevel(), foldsFactors(masking)); // refuses a model too deep for L
        checkFlooding(context, masking);
        this.inputLevel = context.maxLevel();
        this.uncounted = 0;
    }

    /**
     * Refuses flooding that would swamp the values of a one-prime ring: there its layers run unrescaled and send values
     * at scale about q<sub>0</sub> / (2 &middot; 256), so a flooding bound of 2<sup>b</sup> is an error of up to
     * 2<sup>b</sup> &middot; 512 / q<sub>0</sub> per value; refused above 2<sup>-8</sup>. (With a rescaling plan the values
     * leave at the default scale &Delta; and the flooding error 2<sup>b</sup> / &Delta; is the caller's choice.)
     */
    static void checkFlooding(CkksContext context, MaskingConfig masking) {
        if (context.maxLevel() > 0 || masking.floodingBits() == 0) {
            return;
        }
        double q0 = context.ringQ().modulus(0).value();
        double error = Math.scalb(1.0, masking.floodingBits()) * 2 * ClientAidedModel.UNRESCALED_VALUE_BOUND / q0;
        if (error > 0x1p-8) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "flooding of %d bits on a one-prime "
                    + "ring (q0 = 2^%.1f, values at scale q0/512) is an error of up to %.3g per value: use at most %d bits",
                    masking.floodingBits(), Math.log(q0) / Math.log(2), error,
                    (int) Math.floor(Math.log(q0 / (2 * ClientAidedModel.UNRESCALED_VALUE_BOUND)) / Math.log(2)) - 8));
        }
    }

    private ClientAidedServer(ClientAidedServer base, int inputLevel, int uncounted) {
        this.context = base.context;
        this.params = base.params;
        this.encoder = base.encoder;
        this.runtime = base.runtime;
        this.model = base.model;
        this.masking = base.masking;
        this.audit = base.audit;
        this.inputLevel = inputLevel;
        this.uncounted = uncounted;
    }

    /**
     * @return this server asking the clients for their inputs at the lowest level the model can start from
     * ({@link ClientAidedModel#minimumInputLevel}) instead of the top: fewer primes to encrypt, send and compute on
     * before the first round, whose values then leave at level 0. Opt in only when the first activation's masked
     * values fit there: |r x| &Delta; &lt; q<sub>0</sub>/2 (r up to 2<sup>maskBits</sup>); nothing checks it at run
     * time, and values beyond it wrap around modulo q<sub>0</sub>.
     */
    public ClientAidedServer withLowestInputLevel() {
        return new ClientAidedServer(this, model.minimumInputLevel(context.maxLevel(), foldsFactors(masking)), uncounted);
    }

    /**
     * @param inferences how many INFERs at the start of each session to leave out of its {@link SessionStats} (a
     *                   client's warm-up batches, served like any other)
     * @return this server leaving them out
     * @throws IllegalArgumentException for a negative count
     */
    public ClientAidedServer withUncountedInferences(int inferences) {
        if (inferences < 0) {
            throw new IllegalArgumentException("uncounted inferences " + inferences + " < 0");
        }
        return new ClientAidedServer(this, inputLevel, inferences);
    }

    /**
     * @return whether a server with these settings folds its factors into the weights around every ReLU between two
     * linear layers ({@link FoldingReluOracle}): per-ciphertext factors do
     */
    static boolean foldsFactors(MaskingConfig masking) {
        return masking.mode() == MaskMode.PER_CIPHERTEXT;
    }

    /** @return the level this server asks the clients' inputs at in its HELLO: L unless {@link #withLowestInputLevel} */
    public int inputLevel() {
        return inputLevel;
    }

    /** A server without evaluation keys (enough for linear layers and client-aided activations). */
    public ClientAidedServer(CkksContext context, ClientAidedModel model, MaskingConfig masking, ForkJoinPool pool) {
        this(context, model, masking, new EncryptedRuntime(new Evaluator(context, (EvaluationKeys) null), MacKernels.get(), pool));
    }

    /** @return the context */
    public CkksContext context() {
        return context;
    }

    /** @return the model */
    public ClientAidedModel model() {
        return model;
    }

    /** Test hook: sees every round's factors and permutation. */
    void setAudit(Consumer<MaskedReluOracle.RoundAudit> audit) {
        this.audit = audit;
    }

    /**
     * Runs one session to its end.
     *
     * @return what was served
     * @throws ClientAidedException if the session ends abnormally (the transport is closed either way)
     */
    public SessionStats serve(Transport t) {
        int served = 0;
        int inferences = 0;
        long rounds = 0;
        long sent = 0;
        long[] nanos = new long[3];
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
                throw new ClientAidedException("parameter mismatch: client uses " + theirs + ", server uses " + params);
            }
            PublicKey pk = null;
            EvaluationKeys clientKeys = null;
            if (hello.items().length > 3) {
                throw new ClientAidedException("protocol error: the client's HELLO has " + hello.items().length
                        + " items; at most 3 (parameters, public key, evaluation keys)");
            }
            for (int i = 1; i < hello.items().length; i++) {
                byte[] item = hello.items()[i];
                try {
                    Serialization.Kind kind = Serialization.kindOf(item);
                    if (kind == Serialization.Kind.PUBLIC_KEY && pk == null) {
                        pk = Serialization.readPublicKey(context, item);
                    } else if (kind == Serialization.Kind.EVALUATION_KEYS && clientKeys == null) {
                        clientKeys = Serialization.readEvaluationKeys(context, item);
                    } else {
                        throw new ClientAidedException("protocol error: HELLO item " + i + " is a " + kind
                                + "; expected one public key and at most one set of evaluation keys");
                    }
                } catch (IllegalArgumentException e) {
                    throw new ClientAidedException("client HELLO item " + i + " unreadable: " + e.getMessage(), e);
                }
            }
            // the client's keys serve this session only; without them, the server's own (if it was built with any)
            EncryptedRuntime session = clientKeys == null ? runtime : runtime.withEvaluator(new Evaluator(context, clientKeys));
            EvaluationKeys keys = session.evaluator().evaluationKeys();
            if (model.needsKeySwitching(Packing.REAL) && (keys == null || keys.relinearization() == null)) {
                throw new ClientAidedException("this model relinearizes (a segment with a square that more products "
                        + "follow) and needs the client's relinearization key: send evaluation keys in HELLO");
            }
            if (masking.rerandomize() && pk == null) {
                throw new ClientAidedException("this server re-randomizes what it sends and needs the client's public key in HELLO");
            }
            Rerandomizer rerandomizer = masking.rerandomize() ? new Rerandomizer(context, pk, masking.floodingBits()) : null;
            byte[] p = Serialization.write(params);
            // a one-item HELLO means L: clients that predate the input-level item still connect to such a server
            t.send(inputLevel == context.maxLevel() ? Message.hello(p) : Message.serverHello(p, inputLevel));
            long[] roundId = {0};
            // over a copying transport what arrives belongs to this session alone: it is parsed into the runtime's limb
            // pool, and what has been consumed (an INFER's inputs once answered, what a round has sent, the answers once
            // read) goes back there, so a batch reuses the previous one's arrays instead of allocating them
            boolean recycle = t.copiesMessages();
            if (recycle) {
                t.receiveInto(runtime.limbs());
            }
            while (true) {
                Message m = t.receive(model.inputSize()); // an INFER with more ciphertexts is refused unparsed
                switch (m.kind()) {
                    case BYE -> {
                        t.close();
                        return new SessionStats(inferences, rounds, sent, nanos[0], nanos[1], nanos[2]);
                    }
                    case ERROR -> throw new ClientAidedException("client " + t.peer() + " reported: " + m.text());
                    case INFER -> {
                        checkCiphertexts("INFER " + m.requestId(), m.ciphertexts(), model.inputSize(), inputLevel);
                        // complex-packed: biases go to both packed batches; the masks are real, so they scale both
                        // parts alike and ReLU(r z) = r ReLU(z) holds for the real and imaginary parts separately;
                        // coefficient-packed: biases go to every coefficient, and the model refuses what needs slots
                        EncryptedRuntime rt = session.withPacking(m.packing());
                        if (rt.packing() == Packing.COMPLEX && model.needsKeySwitching(Packing.COMPLEX) && (keys == null
                                || keys.galois(io.github.jckks.ckks.GaloisElements.conjugation(context.n())) == null)) {
                            throw new ClientAidedException("INFER " + m.requestId() + " is complex-packed and this model's "
                                    + "squares then conjugate: the client's HELLO must carry the conjugation key");
                        }
                        ActivationChannel channel = masked -> exchange(t, ++roundId[0], masked, recycle ? rt : null);
                        MaskedReluOracle oracle = new MaskedReluOracle(rt, encoder, masking, rerandomizer, channel);
                        oracle.setAudit(audit);
                        Ciphertext[] out = model.forward(m.ciphertexts(), rt, oracle);
                        if (rerandomizer != null) {
                            rt.parallelFor(out.length, i -> {
                                if (out[i].size() == 2) {
                                    rerandomizer.apply(out[i]);
                                }
                            });
                        }
                        t.send(Message.ciphertexts(MessageKind.RESULT, m.requestId(), out));
                        if (recycle) {
                            rt.releaseAll(m.ciphertexts(), out); // the inputs the layers have not released already
                        }
                        if (++served > uncounted) {
                            inferences++;
                            rounds += oracle.rounds();
                            sent += oracle.ciphertextsSent();
                            nanos[0] += oracle.maskNanos();
                            nanos[1] += oracle.exchangeNanos();
                            nanos[2] += oracle.unmaskNanos();
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

    /**
     * One activation round trip on the session's transport, with the answer's checks. With {@code recycle} (a copying
     * transport's session), the limbs of the ciphertexts sent go back to its limb pool once they are on the wire: the
     * masking oracles send ciphertexts made for the round (a linear layer's outputs, masked products, flooded copies),
     * which nothing reads afterwards.
     */
    private Ciphertext[] exchange(Transport t, long id, Ciphertext[] masked, EncryptedRuntime recycle) {
        t.send(Message.ciphertexts(MessageKind.ACTIVATE, id, masked));
        if (recycle != null) {
            recycle.releaseAll(masked.clone(), new Ciphertext[0]);
        }
        Message r = t.receive(masked.length); // an answer with more ciphertexts is refused unparsed
        if (r.kind() == MessageKind.ERROR) {
            throw new ClientAidedException("client " + t.peer() + " reported: " + r.text());
        }
        if (r.kind() != MessageKind.ACTIVATED) {
            throw new ClientAidedException("protocol error: expected ACTIVATED for round " + id + ", got " + r);
        }
        if (r.requestId() != id) {
            throw new ClientAidedException("protocol error: answer carries request id " + r.requestId() + ", expected " + id);
        }
        checkCiphertexts("ACTIVATED " + id, r.ciphertexts(), masked.length);
        return r.ciphertexts();
    }

    /** Fresh encryptions at the top level (activation answers). */
    private void checkCiphertexts(String what, Ciphertext[] cts, int expected) {
        checkCiphertexts(what, cts, expected, context.maxLevel());
    }

    /**
     * Fresh two-part encryptions at the default scale, all at one level in [minLevel, L] (INFER: at least the
     * level this server asked for in its HELLO; activation answers: exactly L).
     */
    private void checkCiphertexts(String what, Ciphertext[] cts, int expected, int minLevel) {
        if (cts.length != expected) {
            throw new ClientAidedException(what + ": wrong count: " + cts.length + " ciphertexts, expected " + expected);
        }
        int top = context.maxLevel();
        double scale = params.defaultScale();
        for (int i = 0; i < cts.length; i++) {
            Ciphertext c = cts[i];
            if (c.size() != 2) {
                throw new ClientAidedException(what + ": ciphertext " + i + " has " + c.size() + " parts, expected 2");
            }
            if (c.level() < minLevel || c.level() != cts[0].level()) {
                throw new ClientAidedException(what + ": ciphertext " + i + " at level " + c.level() + ", expected "
                        + (minLevel == top ? "the top level " + top + " (the client encrypts fresh at the top)"
                        : "one level for all, in [" + minLevel + ", " + top + "] (this server asks for " + minLevel + ")"));
            }
            if (Math.abs(c.scale() - scale) > Evaluator.SCALE_TOLERANCE * scale) {
                throw new ClientAidedException(what + ": ciphertext " + i + " has scale 2^"
                        + String.format("%.4f", Math.log(c.scale()) / Math.log(2)) + ", expected the default scale 2^"
                        + String.format("%.4f", Math.log(scale) / Math.log(2)));
            }
        }
    }
}
