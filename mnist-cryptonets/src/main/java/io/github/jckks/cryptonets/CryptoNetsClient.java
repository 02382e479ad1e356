package io.github.jckks.cryptonets;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CoefficientEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.EvaluationKeys;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Plaintext;
import io.github.jckks.ckks.PublicKey;
import io.github.jckks.ckks.SecretKey;
import io.github.jckks.ckks.SecurityLevel;
import io.github.jckks.ckks.Serialization;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.math.LimbPool;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.clientaided.ClientAidedException;
import io.github.jckks.nn.clientaided.MaskMode;
import io.github.jckks.nn.clientaided.Message;
import io.github.jckks.nn.clientaided.MessageKind;
import io.github.jckks.nn.clientaided.Transport;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;

/**
 * The client (key-holder) role of the encrypted CryptoNets, speaking the protocol of
 * {@code io.github.jckks.nn.clientaided} like {@code ClientAidedClient}, but with its cryptographic work spread over
 * a pool: it encrypts a batch with batch-axis packing (pixel p of image i in slot i of ciphertext p, secret-key
 * encryption at the top level, so ciphertexts travel seeded at half size), answers the server's masked ReLU
 * rounds (decrypt, ReLU on the real parts, and on the imaginary parts of a complex-packed batch, fresh encryption at
 * the top level, one ciphertext per task) and
 * decrypts the ten outputs. For the SQUARE network it sends its evaluation keys (relinearization key) in HELLO
 * instead of its public key, and there are no rounds. Thread-safe; each session is used by one thread.
 */
public final class CryptoNetsClient {
    /** Bound on activation rounds per inference: the network has two. */
    public static final int MAX_ROUNDS = 16;
    private final Activation activation;
    private final CkksContext context;
    private final CkksParameters params;
    private final CkksEncoder encoder;
    private final CoefficientEncoder coefficients;
    private final SecretKey secretKey;
    private final byte[] keyItem;
    private final Decryptor decryptor;
    private final ThreadLocal<Encryptor> encryptors;
    /**
     * The limb arrays of the ciphertexts this client encrypts: handed back once a transport that sends copies has sent
     * them ({@link Transport#copiesMessages}), so a session's encryptions reuse a message's worth of memory.
     */
    private final LimbPool limbs;
    /** One answering scratch per thread ({@link AnswerScratch}). */
    private final ThreadLocal<AnswerScratch> answerScratch;
    private final ForkJoinPool pool;
    private final double keygenSeconds;
    private final Packing packing;

    /**
     * A client with {@link Packing#REAL real packing}.
     *
     * @param activation the network the server runs (selects the parameters and the keys)
     * @param pool       the pool for encryption, answers and decryption
     */
    public CryptoNetsClient(Activation activation, ForkJoinPool pool) {
        this(activation, pool, Packing.REAL);
    }

    /**
     * Generates fresh keys: the secret key and, for RELU, the public key (for the server's re-randomization);
     * for SQUARE, the relinearization key.
     *
     * @param activation the network the server runs (selects the parameters and the keys)
     * @param pool       the pool for encryption, answers and decryption
     * @param packing    REAL (N/2 images per batch) or COMPLEX (up to N images per batch, two real batches in the real
     *                   and imaginary parts; an INFER is marked complex-packed when its batch exceeds N/2 images, so a
     *                   last, smaller batch goes real-packed at half the cost; for SQUARE the evaluation keys then
     *                   include the conjugation key, for RELU nothing changes but the client's ReLU on both parts)
     */
    public CryptoNetsClient(Activation activation, ForkJoinPool pool, Packing packing) {
        this(activation, MaskMode.PER_SLOT, pool, packing);
    }

    /**
     * As {@link #CryptoNetsClient(Activation, ForkJoinPool, Packing)} for a server masking with {@code mask}, which
     * selects the RELU parameters ({@link EncryptedCryptoNets#parameters(Activation, MaskMode)}).
     */
    public CryptoNetsClient(Activation activation, MaskMode mask, ForkJoinPool pool, Packing packing) {
        this.packing = packing;
        this.activation = activation;
        this.params = EncryptedCryptoNets.parameters(activation, mask, packing);
        this.pool = pool;
        long t0 = System.nanoTime();
        this.context = new CkksContext(params);
        KeyGenerator kg = new KeyGenerator(context);
        this.secretKey = kg.secretKey();
        if (activation == Activation.SQUARE) {
            EvaluationKeys keys = kg.evaluationKeys(true, packing == Packing.COMPLEX);
            this.keyItem = Serialization.write(context, keys);
        } else {
            PublicKey pk = kg.publicKey();
            this.keyItem = Serialization.write(context, pk);
        }
        this.keygenSeconds = (System.nanoTime() - t0) / 1e9;
        this.encoder = new CkksEncoder(context);
        this.coefficients = new CoefficientEncoder(context);
        this.decryptor = new Decryptor(context, secretKey);
        this.limbs = LimbPool.holding(context.n(), 256L << 20);
        this.encryptors = ThreadLocal.withInitial(() -> new Encryptor(context, secretKey, limbs));
        this.answerScratch = ThreadLocal.withInitial(() -> AnswerScratch.of(context));
    }

