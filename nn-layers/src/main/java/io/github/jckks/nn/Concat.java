package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.math.RnsPoly;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The concatenation of branches that read the same input: out = [branch<sub>0</sub>(x), branch<sub>1</sub>(x), ...]
 * (elements in branch order). On channel-major C<sub>b</sub> x H x W branch outputs with equal H x W this is
 * PyTorch's {@code torch.cat(dim=1)} along channels (Inception, DenseNet, SqueezeNet's fire module); the layer
 * sees flat tensors and does not check H x W. Built by {@link Sequential.Builder#concat}.
 *
 * <p><b>Encrypted form</b>: the following layers need one level, scale and part count for all elements, so the
 * branch outputs are aligned like those of a {@link ResidualBlock}: to the deepest branch's level (free: a
 * view of fewer primes) and scale (for a different scale, one scalar product and one or two rescales per
 * element within the branch's spare levels, else an {@link IllegalArgumentException}); a two-part element next
 * to three-part ones gets a zero third part (one zeroed polynomial). Elements already aligned are passed
 * through without copy. Depth: that of the deepest branch.
 */
public final class Concat extends BranchLayer {
    private final int outputSize;

    Concat(int inputSize, List<List<Layer>> branches) {
        super(inputSize, branches);
        int n = 0;
        for (int b = 0; b < branches.size(); b++) {
            n += branchOutputSize(b);
        }
        this.outputSize = n;
    }

    @Override
    public int outputSize() {
        return outputSize;
    }

    @Override
    public double[] forward(double[] input) {
        double[][] outs = forwardBranches(input);
        double[] out = new double[outputSize];
        int at = 0;
        for (double[] o : outs) {
            System.arraycopy(o, 0, out, at, o.length);
            at += o.length;
        }
        return out;
    }

    @Override
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt) {
        Ciphertext[][] outs = forwardBranches(input, rt);
        Target t = target(outs, rt);
        Ciphertext[] src = new Ciphertext[outputSize];
        int[] branchOf = new int[outputSize];
        boolean[] copy = new boolean[outputSize];
        Set<Ciphertext> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int at = 0;
        for (int b = 0; b < outs.length; b++) {
            for (Ciphertext c : outs[b]) {
                src[at] = c;
                branchOf[at] = b;
                copy[at] = !seen.add(c); // the same ciphertext twice (two identity branches): the second is a copy
                at++;
            }
        }
        Ciphertext[] out = new Ciphertext[outputSize];
        rt.parallelFor(outputSize, e -> out[e] = align(src[e], copy[e], t, t.rescales()[branchOf[e]], rt));
        releaseBranchOutputs(outs, input, out, rt);
        return out;
    }

    private static Ciphertext align(Ciphertext c, boolean copy, Target t, int rescales, EncryptedRuntime rt) {
        if (copy || rescales > 0) {
            return ScaleAlignment.alignedCopy(c, t.level(), t.scale(), t.parts(), rescales, rt);
        }
        if (c.level() == t.level() && c.size() == t.parts()) {
            if (c.scale() != t.scale()) {
                c.setScale(t.scale()); // equal within the tolerance: one exact tag for the next layer
            }
            return c;
        }
        RnsPoly[] parts = new RnsPoly[t.parts()];
        for (int p = 0; p < parts.length; p++) {
            if (p < c.size()) {
                parts[p] = c.part(p).view(t.level() + 1); // dropping primes shares the limbs
            } else {
                parts[p] = rt.limbs().take(t.level() + 1, true);
                parts[p].clear();
            }
        }
        return new Ciphertext(parts, t.scale());
    }

    @Override
    public String describe() {
        return describeBranches("Concat of " + branches().size() + " branches, " + outputSize + " elements");
    }
}
