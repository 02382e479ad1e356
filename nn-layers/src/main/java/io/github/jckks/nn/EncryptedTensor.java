package io.github.jckks.nn;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CompactCiphertext;
import io.github.jckks.ckks.Decryptor;
import io.github.jckks.ckks.Encryptor;
import java.util.Arrays;

/**
 * A batch of tensors under <b>batch-axis packing</b>: one ciphertext per element of the image shape (NCHW, as
 * {@link Tensor}), slot i holding image i. With {@link Packing#COMPLEX} the batch is two real batches in one slot
 * vector: images 0 to N/2 - 1 in the real parts, the next N/2 in the imaginary parts, N images per ciphertext.
 * Every weight of a layer is then a scalar shared by the batch (no rotations).
 *
 * <p>Two forms of the same values: <b>wide</b> ({@link Ciphertext}, 64-bit limbs, what the evaluator computes on)
 * and <b>compact</b> ({@link CompactCiphertext}, 32-bit limbs, half the memory: 4 &middot; N &middot; (l + 1) bytes
 * per part), for tensors that wait or arrive, since real networks hold hundreds of thousands of ciphertexts.
 * {@link Sequential#forward(EncryptedTensor, EncryptedRuntime)} takes either; a first {@link LinearLayer} sums a
 * compact tensor in place, reading half the bytes. Immutable as a container, except that a network that takes a
 * wide tensor consumes it (its ciphertexts' memory then serves the network): the tensor is marked consumed and
 * every later use throws {@link IllegalStateException}. Not thread-safe to encrypt or decrypt (the encryptor and
 * decryptor are not).
 */
public final class EncryptedTensor {
    private final int[] imageShape;
    private final int batch;
    private final Packing packing;
    private final Ciphertext[] wide;
    private final CompactCiphertext[] compact;
    private volatile boolean consumed;

    private EncryptedTensor(int[] imageShape, int batch, Packing packing, Ciphertext[] wide, CompactCiphertext[] compact) {
        packing.requireSlots("an encrypted tensor");
        this.imageShape = imageShape;
        this.batch = batch;
        this.packing = packing;
        this.wide = wide;
        this.compact = compact;
    }

    /**
     * Wraps ciphertexts already packed this way (one per element, in NCHW order).
     *
     * @throws IllegalArgumentException if the count differs from the image shape's size or the ciphertexts differ
     *                                  in level, parts or scale, or the batch is out of [1, capacity]
     */
    public static EncryptedTensor of(Ciphertext[] elements, int batch, Packing packing, int... imageShape) {
        checkElements(elements.length, imageShape);
        for (Ciphertext c : elements) {
            if (c.level() != elements[0].level() || c.size() != elements[0].size() || c.scale() != elements[0].scale()) {
                throw new IllegalArgumentException("elements differ in level, parts or scale: " + elements[0] + " vs " + c);
            }
        }
        int capacity = packing.imagesPerCiphertext(elements[0].part(0).n() / 2);
        if (batch < 1 || batch > capacity) {
            throw new IllegalArgumentException("batch " + batch + " outside [1, " + capacity + "], the images one "
                    + packing + "-packed ciphertext of N = " + elements[0].part(0).n() + " holds");
        }
        return new EncryptedTensor(imageShape.clone(), batch, packing, elements.clone(), null);
    }

    private static void checkElements(int count, int[] imageShape) {
        int[] s = new int[imageShape.length + 1];
        s[0] = 1;
        System.arraycopy(imageShape, 0, s, 1, imageShape.length);
        long size = Tensor.checkShape(s);
        if (count != size) {
            throw new IllegalArgumentException(count + " ciphertexts for images of shape " + Arrays.toString(imageShape)
                    + " (" + size + " elements)");
        }
    }

    /**
     * Encrypts a batch: element e of every image becomes one ciphertext, encoded at {@code level} and {@code scale}.
     * Cost: one encoding and one encryption per element of the image shape.
     *
     * @throws IllegalArgumentException if the batch exceeds the packing's capacity (N/2 real, N complex)
     */
    public static EncryptedTensor encrypt(Tensor t, CkksEncoder encoder, Encryptor encryptor, Packing packing,
                                          int level, double scale) {
        CkksContext context = encoder.context();
        int slots = context.parameters().slots();
        int capacity = packing.imagesPerCiphertext(slots);
        if (t.batch() > capacity) {
            throw new IllegalArgumentException("a batch of " + t.batch() + " images exceeds the " + capacity
                    + " that one ciphertext holds with " + packing + " packing at N = " + context.n());
        }
        Ciphertext[] cts = new Ciphertext[t.imageSize()];
        for (int e = 0; e < cts.length; e++) {
            double[] col = t.element(e);
            if (packing == Packing.COMPLEX) {
                double[] re = Arrays.copyOf(col, slots);
                double[] im = col.length > slots ? Arrays.copyOf(Arrays.copyOfRange(col, slots, col.length), slots)
                        : new double[slots];
                cts[e] = encryptor.encrypt(encoder.encodeComplexPacked(re, im, level, scale));
            } else {
                cts[e] = encryptor.encrypt(encoder.encode(Arrays.copyOf(col, slots), level, scale));
            }
        }
        return new EncryptedTensor(t.imageShape(), t.batch(), packing, cts, null);
    }