    /** @return the client's context */
    public CkksContext context() {
        return context;
    }

    /** @return the parameters */
    public CkksParameters parameters() {
        return params;
    }

    /** @return images per batch: the number of slots, twice that with complex packing */
    public int batchSize() {
        return packing.imagesPerCiphertext(params.slots());
    }

    /** @return the pool the client encrypts, answers and decrypts on */
    ForkJoinPool pool() {
        return pool;
    }

    /** @return how a batch is packed */
    public Packing packing() {
        return packing;
    }

    /** @return seconds spent generating and serializing the keys */
    public double keygenSeconds() {
        return keygenSeconds;
    }

    /**
     * Opens a session: sends HELLO (parameters and the public or evaluation keys) and waits for the server's HELLO.
     *
     * @throws ClientAidedException if the server refuses or the handshake fails (the transport is closed)
     */
    public Session open(Transport t) {
        try {
            t.send(Message.hello(Serialization.write(params), keyItem));
            Message m = t.receive();
            if (m.kind() == MessageKind.ERROR) {
                throw new ClientAidedException("server " + t.peer() + " refused the session: " + m.text());
            }
            int inputLevel = m.requestedInputLevel(params.maxLevel());
            CkksParameters theirs = Serialization.readParameters(m.items()[0], SecurityLevel.INSECURE_TESTS_ONLY);
            if (!theirs.equals(params)) {
                throw new ClientAidedException("parameter mismatch: server uses " + theirs + ", client uses " + params
                        + " for the " + activation + " network");
            }
            return new Session(t, inputLevel);
        } catch (RuntimeException e) {
            t.close();
            throw e instanceof ClientAidedException c ? c : new ClientAidedException("handshake failed: " + e.getMessage(), e);
        }
    }

    /**
     * What one batch took, from the client's side.
     *
     * @param logits           logits[c][i] = logit c of image i of the batch (divided by the network's divisor)
     * @param encryptNanos     encrypting the inputs
     * @param exchangeNanos    from sending INFER to receiving RESULT (the server's work, the wire both ways and the
     *                         client's answers)
     * @param answerNanos      answering activation rounds (decrypt, ReLU, encrypt), part of {@code exchangeNanos}
     * @param decryptNanos     decrypting the outputs
     * @param rounds           activation rounds answered
     * @param answered         ciphertexts answered
     * @param complex          whether the batch went complex-packed (a batch that fits the slots goes real-packed)
     */
    public record Batch(double[][] logits, long encryptNanos, long exchangeNanos, long answerNanos, long decryptNanos,
                        int rounds, long answered, boolean complex) {
    }

    /** One session on a transport. Not thread-safe. */
    public final class Session implements AutoCloseable {
        private final Transport transport;
        private long nextId = 1;
        private boolean closed;

        private final int inputLevel;

        private Session(Transport transport, int inputLevel) {
            this.transport = transport;
            if (transport.copiesMessages()) {
                transport.receiveInto(limbs); // ACTIVATE's ciphertexts, released once answered (recycle)
            }
            this.inputLevel = inputLevel;
        }

        /** @return the level the inputs are encrypted at: the one the server's HELLO asked for (RELU: L - 1) */
        public int inputLevel() {
            return inputLevel;
        }

