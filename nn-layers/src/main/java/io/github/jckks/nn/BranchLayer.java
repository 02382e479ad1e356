package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CompactCiphertext;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link ResidualBlock} and {@link Concat} share: branches (planned layer lists, an empty one being the
 * identity) that all read the block's input, and the alignment of their outputs to one level and scale before
 * they are combined. The level plan of the branches is made by {@link Sequential.Builder}; the deepest branch
 * decides the block's depth, the others spend their spare levels (if any) on the alignment. Package-private.
 */
abstract class BranchLayer implements Layer {
    private final int inputSize;
    private final List<List<Layer>> branches;
    private final int depth;

    BranchLayer(int inputSize, List<List<Layer>> branches) {
        if (branches.size() < 2) {
            throw new IllegalArgumentException("a block needs at least two branches, got " + branches.size());
        }
        List<List<Layer>> copy = new ArrayList<>();
        int d = 0;
        for (int b = 0; b < branches.size(); b++) {
            List<Layer> branch = List.copyOf(branches.get(b));
            int size = inputSize;
            for (Layer l : branch) {
                if (l.inputSize() != size) {
                    throw new IllegalArgumentException("branch " + b + ": layer " + l.describe() + " takes " + l.inputSize()
                            + " inputs but gets " + size);
                }
                size = l.outputSize();
            }
            copy.add(branch);
            d = Math.max(d, Sequential.levels(branch));
        }
        this.inputSize = inputSize;
        this.branches = List.copyOf(copy);
        this.depth = d;
    }

    /** @return the planned branches (an empty list is the identity), in order */
    public List<List<Layer>> branches() {
        return branches;
    }

