package io.github.jckks.cryptonets;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.EvaluationKeys;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.SecretKey;
import io.github.jckks.ckks.Serialization;
import io.github.jckks.cryptonets.model.Activation;
import io.github.jckks.cryptonets.model.CryptoNetsWeights;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.Layer;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.clientaided.ClientAidedActivation;
import io.github.jckks.nn.clientaided.ClientAidedModel;
import io.github.jckks.nn.clientaided.MaskedReluOracle;
import io.github.jckks.nn.clientaided.MaskingConfig;
import io.github.jckks.nn.clientaided.Rerandomizer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;

/**
 * Where the CPU time of one batch goes ({@code cryptonets profile}): the whole protocol (client encryption,
 * INFER, every layer, every activation round with its masking, encoding, the client's answers and the unmasking,
 * RESULT, decryption) on one thread, each phase measured in thread CPU time, so that other processes on the
 * machine do not count. Messages are not sent: their ciphertexts are serialized and parsed as the wire would
 * ({@link Serialization}, strict reading). The sum is the CPU cost of a batch; divided among the cores it bounds
 * the throughput of a perfectly parallel run.
 */
public final class CostProfile {
    /**
     * One phase.
     *
     * @param role        client, server or wire
     * @param name        what it is
     * @param ciphertexts ciphertexts handled
     * @param cpuSeconds  thread CPU seconds
     */
    public record Phase(String role, String name, int ciphertexts, double cpuSeconds) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final CryptoNetsWeights weights;
    private final MaskingConfig masking;
    private final CkksParameters params;
    private final CkksContext ctx;
    private final CkksEncoder encoder;
    private final SecretKey sk;
    private final Encryptor encryptor;
    private final Decryptor decryptor;
    private final KeyGenerator keygen;
    private final List<Phase> phases = new ArrayList<>();
    private long mark;

    /**
     * @param weights the model
     * @param masking the RELU network's masking
     */
    public CostProfile(CryptoNetsWeights weights, MaskingConfig masking) {
        this.weights = weights;
        this.masking = masking;
        this.params = EncryptedCryptoNets.parameters(weights.activation());
        this.ctx = new CkksContext(params);
        this.encoder = new CkksEncoder(ctx);
        this.keygen = new KeyGenerator(ctx);
        this.sk = keygen.secretKey();
        this.encryptor = new Encryptor(ctx, sk);
        this.decryptor = new Decryptor(ctx, sk);
    }