    /**
     * @return the decrypted batch [B, imageShape...]. Cost: one decryption and one decoding per element (a compact
     * element is expanded just before, one at a time).
     */
    public Tensor decrypt(Decryptor decryptor, CkksEncoder encoder) {
        live();
        int per = elementCount();
        int slots = encoder.context().parameters().slots();
        double[] data = new double[batch * per];
        for (int e = 0; e < per; e++) {
            Ciphertext ct = wide != null ? wide[e] : compact[e].expand(encoder.context());
            double[] col;
            if (packing == Packing.COMPLEX) {
                double[][] reIm = encoder.decodeComplex(decryptor.decrypt(ct));
                col = new double[2 * slots];
                System.arraycopy(reIm[0], 0, col, 0, slots);
                System.arraycopy(reIm[1], 0, col, slots, slots);
            } else {
                col = encoder.decode(decryptor.decrypt(ct));
            }
            for (int b = 0; b < batch; b++) {
                data[b * per + e] = col[b];
            }
        }
        int[] shape = new int[imageShape.length + 1];
        shape[0] = batch;
        System.arraycopy(imageShape, 0, shape, 1, imageShape.length);
        return Tensor.of(data, shape);
    }

    /**
     * @return this tensor with 32-bit limbs (half the memory); itself if already compact
     * @throws IllegalArgumentException if a prime of the level has more than 32 bits
     */
    public EncryptedTensor compact(CkksContext context) {
        live();
        if (compact != null) {
            return this;
        }
        CompactCiphertext[] c = new CompactCiphertext[wide.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = CompactCiphertext.of(context, wide[i]);
        }
        return new EncryptedTensor(imageShape, batch, packing, null, c);
    }

    /** @return this tensor with 64-bit limbs (new ciphertexts if it was compact; itself if already wide) */
    public EncryptedTensor wide(CkksContext context) {
        live();
        return compact == null ? this : new EncryptedTensor(imageShape, batch, packing, expanded(context), null);
    }

    private Ciphertext[] expanded(CkksContext context) {
        Ciphertext[] w = new Ciphertext[compact.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = compact[i].expand(context);
        }
        return w;
    }

    /** @return whether the limbs are 32-bit */
    public boolean isCompact() {
        return compact != null;
    }

    /** @return the ciphertexts, one per element (the array is a copy; the ciphertexts are these) */
    public Ciphertext[] ciphertexts() {
        live();
        if (wide == null) {
            throw new IllegalStateException("a compact tensor has no 64-bit ciphertexts: call wide(context) first");
        }
        return wide.clone();
    }

    /** @return the compact ciphertexts, one per element (the array is a copy) */
    public CompactCiphertext[] compactCiphertexts() {
        if (compact == null) {
            throw new IllegalStateException("a wide tensor has no compact ciphertexts: call compact(context) first");
        }
        return compact.clone();
    }

    /** @return the shape of one image (a copy) */
    public int[] imageShape() {
        return imageShape.clone();
    }

    /** @return the number of elements per image, i.e. of ciphertexts */
    public int elementCount() {
        return wide != null ? wide.length : compact.length;
    }

    /** @return B, the images in the batch */
    public int batch() {
        return batch;
    }

    /** @return the packing */
    public Packing packing() {
        return packing;
    }

    /** @return the level of the elements */
    public int level() {
        return wide != null ? wide[0].level() : compact[0].level();
    }

    /** @return the same ciphertexts under another image shape of the same size (Flatten, Reshape: no work) */
    public EncryptedTensor reshape(int... newImageShape) {
        live();
        checkElements(elementCount(), newImageShape);
        return new EncryptedTensor(newImageShape.clone(), batch, packing, wide, compact);
    }

    /** Marks a wide tensor whose ciphertexts a network has taken over (see the class comment). */
    void consume() {
        live();
        consumed = true;
    }

    /** @return whether a network has consumed this tensor */
    public boolean isConsumed() {
        return consumed;
    }

    private void live() {
        if (consumed) {
            throw new IllegalStateException("this tensor was consumed by Sequential.forward: its ciphertexts' memory "
                    + "now serves other values (keep a compact copy to reuse inputs)");
        }
    }

    /** @return the bytes of residue storage: 8 (wide) or 4 (compact) per residue */
    public long residueBytes() {
        long b = 0;
        if (compact != null) {
            for (CompactCiphertext c : compact) {
                b += c.residueBytes();
            }
        } else {
            for (Ciphertext c : wide) {
                b += 8L * c.size() * (c.level() + 1) * c.part(0).n();
            }
        }
        return b;
    }

    @Override
    public String toString() {
        return "EncryptedTensor[" + batch + " x " + Arrays.toString(imageShape) + ", " + packing + ", level " + level()
                + (compact != null ? ", compact]" : "]");
    }
}
