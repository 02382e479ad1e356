package io.github.jckks.cryptonets;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CoefficientEncoder;
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
import io.github.jckks.nn.Stage;
import io.github.jckks.nn.clientaided.ClientAidedActivation;
import io.github.jckks.nn.clientaided.ClientAidedResidual;
import io.github.jckks.nn.MacKernels;
import io.github.jckks.nn.Packing;
import io.github.jckks.nn.clientaided.ClientAidedModel;
import io.github.jckks.nn.clientaided.MaskedReluOracle;
import io.github.jckks.nn.clientaided.MaskMode;
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
     * @param cpuSeconds  CPU seconds of the thread that drives the batch (the whole cost with one thread)
     * @param wallSeconds elapsed seconds
     */
    public record Phase(String role, String name, int ciphertexts, double cpuSeconds, double wallSeconds) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final CryptoNetsWeights weights;
    private final MaskingConfig masking;
    private final CkksParameters params;
    private final CkksContext ctx;
    private final CkksEncoder encoder;
    private final SecretKey sk;
    private final ThreadLocal<Encryptor> encryptors;
    private final Decryptor decryptor;
    private final KeyGenerator keygen;
    private final List<Phase> phases = new ArrayList<>();
    private final int threads;
    private final Packing packing;
    private final CoefficientEncoder coefficients;
    private long mark;
    private long wallMark;

    /**
     * @param weights the model
     * @param masking the RELU network's masking
     * @param threads threads of the pool the layers and the client's encryption run on; with 1, everything runs
     *                on the calling thread and its CPU time is the whole cost
     * @param packing real, complex (columns of N images, real then imaginary halves) or coefficient (RELU with
     *                per-ciphertext masks: columns of N images in the coefficients)
     */
    public CostProfile(CryptoNetsWeights weights, MaskingConfig masking, int threads, Packing packing) {
        this.packing = packing;
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.weights = weights;
        this.masking = masking;
        this.params = EncryptedCryptoNets.parameters(weights.activation(), masking.mode(), packing);
        this.ctx = new CkksContext(params);
        this.encoder = new CkksEncoder(ctx);
        this.coefficients = new CoefficientEncoder(ctx);
        this.keygen = new KeyGenerator(ctx);
        this.sk = keygen.secretKey();
        this.encryptors = ThreadLocal.withInitial(() -> new Encryptor(ctx, sk));
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
        // parallelism 1: every parallelFor runs on this thread
        ForkJoinPool one = new ForkJoinPool(threads);
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
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx), MacKernels.get(), one, packing);
        Rerandomizer rerandomizer = masking.rerandomize() ? new Rerandomizer(ctx, keygen.publicKey(), masking.floodingBits()) : null;
        start();
        boolean folded = masking.mode() == MaskMode.PER_CIPHERTEXT;
        int inputLevel = model.minimumInputLevel(params.maxLevel(), folded); // what the server's HELLO asks for
        Ciphertext[] x = encryptInputs(columns, one, inputLevel);
        x = wire("INFER (seeded, level " + inputLevel + ")", x);
        int[] round = {0};
        MaskedReluOracle oracle = new MaskedReluOracle(rt, encoder, masking, rerandomizer, masked -> {
            int r = ++round[0];
            lap("server", "round " + r + (folded ? ": shuffle" : ": mask (factors, product, re-randomize, rescale)"),
                    masked.length);
            Ciphertext[] sent = wire("round " + r + ": ACTIVATE (full, level " + masked[0].level() + ")", masked);
            Ciphertext[] answer = new Ciphertext[sent.length];
            CryptoNetsClient.AnswerScratch scratch = CryptoNetsClient.AnswerScratch.of(ctx);
            for (int k = 0; k < sent.length; k++) {
                answer[k] = packing == Packing.COEFFICIENT
                        ? CryptoNetsClient.reluAnswer(encryptors.get(), coefficients, decryptor, params, sent[k], scratch)
                        : CryptoNetsClient.reluAnswer(encryptors.get(), encoder, decryptor, params, sent[k],
                                packing == Packing.COMPLEX, scratch);
            }
            lap("client", "round " + r + ": decrypt, ReLU, encrypt", sent.length);
            return wire("round " + r + ": ACTIVATED (seeded, top level)", answer);
        });
        List<Stage> steps = model.steps();
        x = model.forward(x, rt, oracle, i -> {
            Stage step = steps.get(i);
            int outputs = step.outputSize();
            String what = switch (step) {
                case Layer l -> l.describe() + (folded && (model.foldable(i - 1) || model.foldable(i + 1))
                        ? " (factors folded: re-randomized before the rescale)" : "");
                case ClientAidedResidual res -> res.describe();
                case ClientAidedActivation a -> "round " + round[0]
                        + (folded && model.foldable(i) ? ": restore the order" : ": unmask (1/r product, rescale)");
            };
            lap("server", what, outputs);
        });
        if (rerandomizer != null) {
            for (Ciphertext c : x) {
                rerandomizer.apply(c);
            }
            lap("server", "re-randomize the result", x.length);
        }
        x = wire("RESULT", x);
        for (Ciphertext c : x) {
            if (packing == Packing.COEFFICIENT) {
                coefficients.decode(decryptor.decrypt(c));
            } else {
                encoder.decode(decryptor.decrypt(c));
            }
        }
        lap("client", "decrypt the logits", x.length);
    }

    private void square(double[][] columns, ForkJoinPool one) {
        EvaluationKeys keys = keygen.evaluationKeys(true, packing == Packing.COMPLEX);
        EncryptedRuntime rt = new EncryptedRuntime(new Evaluator(ctx, keys), MacKernels.get(), one, packing);
        start();
        Ciphertext[] x = encryptInputs(columns, one, params.maxLevel());
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

    private Ciphertext[] encryptInputs(double[][] columns, ForkJoinPool pool, int level) {
        Ciphertext[] x = new Ciphertext[columns.length];
        EncryptedRuntime.parallelFor(pool, columns.length, p -> x[p] = encryptColumn(columns[p], level));
        lap("client", "encode and encrypt the inputs", x.length);
        return x;
    }

    private Ciphertext encryptColumn(double[] v, int level) {
        return packing == Packing.COEFFICIENT ? encryptors.get().encrypt(coefficients, v, level, params.defaultScale())
                : CryptoNetsClient.encryptColumn(encryptors.get(), encoder, params, v, level);
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
        wallMark = System.nanoTime();
    }

    private void lap(String role, String name, int ciphertexts) {
        long now = THREADS.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        phases.add(new Phase(role, name, ciphertexts, (now - mark) / 1e9, (wall - wallMark) / 1e9));
        mark = THREADS.getCurrentThreadCpuTime();
        wallMark = System.nanoTime();
    }

    /**
     * @param threads the profile's pool size: with 1 the CPU column is the whole cost and bounds the throughput on
     *                {@code cores} cores; with more, the wall column is what that many threads achieve
     * @return a table of the phases, with totals per role and the throughput they imply
     */
    public static String format(List<Phase> phases, int images, int cores, int threads, CkksParameters params) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "One batch of %d images on %d thread(s) (CPU: thread CPU time of the driving thread), %s%n",
                images, threads, params));
        sb.append(String.format(Locale.ROOT, "  %-7s %-78s %6s %9s %9s %8s%n", "role", "phase", "cts", "CPU s", "wall s", "ms/ct"));
        double total = 0;
        double client = 0;
        double server = 0;
        double wire = 0;
        double wallServer = 0;
        double wallClient = 0;
        for (Phase p : phases) {
            double cost = threads == 1 ? p.cpuSeconds() : p.wallSeconds();
            sb.append(String.format(Locale.ROOT, "  %-7s %-78s %6d %9s %9.3f %8.3f%n", p.role(), p.name(), p.ciphertexts(),
                    threads == 1 ? String.format(Locale.ROOT, "%.3f", p.cpuSeconds()) : "-", p.wallSeconds(),
                    1e3 * cost / Math.max(1, p.ciphertexts())));
            total += p.cpuSeconds();
            switch (p.role()) {
                case "client" -> {
                    client += p.cpuSeconds();
                    wallClient += p.wallSeconds();
                }
                case "server" -> {
                    server += p.cpuSeconds();
                    wallServer += p.wallSeconds();
                }
                default -> wire += p.cpuSeconds();
            }
        }
        if (threads == 1) {
            sb.append(String.format(Locale.ROOT, "  total %.3f CPU s: client %.3f (%.0f%%), server %.3f (%.0f%%), serialization %.3f (%.0f%%)%n",
                    total, client, 100 * client / total, server, 100 * server / total, wire, 100 * wire / total));
            sb.append(String.format(Locale.ROOT, "  bound with %d core(s) and perfect parallelism: %.0f images/s end to end, %.0f server-side%n",
                    cores, images * cores / total, images * cores / server));
        } else {
            sb.append(String.format(Locale.ROOT, "  wall with %d threads: server %.3f s (%.0f images/s), client %.3f s; in one process "
                    + "without serialization %.0f images/s end to end%n", threads, wallServer, images / wallServer, wallClient,
                    images / (wallServer + wallClient)));
        }
        return sb.toString();
    }
}
