package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.Evaluator;
import io.github.jckks.nn.EncryptedRuntime;
import java.util.ArrayList;
import java.util.List;

/**
 * Max pooling on a C x H x W tensor (flattened channel-major, then row, then column, as
 * {@link io.github.jckks.nn.LinearLayer#conv2d}) with a k x k window and a stride, no padding: output C x H' x W'
 * with H' = (H - k) / stride + 1. Each window's maximum is a pairwise tree of max(a, b) = a + ReLU(b - a); the
 * differences of ALL windows at one tree level go to the key holder in one masked round, so a layer costs
 * ceil(log2(k&sup2;)) round trips (2 for 2 x 2) and sends, over all rounds, k&sup2; - 1 ciphertexts per output.
 * The client learns, for each (hidden, shuffled) comparison, which operand is larger per image.
 */
public final class MaxPoolActivation implements ClientAidedActivation {
    private final int channels;
    private final int height;
    private final int width;
    private final int kernel;
    private final int stride;
    private final int outH;
    private final int outW;
    private final int[][] windows;

    /**
     * @param channels C
     * @param height   H
     * @param width    W
     * @param kernel   window side k
     * @param stride   step between windows
     */
    public MaxPoolActivation(int channels, int height, int width, int kernel, int stride) {
        if (channels < 1 || height < 1 || width < 1 || kernel < 1 || stride < 1) {
            throw new IllegalArgumentException(String.format("max pool %dx%dx%d kernel %d stride %d: all must be >= 1",
                    channels, height, width, kernel, stride));
        }
        if (kernel > height || kernel > width) {
            throw new IllegalArgumentException("max pool kernel " + kernel + " exceeds the input " + height + " x " + width);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.kernel = kernel;
        this.stride = stride;
        this.outH = (height - kernel) / stride + 1;
        this.outW = (width - kernel) / stride + 1;
        windows = new int[channels * outH * outW][];
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < outH; r++) {
                for (int q = 0; q < outW; q++) {
                    int[] w = new int[kernel * kernel];
                    int t = 0;
                    for (int dr = 0; dr < kernel; dr++) {
                        for (int dc = 0; dc < kernel; dc++) {
                            w[t++] = (c * height + r * stride + dr) * width + q * stride + dc;
                        }
                    }
                    windows[(c * outH + r) * outW + q] = w;
                }
            }
        }
    }

    @Override
    public int inputSize() {
        return channels * height * width;
    }

    @Override
    public int outputSize() {
        return windows.length;
    }

    @Override
    public int roundTrips() {
        int rounds = 0;
        for (int m = kernel * kernel; m > 1; m = (m + 1) / 2) {
            rounds++;
        }
        return rounds;
    }

    @Override
    public int ciphertextsPerEvaluation() {
        return windows.length * (kernel * kernel - 1);
    }

    @Override
    public double[] forward(double[] input) {
        if (input.length != inputSize()) {
            throw new IllegalArgumentException(describe() + ": got " + input.length + " inputs");
        }
        double[] out = new double[windows.length];
        for (int o = 0; o < out.length; o++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int i : windows[o]) {
                m = Math.max(m, input[i]);
            }
            out[o] = m;
        }
        return out;
    }

    @Override
    public Ciphertext[] forward(Ciphertext[] input, ReluOracle relu, EncryptedRuntime runtime) {
        if (input.length != inputSize()) {
            throw new IllegalArgumentException(describe() + ": got " + input.length + " ciphertexts");
        }
        Evaluator ev = runtime.evaluator();
        List<List<Ciphertext>> cand = new ArrayList<>(windows.length);
        for (int[] w : windows) {
            List<Ciphertext> l = new ArrayList<>(w.length);
            for (int i : w) {
                l.add(input[i]);
            }
            cand.add(l);
        }
        while (true) {
            // one tree level of every window: pairs (a, b) -> a + ReLU(b - a), an odd last candidate carries over
            List<Ciphertext> as = new ArrayList<>();
            List<Ciphertext> bs = new ArrayList<>();
            for (List<Ciphertext> l : cand) {
                for (int i = 0; i + 1 < l.size(); i += 2) {
                    as.add(l.get(i));
                    bs.add(l.get(i + 1));
                }
            }
            if (as.isEmpty()) {
                break;
            }
            int pairs = as.size();
            Ciphertext[] diff = new Ciphertext[pairs];
            runtime.parallelFor(pairs, p -> diff[p] = ev.sub(bs.get(p), as.get(p)));
            Ciphertext[] r = relu.relu(diff);
            Ciphertext[] max = new Ciphertext[pairs];
            runtime.parallelFor(pairs, p -> {
                Ciphertext m = r[p];
                ev.addInPlace(m, as.get(p));
                max[p] = m;
            });
            int p = 0;
            List<List<Ciphertext>> next = new ArrayList<>(cand.size());
            for (List<Ciphertext> l : cand) {
                List<Ciphertext> n = new ArrayList<>((l.size() + 1) / 2);
                for (int i = 0; i + 1 < l.size(); i += 2) {
                    n.add(max[p++]);
                }
                if (l.size() % 2 == 1) {
                    n.add(l.get(l.size() - 1));
                }
                next.add(n);
            }
            cand = next;
        }
        Ciphertext[] out = new Ciphertext[windows.length];
        for (int o = 0; o < out.length; o++) {
            Ciphertext c = cand.get(o).get(0);
            out[o] = kernel == 1 ? c.copy() : c;
        }
        return out;
    }

    @Override
    public int outputLevel(int inputLevel, int topLevel) {
        int level = inputLevel;
        for (int r = 0; r < roundTrips(); r++) {
            ClientAidedActivation.requireRoundLevel(describe() + " (tree level " + (r + 1) + ")", level, topLevel);
            level = Math.min(level, topLevel - 1);
        }
        return level;
    }

    @Override
    public String describe() {
        return String.format("MaxPool %dx%dx%d -> %dx%dx%d (kernel %d, stride %d; client-aided, masked, %d rounds)",
                channels, height, width, channels, outH, outW, kernel, stride, roundTrips());
    }
}