        /**
         * Encrypted inference on one batch.
         *
         * @param columns columns[p][i] = input p of image i (at most {@link #batchSize()} images, equal lengths)
         * @return the decrypted logits and the times
         * @throws ClientAidedException on any protocol failure or an ERROR from the server (the session is closed)
         */
        public Batch infer(double[][] columns) {
            if (closed) {
                throw new IllegalStateException("session closed");
            }
            int count = columns[0].length;
            if (count < 1 || count > batchSize()) {
                throw new IllegalArgumentException("batch of " + count + " images, allowed [1, " + batchSize() + "]");
            }
            long t0 = System.nanoTime();
            // complex packing only when the batch does not fit the slots: a smaller batch costs half as real-packed
            Packing batchPacking = packing == Packing.COMPLEX && count <= params.slots() ? Packing.REAL : packing;
            boolean complex = batchPacking == Packing.COMPLEX;
            long id = nextId++;
            Message request = Message.infer(id, encryptBatch(columns, batchPacking), batchPacking);
            long t1 = System.nanoTime();
            int rounds = 0;
            long answered = 0;
            long answerNanos = 0;
            Ciphertext[] out;
            try {
                transport.send(request);
                recycle(request);
                request = null; // sent: over TCP the batch (600 MB at N = 8192) need not stay live while the server works
                while (true) {
                    Message m = transport.receive();
                    if (m.kind() == MessageKind.ACTIVATE) {
                        if (++rounds > MAX_ROUNDS) {
                            throw new ClientAidedException("server asked for more than " + MAX_ROUNDS + " activation rounds");
                        }
                        long a0 = System.nanoTime();
                        Ciphertext[] answer = answer(m.ciphertexts(), batchPacking);
                        answerNanos += System.nanoTime() - a0;
                        answered += answer.length;
                        Message activated = Message.ciphertexts(MessageKind.ACTIVATED, m.requestId(), answer);
                        transport.send(activated);
                        recycle(activated);
                        recycle(m);
                    } else if (m.kind() == MessageKind.RESULT) {
                        if (m.requestId() != id) {
                            throw new ClientAidedException("protocol error: RESULT for request " + m.requestId()
                                    + ", expected " + id);
                        }
                        out = m.ciphertexts();
                        break;
                    } else if (m.kind() == MessageKind.ERROR) {
                        throw new ClientAidedException("server " + transport.peer() + " reported: " + m.text());
                    } else {
                        throw new ClientAidedException("protocol error: unexpected " + m + " during request " + id);
                    }
                }
            } catch (RuntimeException e) {
                closed = true;
                try {
                    transport.send(Message.error(id, e.getMessage()));
                } catch (RuntimeException ignored) {
                    // the peer may be gone
                }
                transport.close();
                throw e instanceof ClientAidedException c ? c : new ClientAidedException("request " + id + " failed: "
                        + e.getMessage(), e);
            }
            long t2 = System.nanoTime();
            double[][] logits = new double[out.length][];
            Ciphertext[] result = out;
            parallel(out.length, c -> logits[c] = decodeColumn(result[c], count, batchPacking));
            long t3 = System.nanoTime();
            return new Batch(logits, t1 - t0, t2 - t1, answerNanos, t3 - t2, rounds, answered, complex);
        }

        /** @return the batch's columns encrypted at the session's input level, one ciphertext per column, in parallel */
        private Ciphertext[] encryptBatch(double[][] columns, Packing batchPacking) {
            Ciphertext[] input = new Ciphertext[columns.length];
            parallel(columns.length, p -> input[p] = batchPacking == Packing.COEFFICIENT
                    ? encryptors.get().encrypt(coefficients, columns[p], inputLevel, params.defaultScale())
                    : encryptColumn(columns[p], inputLevel));
            return input;
        }

        /**
         * Hands the arrays of a message's ciphertexts back to the client's pool once they are consumed, if the transport
         * copies messages: this client's encryptions once sent, the server's once answered (received into the pool).
         */
        private void recycle(Message consumed) {
            if (!transport.copiesMessages()) {
                return;
            }
            consumed.releaseCiphertextsTo(limbs);
        }

        /** Ends the session (BYE) and closes the transport. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    transport.send(Message.bye());
                } catch (RuntimeException ignored) {
                    // already gone
                }
                transport.close();
            }
        }
    }

    /** Decrypts, applies ReLU to the values, re-encrypts fresh at the top level: one task per ciphertext. */
    private Ciphertext[] answer(Ciphertext[] cts, Packing batchPacking) {
        Ciphertext[] out = new Ciphertext[cts.length];
        parallel(cts.length, k -> out[k] = batchPacking == Packing.COEFFICIENT
                ? reluAnswer(encryptors.get(), coefficients, decryptor, params, cts[k], answerScratch.get())
                : reluAnswer(encryptors.get(), encoder, decryptor, params, cts[k], batchPacking == Packing.COMPLEX,
                        answerScratch.get()));
        return out;
    }

