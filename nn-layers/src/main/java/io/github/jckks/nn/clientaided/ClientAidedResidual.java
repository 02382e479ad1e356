package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.nn.EncryptedRuntime;
import io.github.jckks.nn.Layer;
import io.github.jckks.nn.LinearLayer;
import io.github.jckks.nn.ResidualBlock;
import io.github.jckks.nn.Sequential;
import io.github.jckks.nn.Stage;
import io.github.jckks.math.RnsPoly;

/**
 * A residual connection whose body holds client-aided activations: out = body(x) + shortcut(x), the shortcut being
 * the identity or a server-side {@link Layer} (a 1x1 convolution, a planned {@link io.github.jckks.nn.Sequential}).
 * MobileNetV2's inverted residual block is one: 1x1 expansion, ReLU6, 3x3 depthwise convolution, ReLU6, 1x1
 * projection, plus the input. A {@link ResidualBlock} cannot hold it, since its layers run without the key holder.
 * A step of a {@link ClientAidedModel} ({@link ClientAidedModel.Builder#residual}).
 *
 * <p><b>Encrypted form.</b> The shortcut runs on the server; the body's rounds go through the same {@link ReluOracle}
 * as the rest of the model, and the server keeps the input (and the shortcut's output) while they run. The sum then
 * brings both to the lower of their levels and to the scale there ({@link ResidualBlock#sum}): dropping primes when
 * the scales agree, else one scalar product and a rescale from the higher operand's spare levels, or an
 * {@link IllegalArgumentException} naming both when none is left. Since every activation returns a fresh encryption
 * at L, a body ending in linear layers after its last activation leaves its output at L minus their depth, and the
 * block's output level is the lower of that and the shortcut's ({@link #outputLevel}). Cost beyond the two paths:
 * one copy and one addition per element. The client sees the body's rounds as any other rounds (masked the same
 * way); the shortcut's values never leave the server. Immutable and thread-safe.
 */
public final class ClientAidedResidual implements Stage {
    private final ClientAidedModel body;
    private final Layer shortcut;

    /**
     * @param body     the residual branch, client-aided activations allowed
     * @param shortcut the other branch, null for the identity
     * @throws IllegalArgumentException if the two branches' sizes differ
     */
    public ClientAidedResidual(ClientAidedModel body, Layer shortcut) {
        if (body == null) {
            throw new IllegalArgumentException("a residual needs a body");
        }
        int in = shortcut == null ? body.inputSize() : shortcut.inputSize();
        int out = shortcut == null ? body.inputSize() : shortcut.outputSize();
        if (in != body.inputSize() || out != body.outputSize()) {
            throw new IllegalArgumentException("residual branches do not match: the body maps " + body.inputSize() + " -> "
                    + body.outputSize() + " elements, the " + (shortcut == null ? "identity shortcut" : "shortcut "
                    + shortcut.describe()) + " maps " + in + " -> " + out);
        }
        Stage last = body.steps().get(body.steps().size() - 1);
        if (shortcut instanceof Sequential s && s.threePartOutput() || last instanceof Sequential b && b.threePartOutput()) {
            throw new IllegalArgumentException("a residual's " + (last instanceof Sequential b && b.threePartOutput()
                    ? "body ends" : "shortcut is") + " with a segment planned for decryption (a three-part product the sum "
                    + "cannot take): plan it with Sequential.Builder.buildSegment()");
        }
        this.body = body;
        this.shortcut = shortcut;
    }

    /** @return the residual branch */
    public ClientAidedModel body() {
        return body;
    }

    /** @return the shortcut layer, or null for the identity */
    public Layer shortcut() {
        return shortcut;
    }

    @Override
    public int inputSize() {
        return body.inputSize();
    }

    @Override
    public int outputSize() {
        return body.outputSize();
    }

    /** @return whether the body or the shortcut switches keys under {@code packing} (relinearization, conjugation) */
    public boolean needsKeySwitching(io.github.jckks.nn.Packing packing) {
        return body.needsKeySwitching(packing)
                || shortcut != null && io.github.jckks.nn.Sequential.needsKeySwitching(shortcut, packing);
    }

    /** @return round trips to the key holder per evaluation (the body's) */
    public int roundTrips() {
        return body.roundTrips();
    }

    /** @return ciphertexts sent to the key holder per evaluation (the body's) */
    public int ciphertextsPerEvaluation() {
        return body.ciphertextsPerInference();
    }

    /** The plaintext reference on one image: body(x) + shortcut(x). */
    @Override
    public double[] forward(double[] input) {
        double[] b = body.forward(input);
        double[] s = shortcut == null ? input : shortcut.forward(input);
        double[] out = b.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += s[i];
        }
        return out;
    }

    /**
     * The encrypted block: the shortcut on the server, the body with {@code relu}'s help, the aligned sum. The
     * input stays valid.
     *
     * @throws IllegalArgumentException if the two outputs cannot be brought to one level and scale
     */
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime runtime, ReluOracle relu) {
        if (input.length != inputSize()) {
            throw new IllegalArgumentException(describe() + ": input has " + input.length + " elements, expected "
                    + inputSize());
        }
        // a planned Sequential consumes its input (its limbs serve its own layers): such a path gets a pooled copy,
        // since the other path (or the identity shortcut) still reads the input
        Ciphertext[] s = shortcut == null ? input
                : shortcut.forward(shortcut instanceof Sequential ? copy(input, runtime) : input, runtime);
        Ciphertext[] b = body.forward(body.steps().get(0) instanceof Sequential ? copy(input, runtime) : input, runtime,
                relu);
        return ResidualBlock.sum(describe(), new Ciphertext[][] {b, s}, input, runtime);
    }

    /** @return deep copies of {@code in} in the runtime's pooled limbs */
    private static Ciphertext[] copy(Ciphertext[] in, EncryptedRuntime rt) {
        Ciphertext[] c = new Ciphertext[in.length];
        rt.parallelFor(in.length, i -> {
            RnsPoly[] parts = new RnsPoly[in[i].size()];
            for (int p = 0; p < parts.length; p++) {
                RnsPoly src = in[i].part(p);
                parts[p] = rt.limbs().take(src.limbCount(), src.isNtt());
                parts[p].copyFrom(src);
            }
            c[i] = new Ciphertext(parts, in[i].scale());
        });
        return c;
    }

    /**
     * @param inputLevel  the inputs' level
     * @param topLevel    L
     * @param foldFactors as in {@link ClientAidedModel#checkLevels(int, int, boolean)}, for the body
     * @return the lower of the body's and the shortcut's output levels (where the sum is made, if the scales there
     *         agree)
     * @throws IllegalArgumentException if the body or the shortcut has no level left
     */
    public int outputLevel(int inputLevel, int topLevel, boolean foldFactors) {
        int b = body.checkLevels(inputLevel, topLevel, foldFactors);
        int s = inputLevel - (shortcut == null ? 0 : shortcut instanceof LinearLayer ll ? ll.rescales() : shortcut.depth());
        if (s < 0) {
            throw new IllegalArgumentException(describe() + ": the shortcut " + shortcut.describe() + " needs "
                    + shortcut.depth() + " level(s), the input is at level " + inputLevel);
        }
        return Math.min(b, s);
    }

    @Override
    public String describe() {
        return "Residual (client-aided body, " + body.roundTrips() + " round trip(s); shortcut "
                + (shortcut == null ? "identity" : shortcut.describe()) + "), " + outputSize() + " elements";
    }
}
