package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.Evaluator;
import java.util.List;

/**
 * An element-wise sum of branches that read the same input: the residual connection of ResNet and MobileNetV2,
 * out = shortcut(x) + body(x), the shortcut being the identity or, e.g., a 1x1 convolution. All branches output
 * the same number of elements. Built by {@link Sequential.Builder#residual}, which plans the branches' levels.
 *
 * <p><b>Encrypted form</b>: every branch runs on the shared input; the outputs are brought to the level of the
 * deepest branch (primes of the others dropped, free) and to its scale. When the scales differ (a branch went
 * through a square and a double rescale, so its scale is s<sup>2</sup>/q rather than s), the shallower operand is
 * multiplied by the ratio encoded as a scalar and rescaled within its spare levels, exactly as a linear layer
 * would (one scalar product and one or two rescales per element); when no spare level is left the forward
 * pass fails with an {@link IllegalArgumentException} naming both scales and levels. Cost beyond the branches:
 * one addition and one copy of the limbs per element and branch, plus the alignments. Depth: that of the
 * deepest branch. The output has the most parts of the branches (a three-part branch leaves it unrelinearized).
 */
public final class ResidualBlock extends BranchLayer {
    ResidualBlock(int inputSize, List<List<Layer>> branches) {
        super(inputSize, branches);
        for (int b = 0; b < branches.size(); b++) {
            if (branchOutputSize(b) != branchOutputSize(0)) {
                throw new IllegalArgumentException("residual branches must output the same number of elements: branch 0 gives "
                        + branchOutputSize(0) + ", branch " + b + " gives " + branchOutputSize(b));
            }
        }
    }

    @Override
    public int outputSize() {
        return branchOutputSize(0);
    }

    @Override
    public double[] forward(double[] input) {
        double[][] outs = forwardBranches(input);
        double[] sum = outs[0].clone();
        for (int b = 1; b < outs.length; b++) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += outs[b][i];
            }
        }
        return sum;
    }

    @Override
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt) {
        return sum(describe(), forwardBranches(input, rt), input, rt);
    }

    /**
     * The residual sum of branch outputs computed elsewhere (a client-aided branch, whose activations need the key
     * holder: nn-layers' {@code clientaided.ClientAidedResidual}): each element of every branch is brought to the
     * lowest level among the branches and to the scale there, as {@link #forward(Ciphertext[], EncryptedRuntime)}
     * does, and the branches are added. The branch outputs' limbs are recycled into the runtime's pool, except
     * those the {@code input} or the result still uses (an identity branch is {@code input} itself).
     *
     * @param what     the block's name, for the error messages
     * @param outs     outs[b][e]: element e of branch b, every branch of the same length, each branch's elements at
     *                 one level, size and scale
     * @param input    the block's input (kept valid)
     * @param rt       the runtime
     * @return a new array of new ciphertexts
     * @throws IllegalArgumentException if the branches' lengths differ, or a branch cannot be brought to the others'
     *                                  level and scale within its spare levels (naming both)
     */
    public static Ciphertext[] sum(String what, Ciphertext[][] outs, Ciphertext[] input, EncryptedRuntime rt) {
        for (Ciphertext[] o : outs) {
            if (o.length != outs[0].length) {
                throw new IllegalArgumentException(what + ": branches of " + outs[0].length + " and " + o.length
                        + " elements cannot be added");
            }
        }
        Target t = target(what, outs, rt);
        int base = 0;
        while (outs[base][0].level() != t.level()) {
            base++;
        }
        int first = base;
        Evaluator ev = rt.evaluator();
        Ciphertext[] out = new Ciphertext[outs[0].length];
        rt.parallelFor(out.length, e -> {
            Ciphertext acc = ScaleAlignment.alignedCopy(outs[first][e], t.level(), t.scale(), t.parts(), 0, rt);
            for (int b = 0; b < outs.length; b++) {
                if (b == first) {
                    continue;
                }
                Ciphertext o = outs[b][e];
                if (t.rescales()[b] == 0) {
                    ev.addInPlace(acc, o); // drops o's extra primes on the fly
                } else {
                    Ciphertext aligned = ScaleAlignment.alignedCopy(o, t.level(), t.scale(), o.size(), t.rescales()[b], rt);
                    ev.addInPlace(acc, aligned);
                    ScaleAlignment.release(aligned, rt);
                }
            }
            out[e] = acc;
        });
        releaseBranchOutputs(outs, input, out, rt);
        return out;
    }

    @Override
    public String describe() {
        return describeBranches("Residual sum of " + branches().size() + " branches, " + outputSize() + " elements");
    }
}
