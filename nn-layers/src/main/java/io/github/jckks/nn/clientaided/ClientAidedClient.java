package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CoefficientEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.EvaluationKeys;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.PublicKey;
import io.github.jckks.ckks.SecretKey;
import io.github.jckks.ckks.SecurityLevel;
import io.github.jckks.ckks.Serialization;
import io.github.jckks.nn.Packing;

/**
 * The key-holder role: encrypts a batch of inputs (one ciphertext per input element, slot i = image i, at the
 * level the server's HELLO asks for (the top level unless the server says otherwise) and the default scale,
 * secret-key encryption so ciphertexts travel seeded at half size), answers the
 * server's activation requests (decrypt, ReLU on the real parts, re-encrypt fresh at the top level) and
 * decrypts the results. It never sees the model, and sees pre-activation values only multiplied by the
 * server's secret positive factors and shuffled. Sessions are opened on a {@link Transport} with
 * {@link #open}. Thread-safe; each session is used by one thread.
 */
public final class ClientAidedClient {
    /** Default bound on activation rounds per inference (a server cannot use the client as an endless oracle). */
    public static final int DEFAULT_MAX_ROUNDS = 1000;
    private final CkksContext context;
    private final CkksParameters params;
    private final CkksEncoder encoder;
    private final CoefficientEncoder coefficients;
    private final SecretKey secretKey;
    private final PublicKey publicKey;
    private final EvaluationKeys evaluationKeys;
    private final Decryptor decryptor;
    /** One encryptor (and PRNG) per thread: an Encryptor is not thread-safe, and a new one per ciphertext would
     * take the global SecureRandom lock and build an AES key schedule every time. */
    private final ThreadLocal<Encryptor> encryptors;
    /**
     * The limb arrays of this client's encryptions (256 MB at most): on a transport that copies messages, a session hands
     * back an activation round's answers once sent and the server's ciphertexts once answered, and receives into it.
     */
    private final io.github.jckks.math.LimbPool limbs;
    private volatile ActivationObserver observer;
    private volatile int maxRounds = DEFAULT_MAX_ROUNDS;

    /** Sees what the client decrypts in each activation round (audit, tests). */
    @FunctionalInterface
    public interface ActivationObserver {
        /**
         * @param roundId the round's request id
         * @param values  values[k] = the real slot values of the k-th ciphertext received, as decrypted (for a
         *                complex-packed request, the N/2 real parts and then the N/2 imaginary parts; for a
         *                coefficient-packed one, the N coefficients)
         */
        void onActivation(long roundId, double[][] values);
    }

    /**
     * @param context   the context
     * @param secretKey the secret key
     * @param publicKey the matching public key (sent to the server for re-randomization), may be null if the
     *                  server does not re-randomize
     */
    public ClientAidedClient(CkksContext context, SecretKey secretKey, PublicKey publicKey) {
        this(context, secretKey, publicKey, null);
    }

    /**
     * @param context        the context
     * @param secretKey      the secret key
     * @param publicKey      the matching public key, may be null if the server does not re-randomize
     * @param evaluationKeys evaluation keys sent to the server in HELLO (public: a relinearization key for a model
     *                       whose segments relinearize, the conjugation key for squares under complex packing), or
     *                       null to send none
     */
    public ClientAidedClient(CkksContext context, SecretKey secretKey, PublicKey publicKey,
                             EvaluationKeys evaluationKeys) {
        this.context = context;
        this.evaluationKeys = evaluationKeys;
        this.params = context.parameters();
        this.encoder = new CkksEncoder(context);
        this.coefficients = new CoefficientEncoder(context);
        this.secretKey = secretKey;
        this.publicKey = publicKey;
        this.decryptor = new Decryptor(context, secretKey);
        this.limbs = io.github.jckks.math.LimbPool.holding(context.n(), 256L << 20);
        this.encryptors = ThreadLocal.withInitial(() -> new Encryptor(context, secretKey, limbs));
    }

    /** @return a client with freshly generated keys */
    public static ClientAidedClient withFreshKeys(CkksContext context) {
        KeyGenerator kg = new KeyGenerator(context);
        return new ClientAidedClient(context, kg.secretKey(), kg.publicKey());
    }

