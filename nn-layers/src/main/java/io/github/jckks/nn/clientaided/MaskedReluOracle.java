package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.math.Prng;
import io.github.jckks.nn.EncryptedRuntime;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The server's masked ReLU round: for values x<sub>0</sub>&hellip;x<sub>n-1</sub> (level l &ge; 1)
 * <ol>
 * <li>draws fresh positive factors r<sub>j</sub> (per slot or per ciphertext, log-uniform in
 * [2<sup>-s</sup>, 2<sup>s</sup>], from an AES-CTR generator seeded by SecureRandom) and a secret uniform
 * permutation &pi;;</li>
 * <li>computes x<sub>j</sub> &middot; r<sub>j</sub> (the factor encoded at q<sub>l</sub>), re-randomizes it (adds a
 * public-key encryption of zero), rescales (level l - 1, scale back to the input's: it reveals nothing of r),
 * floods it if configured, and sends it at position &pi;(j);</li>
 * <li>receives the client's fresh top-level encryptions of ReLU(r<sub>j</sub> x<sub>j</sub>) = r<sub>j</sub> ReLU(x<sub>j</sub>)
 * (r &gt; 0), takes position &pi;(j) back to j and multiplies by 1/r<sub>j</sub> encoded at q<sub>L</sub>, then
 * rescales: ReLU(x<sub>j</sub>) at level L - 1 and the default scale.</li>
 * </ol>
 * With {@link MaskMode#PER_CIPHERTEXT} factors it also serves folded rounds ({@link FoldingReluOracle}): the model
 * multiplies the factors into the weights around the ReLU and this oracle only shuffles, re-randomizes (through
 * {@link #firstRescale}, in the folded layer's rescale) and exchanges.
 * One instance serves one session (one channel); rounds run one at a time, the ciphertexts of a round in
 * parallel on the runtime's pool.
 */
public final class MaskedReluOracle implements FoldingReluOracle {
    private final CkksContext context;
    private final CkksEncoder encoder;
    private final EncryptedRuntime runtime;
    private final MaskingConfig config;
    private final Rerandomizer rerandomizer;
    private final ActivationChannel channel;
    private Consumer<RoundAudit> audit;
    private long rounds;
    private long ciphertexts;
    private long maskNanos;
    private long exchangeNanos;
    private long unmaskNanos;

    /**
     * @param runtime      the server's runtime (context, evaluator, pool)
     * @param encoder      an encoder for the context
     * @param config       masking settings
     * @param rerandomizer applied to every masked ciphertext before it is sent; null only if
     *                     {@code config.rerandomize()} is false
     * @param channel      the round trip to the key holder
     */
    public MaskedReluOracle(EncryptedRuntime runtime, CkksEncoder encoder, MaskingConfig config,
                            Rerandomizer rerandomizer, ActivationChannel channel) {
        if (config.rerandomize() && rerandomizer == null) {
            throw new IllegalArgumentException("the masking settings ask for re-randomization but no re-randomizer was given");
        }
        this.context = runtime.context();
        this.encoder = encoder;
        this.runtime = runtime;
        this.config = config;
        this.rerandomizer = config.rerandomize() ? rerandomizer : null;
        this.channel = channel;
    }

    /**
     * What one round drew: for tests that check what the client sees (package-private on purpose). A folded round
     * has no unmasked ciphertexts: {@code inputs} is null and {@code factors[j]} holds one factor.
     */
    record RoundAudit(int[] permutation, double[][] factors, Ciphertext[] inputs) {
    }

    void setAudit(Consumer<RoundAudit> audit) {
        this.audit = audit;
    }

    /** @return the number of rounds run */
    public long rounds() {
        return rounds;
    }

    /** @return the number of ciphertexts sent over all rounds */
    public long ciphertextsSent() {
        return ciphertexts;
    }

    /** @return wall-clock nanoseconds spent drawing factors, masking, re-randomizing and rescaling */
    public long maskNanos() {
        return maskNanos;
    }

    /** @return wall-clock nanoseconds waiting for the key holder (transport both ways and the client's work) */
    public long exchangeNanos() {
        return exchangeNanos;
    }

    /** @return wall-clock nanoseconds spent unmasking (encoding 1/r, product, rescale) */
    public long unmaskNanos() {
        return unmaskNanos;
    }

    @Override
    public int outputLevel() {
        return context.maxLevel() - 1;
    }

    @Override
    public Ciphertext[] relu(Ciphertext[] values) {
        int n = values.length;
        if (n == 0) {
            return new Ciphertext[0];
        }
        if (context.maxLevel() < 1) {
            throw new IllegalStateException("client-aided activations need at least two data primes (unmasking rescales once)");
        }
        int level = Integer.MAX_VALUE;
        for (int j = 0; j < n; j++) {
            Ciphertext c = values[j];
            if (c.size() != 2) {
                throw new IllegalArgumentException("masked ReLU takes two-part ciphertexts; element " + j + " is " + c
                        + " (relinearize first)");
            }
            level = Math.min(level, c.level());
        }
        if (level < 1) {
            throw new IllegalArgumentException("masked ReLU needs its inputs at level 1 or above (the masking product is "
                    + "rescaled once before sending), got level " + level + ": the parameters are not deep enough for this "
                    + "model, or a linear layer too many sits between two activations");
        }
        long t0 = System.nanoTime();
        Prng prng = Prng.fromSecureRandom();
        int slots = context.parameters().slots();
        boolean perSlot = config.mode() == MaskMode.PER_SLOT;
        if (perSlot) {
            runtime.packing().requireSlots("a per-slot mask (a product by a plaintext of factors)");
        }
        double[][] factors = new double[n][];
        // per slot: one fresh seed per ciphertext from the round's generator, its factors drawn in the parallel loop
        byte[][] seeds = perSlot ? new byte[n][Prng.SEED_BYTES] : null;
        for (int j = 0; j < n; j++) {
            if (perSlot) {
                prng.nextBytes(seeds[j]);
            } else {
                factors[j] = randomFactors(prng, 1);
            }
        }
        int[] perm = randomPermutation(prng, n);
        prng.wipe();
        Evaluator ev = runtime.evaluator();
        int l = level;
        Ciphertext[] sent = new Ciphertext[n];
        runtime.parallelFor(n, j -> {
            Ciphertext c = values[j].copy();
            ev.dropLevelInPlace(c, l);
            double qScale = ev.lastPrime(l);
            if (perSlot) {
                Prng own = new Prng(seeds[j]);
                Arrays.fill(seeds[j], (byte) 0);
                factors[j] = randomFactors(own, slots);
                own.wipe();
                ev.multiplyPlainInPlace(c, encoder.encode(factors[j], l, qScale));
            } else {
                ev.multiplyScalarInPlace(c, factors[j][0], qScale);
            }
            if (rerandomizer != null) {
                // an encryption of zero modulo Q_l only, its noise divided by q_l in the same pass
                rerandomizer.rerandomizeAndRescale(c);
            } else {
                ev.rescaleInPlace(c);
            }
            if (rerandomizer != null) {
                rerandomizer.flood(c);
            }
            sent[perm[j]] = c;
        });
        if (audit != null) {
            audit.accept(new RoundAudit(perm.clone(), factors, values.clone()));
        }
        long t1 = System.nanoTime();
        Ciphertext[] back = exchange(sent);
        long t2 = System.nanoTime();
        Ciphertext[] out = new Ciphertext[n];
        runtime.parallelFor(n, j -> {
            Ciphertext y = back[perm[j]];
            int ly = y.level();
            if (ly < 1) {
                throw new ClientAidedException("activation answer at level " + ly + " cannot be unmasked");
            }
            double qScale = ev.lastPrime(ly);
            if (perSlot) {
                double[] r = factors[j];
                double[] inv = new double[slots];
                for (int i = 0; i < slots; i++) {
                    inv[i] = 1 / r[i];
                }
                ev.multiplyPlainInPlace(y, encoder.encode(inv, ly, qScale));
            } else {
                ev.multiplyScalarInPlace(y, 1 / factors[j][0], qScale);
            }
            ev.rescaleInPlace(y);
            out[j] = y;
        });
        long t3 = System.nanoTime();
        maskNanos += t1 - t0;
        exchangeNanos += t2 - t1;
        unmaskNanos += t3 - t2;
        rounds++;
        ciphertexts += n;
        return out;
    }

    /** @return true for {@link MaskMode#PER_CIPHERTEXT} factors: one per ciphertext, foldable into weights */
    @Override
    public boolean foldsFactors() {
        return config.mode() == MaskMode.PER_CIPHERTEXT;
    }

    @Override
    public double[] drawFactors(int n) {
        if (!foldsFactors()) {
            throw new IllegalStateException("per-slot factors cannot be folded into scalar weights");
        }
        Prng prng = Prng.fromSecureRandom();
        double[] r = randomFactors(prng, n);
        prng.wipe();
        return r;
    }

    @Override
    public Consumer<Ciphertext> firstRescale() {
        Rerandomizer rr = rerandomizer;
        Evaluator ev = runtime.evaluator();
        return rr == null ? ev::rescaleInPlace : rr::rerandomizeAndRescale;
    }

    @Override
    public Consumer<Ciphertext> rerandomization() {
        Rerandomizer rr = rerandomizer;
        return rr == null ? null : rr::rerandomizeModQ;
    }

    @Override
    public Ciphertext[] reluOfMasked(Ciphertext[] masked, double[] factors) {
        int n = masked.length;
        if (n == 0) {
            return new Ciphertext[0];
        }
        if (factors.length != n) {
            throw new IllegalArgumentException(n + " masked values but " + factors.length + " factors");
        }
        int level = masked[0].level();
        for (int j = 0; j < n; j++) {
            Ciphertext c = masked[j];
            if (c.size() != 2 || c.level() != level) {
                throw new IllegalArgumentException("a folded round takes two-part ciphertexts at one level; element " + j
                        + " is " + c + ", element 0 " + masked[0]);
            }
        }
        long t0 = System.nanoTime();
        Prng prng = Prng.fromSecureRandom();
        int[] perm = randomPermutation(prng, n);
        prng.wipe();
        Ciphertext[] sent = new Ciphertext[n];
        if (rerandomizer != null && rerandomizer.floodingBits() > 0) {
            runtime.parallelFor(n, j -> {
                Ciphertext c = masked[j].copy();
                rerandomizer.flood(c);
                sent[perm[j]] = c;
            });
        } else {
            for (int j = 0; j < n; j++) {
                sent[perm[j]] = masked[j];
            }
        }
        if (audit != null) {
            double[][] f = new double[n][];
            for (int j = 0; j < n; j++) {
                f[j] = new double[] {factors[j]};
            }
            audit.accept(new RoundAudit(perm.clone(), f, null));
        }
        long t1 = System.nanoTime();
        Ciphertext[] back = exchange(sent);
        long t2 = System.nanoTime();
        Ciphertext[] out = new Ciphertext[n];
        for (int j = 0; j < n; j++) {
            out[j] = back[perm[j]];
        }
        maskNanos += t1 - t0;
        exchangeNanos += t2 - t1;
        rounds++;
        ciphertexts += n;
        return out;
    }

    /** @return true: the answers are the channel's, which belong to the caller ({@link ActivationChannel}) */
    @Override
    public boolean answersBelongToCaller() {
        return true;
    }

    /** One round trip: the answer must hold as many ciphertexts as were sent. */
    private Ciphertext[] exchange(Ciphertext[] sent) {
        Ciphertext[] back = channel.exchange(sent);
        if (back.length != sent.length) {
            throw new ClientAidedException("activation answer has " + back.length + " ciphertexts, expected " + sent.length);
        }
        return back;
    }

    /**
     * Log-uniform factors in [2^-s, 2^s] (exactly 1 when s = 0): r = 2<sup>s (2u - 1)</sup> = e<sup>s ln 2 (2u - 1)</sup>
     * for u uniform in [0, 1) with 53 bits (one 64-bit draw each, drawn in bulk), clamped to the range against exp's
     * last-bit rounding. Cost: one exp per factor.
     */
    private double[] randomFactors(Prng prng, int count) {
        long[] draws = new long[count];
        prng.nextLongs(draws, 0, count);
        double[] r = new double[count];
        double c = config.maskBits() * LN2;
        double lo = Math.pow(2, -config.maskBits());
        double hi = Math.pow(2, config.maskBits());
        for (int i = 0; i < count; i++) {
            double u = (draws[i] >>> 11) * 0x1p-53;
            r[i] = Math.min(hi, Math.max(lo, Math.exp(c * (2 * u - 1)))); // exp's last-bit rounding kept in range
        }
        return r;
    }

    private static final double LN2 = Math.log(2);

    /** A uniform permutation (Fisher-Yates): element j is sent at position perm[j]. */
    private static int[] randomPermutation(Prng prng, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int k = (int) prng.nextLong(i + 1);
            int t = p[i];
            p[i] = p[k];
            p[k] = t;
        }
        return p;
    }
}