    /**
     * Profiles one batch, after {@code warmups} unmeasured ones.
     *
     * @param columns columns[p][i] = pixel p of image i
     * @return the phases of the last batch
     */
    public List<Phase> run(double[][] columns, int warmups) {
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM does not measure thread CPU time");
        }
        ForkJoinPool one = new ForkJoinPool(1); // parallelism 1: every parallelFor runs on this thread
        try {
            for (int i = 0; i <= warmups; i++) {
                phases.clear();
                if (weights.activation() == Activation.SQUARE) {
                    square(columns, one);
                } else {
                    relu(columns, one);
                }
            }
            return List.copyOf(phases);
        } finally {
            one.shutdown();
        }
    }

    private void relu(double[][] columns, ForkJoinPool one) {
        ClientAidedModel model = EncryptedCryptoNets.buildClientAided(weights);
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx), MacKernels.get(), one);
        Rerandomizer rerandomizer = masking.rerandomize() ? new Rerandomizer(ctx, keygen.publicKey(), masking.floodingBits()) : null;
        start();
        Ciphertext[] x = encryptInputs(columns);
        x = wire("INFER (seeded, top level)", x);
        int[] round = {0};
        MaskedReluOracle oracle = new MaskedReluOracle(rt, encoder, masking, rerandomizer, masked -> {
            int r = ++round[0];
            lap("server", "round " + r + ": mask (factors, product, re-randomize, rescale)", masked.length);
            Ciphertext[] sent = wire("round " + r + ": ACTIVATE (full, level " + masked[0].level() + ")", masked);
            Ciphertext[] answer = new Ciphertext[sent.length];
            for (int k = 0; k < sent.length; k++) {
                double[] v = encoder.decode(decryptor.decrypt(sent[k]));
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.max(v[i], 0);
                }
                answer[k] = encrypt(v);
            }
            lap("client", "round " + r + ": decrypt, ReLU, encrypt", sent.length);
            return wire("round " + r + ": ACTIVATED (seeded, top level)", answer);
        });
        for (Object step : model.steps()) {
            if (step instanceof Layer l) {
                x = l.forward(x, rt);
                lap("server", l.describe(), x.length);
            } else {
                x = ((ClientAidedActivation) step).forward(x, oracle, rt);
                lap("server", "round " + round[0] + ": unmask (1/r product, rescale)", x.length);
            }
        }
        if (rerandomizer != null) {
            for (Ciphertext c : x) {
                rerandomizer.apply(c);
            }
            lap("server", "re-randomize the result", x.length);
        }
        x = wire("RESULT", x);
        for (Ciphertext c : x) {
            encoder.decode(decryptor.decrypt(c));
        }
        lap("client", "decrypt the logits", x.length);
    }

    private void square(double[][] columns, ForkJoinPool one) {
        EvaluationKeys keys = keygen.evaluationKeys(true, false);
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx, keys), MacKernels.get(), one);
        start();
        Ciphertext[] x = encryptInputs(columns);
        x = wire("INFER (seeded, top level)", x);
        for (Layer l : EncryptedCryptoNets.build(weights).layers()) {
            x = l.forward(x, rt);
            lap("server", l.describe(), x.length);
        }
        x = wire("RESULT", x);
        for (Ciphertext c : x) {
            encoder.decode(decryptor.decrypt(c));
        }
        lap("client", "decrypt the logits", x.length);
    }

    private Ciphertext[] encryptInputs(double[][] columns) {
        Ciphertext[] x = new Ciphertext[columns.length];
        for (int p = 0; p < columns.length; p++) {
            x[p] = encrypt(columns[p]);
        }
        lap("client", "encode and encrypt the inputs", x.length);
        return x;
    }

    private Ciphertext encrypt(double[] v) {
        return encryptor.encrypt(encoder.encode(v, params.maxLevel(), params.defaultScale()));
    }

    /** Serializes and strictly parses every ciphertext, as a message would travel. */
    private Ciphertext[] wire(String what, Ciphertext[] cts) {
        Ciphertext[] out = new Ciphertext[cts.length];
        long bytes = 0;
        for (int i = 0; i < cts.length; i++) {
            byte[] b = Serialization.write(ctx, cts[i]);
            bytes += b.length;
            out[i] = Serialization.readCiphertext(ctx, b);
        }
        lap("wire", String.format(Locale.ROOT, "%s: serialize + parse, %.1f MB", what, bytes / 1e6), cts.length);
        return out;
    }

    private void start() {
        mark = THREADS.getCurrentThreadCpuTime();
    }

    private void lap(String role, String name, int ciphertexts) {
        long now = THREADS.getCurrentThreadCpuTime();
        phases.add(new Phase(role, name, ciphertexts, (now - mark) / 1e9));
        mark = THREADS.getCurrentThreadCpuTime();
    }

    /** @return a table of the phases, with totals per role and the throughput bound on {@code cores} cores */
    public static String format(List<Phase> phases, int images, int cores, CkksParameters params) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "CPU time of one batch of %d images, one thread (thread CPU time), %s%n", images, params));
        sb.append(String.format(Locale.ROOT, "  %-7s %-78s %6s %9s %8s%n", "role", "phase", "cts", "CPU s", "ms/ct"));
        double total = 0;
        double client = 0;
        double server = 0;
        double wire = 0;
        for (Phase p : phases) {
            sb.append(String.format(Locale.ROOT, "  %-7s %-78s %6d %9.3f %8.3f%n", p.role(), p.name(), p.ciphertexts(),
                    p.cpuSeconds(), 1e3 * p.cpuSeconds() / Math.max(1, p.ciphertexts())));
            total += p.cpuSeconds();
            switch (p.role()) {
                case "client" -> client += p.cpuSeconds();
                case "server" -> server += p.cpuSeconds();
                default -> wire += p.cpuSeconds();
            }
        }
        sb.append(String.format(Locale.ROOT, "  total %.3f CPU s: client %.3f (%.0f%%), server %.3f (%.0f%%), serialization %.3f (%.0f%%)%n",
                total, client, 100 * client / total, server, 100 * server / total, wire, 100 * wire / total));
        sb.append(String.format(Locale.ROOT, "  bound with %d core(s) and perfect parallelism: %.0f images/s end to end%n",
                cores, images * cores / total));
        return sb.toString();
    }
}