    /**
     * @return a client with freshly generated keys that also sends the server a relinearization key (for a model whose
     *         server-side segments relinearize, {@link ClientAidedModel#needsKeySwitching}); about (digits x 2 x
     *         primes x N x 4) bytes more in HELLO
     */
    public static ClientAidedClient withFreshKeysAndRelinearizationKey(CkksContext context) {
        return withFreshKeys(context, true, false);
    }

    /**
     * @param relinearization send a relinearization key in HELLO (a model whose segments relinearize)
     * @param conjugation     send the conjugation key (complex packing with a model that squares)
     * @return a client with freshly generated keys that sends the server these evaluation keys (none if both false)
     */
    public static ClientAidedClient withFreshKeys(CkksContext context, boolean relinearization, boolean conjugation) {
        KeyGenerator kg = new KeyGenerator(context);
        return new ClientAidedClient(context, kg.secretKey(), kg.publicKey(),
                relinearization || conjugation ? kg.evaluationKeys(relinearization, conjugation) : null);
    }

    /** @return the context */
    public CkksContext context() {
        return context;
    }

    /** Sets the observer of decrypted activation values (null: none). */
    public void setObserver(ActivationObserver observer) {
        this.observer = observer;
    }

    /** Bounds the activation rounds the client answers per inference. */
    public void setMaxRoundsPerInference(int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("max rounds " + rounds + " < 1");
        }
        this.maxRounds = rounds;
    }

    /**
     * Opens a session: sends HELLO (parameters, public key, evaluation keys if any) and waits for the server's HELLO.
     *
     * @throws ClientAidedException if the server refuses or the handshake fails (the transport is closed)
     */
    public Session open(Transport t) {
        try {
            byte[] p = Serialization.write(params);
            java.util.List<byte[]> items = new java.util.ArrayList<>();
            items.add(p);
            if (publicKey != null) {
                items.add(Serialization.write(context, publicKey));
            }
            if (evaluationKeys != null) {
                items.add(Serialization.write(context, evaluationKeys));
            }
            t.send(Message.hello(items.toArray(new byte[0][])));
            Message m = t.receive();
            if (m.kind() == MessageKind.ERROR) {
                throw new ClientAidedException("server " + t.peer() + " refused the session: " + m.text());
            }
            int inputLevel = m.requestedInputLevel(context.maxLevel());
            CkksParameters theirs = Serialization.readParameters(m.items()[0], SecurityLevel.INSECURE_TESTS_ONLY);
            if (!theirs.equals(params)) {
                throw new ClientAidedException("parameter mismatch: server uses " + theirs + ", client uses " + params);
            }
            return new Session(t, inputLevel);
        } catch (RuntimeException e) {
            t.close();
            throw e instanceof ClientAidedException c ? c : new ClientAidedException("handshake failed: " + e.getMessage(), e);
        }
    }

    /** @return a fresh top-level encryption of {@code values} (secret key, seeded) */
    Ciphertext encrypt(double[] values) {
        return encrypt(values, context.maxLevel());
    }

    /** @return a fresh encryption of {@code values} at {@code level} (secret key, seeded) */
    Ciphertext encrypt(double[] values, int level) {
        return encryptors.get().encrypt(encoder, values, level, params.defaultScale());
    }

    /** @return the real slot values of {@code ct} */
    public double[] decrypt(Ciphertext ct) {
        return encoder.decode(decryptor.decrypt(ct));
    }

    /**
     * @return the values {@code ct} holds under {@code packing}: the real parts of its slots (REAL), then also their
     * imaginary parts (COMPLEX: a complex-packed pair of batches), or its N coefficients (COEFFICIENT)
     */
    double[] decrypt(Ciphertext ct, Packing packing) {
        return switch (packing) {
            case REAL -> decrypt(ct);
            case COMPLEX -> decryptBoth(ct);
            case COEFFICIENT -> coefficients.decode(decryptor.decrypt(ct));
        };
    }

    /** @return a fresh encryption at {@code level} of {@code values} laid out as {@link #decrypt(Ciphertext, Packing)} gives them */
    Ciphertext encrypt(double[] values, Packing packing, int level) {
        Encryptor enc = encryptors.get();
        double scale = params.defaultScale();
        int slots = params.slots();
        return switch (packing) {
            case REAL -> enc.encrypt(encoder, values, level, scale);
            case COMPLEX -> enc.encrypt(encoder, java.util.Arrays.copyOfRange(values, 0, slots),
                    java.util.Arrays.copyOfRange(values, slots, 2 * slots), level, scale);
            case COEFFICIENT -> enc.encrypt(coefficients, values, level, scale);
        };
    }

    /** @return the real parts of {@code ct}'s slots, then their imaginary parts (a complex-packed pair of batches) */
    double[] decryptBoth(Ciphertext ct) {
        double[][] reIm = encoder.decodeComplex(decryptor.decrypt(ct));
        double[] v = java.util.Arrays.copyOf(reIm[0], 2 * reIm[0].length);
        System.arraycopy(reIm[1], 0, v, reIm[0].length, reIm[1].length);
        return v;
    }

    /** One session on a transport. Not thread-safe. */
    public final class Session implements AutoCloseable {
        private final Transport transport;
        private long nextId = 1;
        private boolean closed;
        private long answerNanos;
        private long answered;
        /** The packing of the request in flight: its rounds carry their values the same way. */
        private Packing requestPacking = Packing.REAL;

        private final int inputLevel;

        private Session(Transport transport, int inputLevel) {
            this.transport = transport;
            this.inputLevel = inputLevel;
            if (transport.copiesMessages()) {
                transport.receiveInto(limbs); // ACTIVATE's ciphertexts, released once answered
            }
        }

        /**
         * @return one ciphertext per input element, slot b holding image b (complex: images b and N/2 + b in the real
         *         and imaginary parts; coefficient: coefficient b), at the session's input level
         */
        private Ciphertext[] encryptImages(double[][] images, int inputs, Packing packing) {
            Ciphertext[] in = new Ciphertext[inputs];
            double[] column = new double[packing == Packing.REAL ? images.length : 2 * params.slots()];
            for (int e = 0; e < inputs; e++) {
                for (int b = 0; b < images.length; b++) {
                    column[b] = images[b][e];
                }
                in[e] = encrypt(column, packing, inputLevel);
            }
            return in;
        }

        /** @return the level the inputs are encrypted at: the one the server's HELLO asked for */
        public int inputLevel() {
            return inputLevel;
        }

        /**
         * Encrypted inference on a batch.
         *
         * @param images images[b] = the input vector of image b (at most N/2 images, equal lengths)
         * @return outputs[b] = the decrypted outputs of image b
         */
        public double[][] infer(double[][] images) {
            return infer(images, io.github.jckks.nn.Packing.REAL);
        }

        /**
         * Encrypted inference on a batch packed as {@code packing}: real (at most N/2 images, slot b = image b),
         * complex (at most N images: images b and N/2 + b share slot b as its real and imaginary parts, nGraph-HE2's
         * complex packing; the INFER is marked so, and the rounds' ReLU applies to both parts) or coefficient (at most
         * N images, image b in coefficient b: a model of linear layers and folded ReLUs only).
         *
         * @param images images[b] = the input vector of image b (equal lengths)
         * @return outputs[b] = the decrypted outputs of image b
         */
        public double[][] infer(double[][] images, io.github.jckks.nn.Packing packing) {
            int batch = images.length;
            int capacity = packing.imagesPerCiphertext(params.slots());
            if (batch < 1 || batch > capacity) {
                throw new IllegalArgumentException("batch of " + batch + " images, allowed [1, " + capacity + "] with "
                        + packing + " packing");
            }
            int inputs = images[0].length;
            for (double[] im : images) {
                if (im.length != inputs) {
                    throw new IllegalArgumentException("images differ in length: " + im.length + " vs " + inputs);
                }
            }
            // no local keeps the encrypted batch: once sent, it need not stay live while the server works
            Ciphertext[] out = inferEncrypted(encryptImages(images, inputs, packing), packing, true);
            double[][] result = new double[batch][out.length];
            for (int o = 0; o < out.length; o++) {
                double[] v = decrypt(out[o], packing);
                for (int b = 0; b < batch; b++) {
                    result[b][o] = v[b];
                }
            }
            return result;
        }

        /**
         * Sends encrypted inputs and answers activation rounds until the result arrives.
         *
         * @return the encrypted outputs
         * @throws ClientAidedException on any protocol failure or an ERROR from the server (the session is closed)
         */
        public Ciphertext[] inferEncrypted(Ciphertext[] inputs) {
            return inferEncrypted(inputs, false);
        }

        /**
         * {@link #inferEncrypted(Ciphertext[])} for inputs that are complex-packed or not (two real batches per slot:
         * the INFER is marked, and the rounds' ReLU applies to the real and imaginary parts).
         */
        public Ciphertext[] inferEncrypted(Ciphertext[] inputs, boolean complexPacked) {
            return inferEncrypted(inputs, complexPacked ? Packing.COMPLEX : Packing.REAL);
        }

        /**
         * {@link #inferEncrypted(Ciphertext[])} for inputs packed as {@code packing} (the INFER is marked so, and the
         * rounds' values are decoded and re-encoded the same way).
         */
        public Ciphertext[] inferEncrypted(Ciphertext[] inputs, Packing packing) {
            return inferEncrypted(inputs, packing, false);
        }

        /**
         * @param own whether the inputs are this session's own encryptions ({@link #infer}), which go back to the client's
         *            limb pool once sent over a transport that copies messages; a caller's are left alone
         */
        private Ciphertext[] inferEncrypted(Ciphertext[] inputs, Packing packing, boolean own) {
            if (closed) {
                throw new IllegalStateException("session closed");
            }
            long id = nextId++;
            requestPacking = java.util.Objects.requireNonNull(packing, "packing");
            try {
                Message request = Message.infer(id, inputs, packing);
                transport.send(request);
                if (own && transport.copiesMessages()) {
                    request.releaseCiphertextsTo(limbs);
                }
                inputs = null; // sent (the caller may still hold them)
                request = null;
                int rounds = 0;
                while (true) {
                    Message m = transport.receive();
                    switch (m.kind()) {
                        case ACTIVATE -> {
                            if (++rounds > maxRounds) {
                                throw new ClientAidedException("server asked for more than " + maxRounds + " activation rounds");
                            }
                            Message answer = Message.ciphertexts(MessageKind.ACTIVATED, m.requestId(), answer(m));
                            transport.send(answer);
                            if (transport.copiesMessages()) { // consumed: the arrays serve the next round
                                answer.releaseCiphertextsTo(limbs);
                                m.releaseCiphertextsTo(limbs);
                            }
                        }
                        case RESULT -> {
                            if (m.requestId() != id) {
                                throw new ClientAidedException("protocol error: RESULT for request " + m.requestId()
                                        + ", expected " + id);
                            }
                            return m.ciphertexts();
                        }
                        case ERROR -> throw new ClientAidedException("server " + transport.peer() + " reported: " + m.text());
                        default -> throw new ClientAidedException("protocol error: unexpected " + m + " during request " + id);
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
                throw e instanceof ClientAidedException c ? c : new ClientAidedException("request " + id + " failed: " + e.getMessage(), e);
            }
        }

        /** @return wall-clock nanoseconds spent answering activation rounds (decrypt, ReLU, encrypt) */
        public long answerNanos() {
            return answerNanos;
        }

        /** @return ciphertexts answered in activation rounds */
        public long ciphertextsAnswered() {
            return answered;
        }

        /**
         * Decrypts, applies ReLU to the real parts (and to the imaginary parts of a complex-packed request: values[k]
         * then holds the N/2 real parts and then the N/2 imaginary ones), re-encrypts fresh at the top level.
         */
        private Ciphertext[] answer(Message m) {
            long t0 = System.nanoTime();
            Ciphertext[] cts = m.ciphertexts();
            double[][] values = new double[cts.length][];
            Ciphertext[] out = new Ciphertext[cts.length];
            Packing packing = requestPacking;
            for (int k = 0; k < cts.length; k++) {
                values[k] = decrypt(cts[k], packing);
            }
            ActivationObserver obs = observer;
            if (obs != null) {
                double[][] copy = new double[values.length][];
                for (int k = 0; k < values.length; k++) {
                    copy[k] = values[k].clone();
                }
                obs.onActivation(m.requestId(), copy);
            }
            for (int k = 0; k < cts.length; k++) {
                double[] v = values[k];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.max(v[i], 0);
                }
                out[k] = encrypt(v, packing, context.maxLevel());
            }
            answerNanos += System.nanoTime() - t0;
            answered += cts.length;
            return out;
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
}