    /** @return the number of elements branch b outputs */
    final int branchOutputSize(int b) {
        List<Layer> branch = branches.get(b);
        return branch.isEmpty() ? inputSize : branch.get(branch.size() - 1).outputSize();
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    /** The levels of the deepest branch: the other branches align to it within their own spare levels. */
    @Override
    public int depth() {
        return depth;
    }

    final void checkInput(int length) {
        if (length != inputSize) {
            throw new IllegalArgumentException(describe() + ": input has " + length + " elements, expected " + inputSize);
        }
    }

    /** @return every branch's plaintext output */
    final double[][] forwardBranches(double[] input) {
        checkInput(input.length);
        double[][] out = new double[branches.size()][];
        for (int b = 0; b < out.length; b++) {
            double[] x = input;
            for (Layer l : branches.get(b)) {
                x = l.forward(x);
            }
            out[b] = x;
        }
        return out;
    }

    /**
     * Runs every branch on the shared input (which stays valid: branch intermediates are recycled, the input and
     * the branch outputs are not). An identity branch's output is the input array itself. The output of a branch
     * waits in {@link CompactCiphertext} form (32-bit residues, half the memory) while the later branches run,
     * when its primes allow; it is expanded into pooled limbs once all branches are done (two passes over its
     * residues, no arithmetic).
     */
    final Ciphertext[][] forwardBranches(Ciphertext[] input, EncryptedRuntime rt) {
        checkInput(input.length);
        Ciphertext[][] out = new Ciphertext[branches.size()][];
        CompactCiphertext[][] waiting = new CompactCiphertext[branches.size()][];
        for (int b = 0; b < out.length; b++) {
            Ciphertext[] x = input;
            for (Layer l : branches.get(b)) {
                Ciphertext[] y = l.forward(x, rt);
                if (y != x && x != input) {
                    rt.releaseAll(x, concat(y, input));
                }
                x = y;
            }
            out[b] = x;
            if (b < out.length - 1 && x != input && fitCompact(x, rt) && !sharesCiphertexts(x, input)) {
                waiting[b] = compact(x, input, rt);
                out[b] = null;
            }
        }
        for (int b = 0; b < out.length; b++) {
            if (waiting[b] != null) {
                CompactCiphertext[] w = waiting[b];
                Ciphertext[] e = new Ciphertext[w.length];
                rt.parallelFor(w.length, i -> e[i] = w[i].expand(rt.context(), limbs -> rt.limbs().take(limbs, true)));
                out[b] = e;
            }
        }
        return out;
    }

    /**
     * Whether a branch output passes input ciphertexts through ({@link Pad}): compacting those would copy them
     * while the input keeps the originals alive, so memory would grow instead of shrink.
     */
    private static boolean sharesCiphertexts(Ciphertext[] x, Ciphertext[] input) {
        java.util.Set<Ciphertext> in = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        in.addAll(java.util.Arrays.asList(input));
        for (Ciphertext c : x) {
            if (in.contains(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean fitCompact(Ciphertext[] x, EncryptedRuntime rt) {
        for (Ciphertext c : x) {
            if (!CompactCiphertext.fits(rt.context(), c.level())) {
                return false;
            }
        }
        return true;
    }

    /** x in compact form; x's limbs go back to the pool, except those the block's input still uses. */
    private static CompactCiphertext[] compact(Ciphertext[] x, Ciphertext[] input, EncryptedRuntime rt) {
        CompactCiphertext[] c = new CompactCiphertext[x.length];
        rt.parallelFor(x.length, i -> c[i] = CompactCiphertext.of(rt.context(), x[i]));
        rt.releaseAll(x.clone(), input);
        return c;
    }

    /** The level, scale and part count every branch output is brought to, and each branch's alignment rescales. */
    record Target(int level, double scale, int parts, int[] rescales) {
    }

    /**
     * @return the common target of the branch outputs: the lowest level, the scale of the branch(es) there, the
     * most parts after alignment
     * @throws IllegalArgumentException if a branch's elements differ among themselves or a branch cannot be aligned
     */
    final Target target(Ciphertext[][] outs, EncryptedRuntime rt) {
        return target(describe(), outs, rt);
    }

    /** {@link #target(Ciphertext[][], EncryptedRuntime)} for branch outputs of a block named {@code what}. */
    static Target target(String what, Ciphertext[][] outs, EncryptedRuntime rt) {
        int level = Integer.MAX_VALUE;
        double scale = 0;
        int parts = 0;
        for (int b = 0; b < outs.length; b++) {
            Ciphertext first = outs[b][0];
            for (Ciphertext c : outs[b]) {
                if (c.level() != first.level() || c.size() != first.size() || !ScaleAlignment.sameScale(c.scale(), first.scale())) {
                    throw new IllegalArgumentException(what + ": the elements of branch " + b
                            + " differ in level, size or scale (" + first + " vs " + c + ")");
                }
            }
            if (first.level() < level) {
                level = first.level();
                scale = first.scale();
            }
        }
        int[] rescales = new int[outs.length];
        for (int b = 0; b < outs.length; b++) {
            Ciphertext first = outs[b][0];
            try {
                rescales[b] = ScaleAlignment.rescalesNeeded(rt.evaluator(), first.level(), first.scale(), level, scale);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + ", branch " + b + ": " + e.getMessage(), e);
            }
            parts = Math.max(parts, rescales[b] > 0 ? 2 : first.size()); // an aligned operand is relinearized
        }
        return new Target(level, scale, parts, rescales);
    }

    /** Recycles the branch outputs except the memory the block's input or result still uses. */
    static void releaseBranchOutputs(Ciphertext[][] outs, Ciphertext[] input, Ciphertext[] result, EncryptedRuntime rt) {
        Ciphertext[] live = concat(result, input);
        for (Ciphertext[] o : outs) {
            if (o != input) {
                rt.releaseAll(o, live);
            }
        }
    }

    private static Ciphertext[] concat(Ciphertext[] a, Ciphertext[] b) {
        Ciphertext[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** @return the branches' descriptions, indented */
    final String describeBranches(String head) {
        StringBuilder sb = new StringBuilder(head).append(" [depth ").append(depth).append(']');
        for (int b = 0; b < branches.size(); b++) {
            sb.append("\n    branch ").append(b).append(':');
            if (branches.get(b).isEmpty()) {
                sb.append(" identity");
            }
            for (Layer l : branches.get(b)) {
                sb.append("\n      ").append(l.describe().replace("\n", "\n      "));
            }
        }
        return sb.toString();
    }
}
