package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A feed-forward network: a list of {@link Layer}s run on a plaintext image (the reference) or on a batch of
 * encrypted images. Built by {@link Builder}, which applies the graph passes of nGraph-HE2 and plans the
 * levels: <b>lazy rescaling</b> (one rescale per linear layer for its whole sum of products; after an
 * unrescaled square, two), <b>lazy relinearization</b> (a square's three-part outputs go through the next linear
 * layer unrelinearized, and only that layer's outputs are relinearized, between their two rescales; a
 * three-part result that goes to decryption is never relinearized: the client decrypts with s<sup>2</sup>), and
 * no rescale right before decryption. {@link #depth()} is the number of levels the parameters must provide.
 * Immutable.
 */
public final class Sequential {
    private final List<Layer> layers;

    private Sequential(List<Layer> layers) {
        this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the layers, with the inserted steps */
    public List<Layer> layers() {
        return layers;
    }

    /** @return the number of rescales (levels) the encrypted network consumes */
    public int depth() {
        int d = 0;
        for (Layer l : layers) {
            d += l instanceof LinearLayer ll ? ll.rescales() : 0;
        }
        return d;
    }

    /** @return the input size */
    public int inputSize() {
        return layers.get(0).inputSize();
    }

    /** @return the output size */
    public int outputSize() {
        return layers.get(layers.size() - 1).outputSize();
    }

    /** The plaintext reference on one image. */
    public double[] forward(double[] input) {
        double[] x = input;
        for (Layer l : layers) {
            x = l.forward(x);
        }
        return x;
    }

    /**
     * The encrypted network on batch-packed ciphertexts. The network consumes its input: the array's elements
     * are set to null as soon as a layer has used them and their memory goes to the runtime's limb pool (the
     * caller must not use the input ciphertexts afterwards), so a batch allocates little beyond its largest
     * layer. Input at level {@link #depth()} or above.
     */
    public Ciphertext[] forward(Ciphertext[] input, EncryptedRuntime rt) {
        if (input.length != inputSize()) {
            throw new IllegalArgumentException("network takes " + inputSize() + " ciphertexts, got " + input.length);
        }
        if (input[0].level() < depth()) {
            throw new IllegalArgumentException("inputs at level " + input[0].level() + " but the network needs depth " + depth());
        }
        Ciphertext[] x = input;
        for (Layer l : layers) {
            Ciphertext[] y = l.forward(x, rt);
            if (y != x) {
                rt.releaseAll(x, y); // consumed: its limb arrays serve the next layers
            }
            x = y;
        }
        return x;
    }

    /** @return a multi-line description with the depth */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Layer l : layers) {
            sb.append("  ").append(l.describe()).append('\n');
        }
        sb.append("  multiplicative depth: ").append(depth());
        return sb.toString();
    }

    /**
     * Assembles a {@link Sequential} and plans its levels: a linear layer after an unrescaled square rescales
     * twice (lazy rescaling) and, when a later square needs a two-part input, relinearizes between the two
     * rescales (lazy relinearization: on its outputs, not on the square's many inputs). The last layer is not
     * rescaled a second time: its output goes to decryption, which needs no particular scale.
     */
    public static final class Builder {
        private final List<Layer> layers = new ArrayList<>();

        private Builder() {
        }

        /** Appends a linear layer (dense or convolution). */
        public Builder add(LinearLayer layer) {
            checkSize(layer);
            layers.add(layer);
            return this;
        }

        /** Appends a square activation. */
        public Builder square() {
            if (layers.isEmpty()) {
                throw new IllegalStateException("a network cannot start with an activation here");
            }
            Layer last = layers.get(layers.size() - 1);
            if (last instanceof SquareActivation) {
                throw new IllegalStateException("two squares in a row: insert a linear layer between them");
            }
            layers.add(new SquareActivation(last.outputSize()));
            return this;
        }

        private void checkSize(Layer next) {
            if (!layers.isEmpty() && layers.get(layers.size() - 1).outputSize() != next.inputSize()) {
                throw new IllegalArgumentException("layer " + next.describe() + " takes " + next.inputSize()
                        + " inputs but the previous layer gives " + layers.get(layers.size() - 1).outputSize());
            }
        }

        /** @return the planned network */
        public Sequential build() {
            if (layers.isEmpty()) {
                throw new IllegalStateException("empty network");
            }
            if (layers.get(layers.size() - 1) instanceof SquareActivation) {
                throw new IllegalStateException("a network ending in a square is not supported: end with a linear layer");
            }
            List<Layer> planned = new ArrayList<>();
            boolean pendingSquare = false;
            boolean threePart = false;
            for (int i = 0; i < layers.size(); i++) {
                Layer l = layers.get(i);
                if (l instanceof SquareActivation) {
                    if (threePart) {
                        planned.add(new Relinearize(l.inputSize()));
                    }
                    planned.add(l);
                    pendingSquare = true;
                    threePart = true;
                } else {
                    LinearLayer ll = (LinearLayer) l;
                    boolean last = i == layers.size() - 1;
                    int rescales = pendingSquare && !last ? 2 : 1;
                    boolean relin = threePart && rescales == 2 && squareFollows(i);
                    planned.add(ll.withPlan(rescales, relin));
                    threePart = threePart && !relin;
                    pendingSquare = false;
                }
            }
            return new Sequential(planned);
        }

        private boolean squareFollows(int i) {
            for (int j = i + 1; j < layers.size(); j++) {
                if (layers.get(j) instanceof SquareActivation) {
                    return true;
                }
            }
            return false;
        }
    }
}