    /**
     * A thread's scratch for the {@code reluAnswer} methods: the decrypted polynomial (every data limb) and the decoded
     * values (N coefficients, or N/2 real and N/2 imaginary slot parts), so that answering allocates only the fresh
     * ciphertext it returns.
     */
    record AnswerScratch(RnsPoly plain, double[] values, double[] re, double[] im) {
        /** @return scratch for the ring of {@code context} */
        static AnswerScratch of(CkksContext context) {
            int n = context.n();
            return new AnswerScratch(context.ringQ().newPoly(context.ringQ().basis().size(), true), new double[n],
                    new double[n / 2], new double[n / 2]);
        }

        /** @return {@code ct} decrypted into {@link #plain} */
        Plaintext decrypt(Decryptor decryptor, Ciphertext ct) {
            return decryptor.decryptInto(ct, plain.view(ct.level() + 1));
        }
    }

    /**
     * The client's side of a masked ReLU round for one ciphertext: decrypt, ReLU on the real parts (and on the
     * imaginary parts of a complex-packed batch), fresh encryption at the top level and default scale.
     */
    static Ciphertext reluAnswer(Encryptor encryptor, CkksEncoder encoder, Decryptor decryptor, CkksParameters p,
                                 Ciphertext ct, boolean complex, AnswerScratch scratch) {
        double[] re = scratch.re();
        double[] im = scratch.im();
        encoder.decodeComplexInto(scratch.decrypt(decryptor, ct), re, im);
        relu(re);
        if (complex) {
            relu(im);
        }
        return encryptor.encrypt(encoder, re, complex ? im : null, p.maxLevel(), p.defaultScale());
    }

    /**
     * The client's side of a folded ReLU round for one coefficient-packed ciphertext: decrypt, ReLU on its N
     * coefficients' values, fresh encryption at the top level and default scale (no FFT either way).
     */
    static Ciphertext reluAnswer(Encryptor encryptor, CoefficientEncoder encoder, Decryptor decryptor, CkksParameters p,
                                 Ciphertext ct, AnswerScratch scratch) {
        double[] x = scratch.values();
        encoder.decodeInto(scratch.decrypt(decryptor, ct), x);
        relu(x);
        return encryptor.encrypt(encoder, x, p.maxLevel(), p.defaultScale());
    }

    /** x = max(x, 0), value by value. */
    private static void relu(double[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(x[i], 0);
        }
    }

    /** One input element of every image of the batch: slots, or real then imaginary parts with complex packing. */
    private Ciphertext encryptColumn(double[] column, int level) {
        return encryptColumn(encryptors.get(), encoder, params, column, level);
    }

    /**
     * @return the encryption of one input element of every image of a batch: a column of at most N/2 values in the
     * real parts of the slots, a longer one split into real parts then imaginary parts (complex packing)
     */
    public static Ciphertext encryptColumn(Encryptor encryptor, CkksEncoder encoder, CkksParameters p, double[] column) {
        return encryptColumn(encryptor, encoder, p, column, p.maxLevel());
    }

    /** {@link #encryptColumn(Encryptor, CkksEncoder, CkksParameters, double[])} at {@code level} instead of the top. */
    public static Ciphertext encryptColumn(Encryptor encryptor, CkksEncoder encoder, CkksParameters p, double[] column,
                                           int level) {
        int slots = p.slots();
        if (column.length <= slots) {
            return encryptor.encrypt(encoder, column, level, p.defaultScale());
        }
        return encryptor.encrypt(encoder, Arrays.copyOfRange(column, 0, slots), Arrays.copyOfRange(column, slots, column.length),
                level, p.defaultScale());
    }

    /** @return the values of the first {@code count} images held by {@code ct} (inverse of encryptColumn) */
    private double[] decodeColumn(Ciphertext ct, int count, Packing batchPacking) {
        int slots = params.slots();
        if (batchPacking == Packing.COEFFICIENT) {
            return coefficients.decode(decryptor.decrypt(ct));
        }
        if (batchPacking == Packing.REAL) {
            return encoder.decode(decryptor.decrypt(ct));
        }
        double[][] reIm = encoder.decodeComplex(decryptor.decrypt(ct));
        double[] v = new double[Math.max(count, slots)];
        System.arraycopy(reIm[0], 0, v, 0, slots);
        System.arraycopy(reIm[1], 0, v, slots, Math.max(0, count - slots));
        return v;
    }

    private void parallel(int count, IntConsumer body) {
        EncryptedRuntime.parallelFor(pool, count, body);
    }
}
