package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A feed-forward network: a list of {@link Layer}s run on a plaintext image (the reference) or on a batch of
 * encrypted images. Built by {@link Builder}, which applies the graph passes of nGraph-HE2: <b>lazy
 * rescaling</b> (a linear layer after an unrescaled square rescales twice, once for each pending factor),
 * <b>lazy relinearization</b> (products stay three-part through linear layers; a {@link Relinearize} is inserted
 * only before the next product, on the fewer outputs of the linear layer; a final three-part result is
 * decrypted with s<sup>2</sup>), and reports the multiplicative depth the parameters must provide. Immutable.
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
     * The encrypted network on batch-packed ciphertexts (the array's elements may be released as the network
     * runs). Input at level {@link #depth()} or above.
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
            x = l.forward(x, rt);
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

    /** Assembles a {@link Sequential}, inserting rescale counts and relinearizations (see the class comment). */
    public static final class Builder {
        private final List<Layer> layers = new ArrayList<>();
        private boolean pendingSquare;
        private boolean threePart;

        private Builder() {
        }

        /** Appends a linear layer (dense or convolution). */
        public Builder add(LinearLayer layer) {
            checkSize(layer);
            layers.add(pendingSquare ? layer.withRescales(2) : layer.withRescales(1));
            pendingSquare = false;
            return this;
        }

        /** Appends a square activation. */
        public Builder square() {
            int size = layers.isEmpty() ? -1 : layers.get(layers.size() - 1).outputSize();
            if (size < 0) {
                throw new IllegalStateException("a network cannot start with an activation here");
            }
            if (pendingSquare) {
                throw new IllegalStateException("two squares in a row: insert a linear layer or use a degree-4 polynomial");
            }
            if (threePart) {
                layers.add(new Relinearize(size));
            }
            layers.add(new SquareActivation(size));
            pendingSquare = true;
            threePart = true;
            return this;
        }

        private void checkSize(Layer next) {
            if (!layers.isEmpty() && layers.get(layers.size() - 1).outputSize() != next.inputSize()) {
                throw new IllegalArgumentException("layer " + next.describe() + " takes " + next.inputSize()
                        + " inputs but the previous layer gives " + layers.get(layers.size() - 1).outputSize());
            }
        }

        /** @return the network */
        public Sequential build() {
            if (layers.isEmpty()) {
                throw new IllegalStateException("empty network");
            }
            if (pendingSquare) {
                throw new IllegalStateException("a network ending in an unrescaled square is not supported: end with a linear layer");
            }
            return new Sequential(layers);
        }
    }
}
