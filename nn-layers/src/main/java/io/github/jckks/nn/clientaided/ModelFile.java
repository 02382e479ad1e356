package io.github.jckks.nn.clientaided;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.jckks.nn.LinearLayer;
import io.github.jckks.nn.Sequential;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@link ClientAidedModel} from a JSON model file (format {@code "jckks-model"}, version 1), the form a
 * trained PyTorch network is exported to: its layers in order, PyTorch's names and weight layouts, tensors
 * flattened channel-major (C x H x W) as everywhere in nn-layers.
 *
 * <pre>{@code
 * {"format": "jckks-model", "version": 1,
 *  "input": [1, 28, 28],                               // [C, H, W], or [features]
 *  "layers": [
 *    {"type": "conv2d", "out_channels": 5, "kernel_size": 5, "stride": 2, "padding": [1, 1, 0, 0],
 *     "groups": 1, "weight": [...], "bias": [...]},  // weight [M][C/groups][kh][kw], nested or flat
 *    {"type": "batchnorm", "weight": [...], "bias": [...], "running_mean": [...], "running_var": [...], "eps": 1e-5},
 *    {"type": "relu"},                                // client-aided; also "relu6", {"type": "maxpool", "kernel_size": 2}
 *    {"type": "residual", "body": [...], "shortcut": [...]},   // shortcut optional (identity)
 *    {"type": "flatten"},
 *    {"type": "dense", "out_features": 10, "weight": [...], "bias": [...]}]}   // weight [out][in]
 * }</pre>
 *
 * <p>Layer types: {@code conv2d} ({@code kernel_size} k or [kh, kw], {@code stride} (1), {@code padding} p, [ph, pw]
 * or [top, left, bottom, right] (0), {@code groups} (1), {@code bias} optional), {@code dense} ({@code bias}
 * optional), {@code batchnorm} (folded into the convolution or dense layer right before it; {@code eps} 1e-5),
 * {@code avgpool} ({@code kernel_size}, {@code stride} (the kernel size), {@code padding} (0); PyTorch's
 * count_include_pad), {@code global_avgpool}, {@code flatten}, {@code square} (x<sup>2</sup>, computed by the
 * server), the client-aided activations {@code relu}, {@code relu6} and {@code maxpool} ({@code kernel_size},
 * {@code stride} (the kernel size), no padding), and {@code residual} ({@code body}, {@code shortcut}: layer lists;
 * the body may hold client-aided activations, the shortcut may not).
 *
 * <p>Consecutive server-side layers become one planned {@link Sequential} segment (batch normalization folded,
 * squares planned with lazy rescaling and relinearization; {@link Sequential.Builder#buildSegment} inside the
 * network, {@link Sequential.Builder#build} for a last segment, whose output goes to decryption); a segment of a
 * single linear layer is added as that layer, so that per-ciphertext masking factors can be folded into it.
 *
 * <p><b>Strict.</b> A field this reader does not know (e.g. {@code dilation} other than 1, {@code ceil_mode} true,
 * {@code count_include_pad} false, unequal strides or pooling kernels) is refused rather than ignored, as are
 * duplicate keys and anything after the document; {@code name} is allowed (and ignored) on every layer. Every problem
 * (malformed JSON, wrong tag or version, unknown type or field, array of the wrong length or a non-finite number, a
 * layer that does not fit the shape before it, a layer above {@link LinearLayer#MAX_OUTPUTS} outputs or
 * {@link LinearLayer#MAX_TAPS} weights) raises a {@link ModelFormatException} naming the layer's path and the field,
 * before anything of the layer's size is allocated. Files above {@value #MAX_BYTES} bytes are refused before parsing;
 * parsing holds the whole document as a tree, about 8 bytes of heap per byte of file. Stateless.
 */
public final class ModelFile {
    /** The format tag. */
    public static final String FORMAT = "jckks-model";
    /** The version this reader reads. */
    public static final int VERSION = 1;
    /** The largest file read (256 MiB; a MobileNetV2 of width 0.35 exported in JSON is about 40 MB). */
    public static final long MAX_BYTES = 1L << 28;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64)
                    .maxDocumentLength(MAX_BYTES).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The fields each layer type may have, besides "type" and "name". */
    private static final Map<String, Set<String>> FIELDS = Map.ofEntries(
            Map.entry("dense", Set.of("out_features", "in_features", "weight", "bias")),
            Map.entry("linear", Set.of("out_features", "in_features", "weight", "bias")),
            Map.entry("conv2d", Set.of("out_channels", "in_channels", "kernel_size", "stride", "padding", "groups",
                    "dilation", "weight", "bias")),
            Map.entry("batchnorm", Set.of("weight", "bias", "running_mean", "running_var", "eps", "num_features")),
            Map.entry("batchnorm1d", Set.of("weight", "bias", "running_mean", "running_var", "eps", "num_features")),
            Map.entry("batchnorm2d", Set.of("weight", "bias", "running_mean", "running_var", "eps", "num_features")),
            Map.entry("avgpool", Set.of("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")),
            Map.entry("avgpool2d", Set.of("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")),
            Map.entry("maxpool", Set.of("kernel_size", "stride", "padding", "ceil_mode", "dilation")),
            Map.entry("maxpool2d", Set.of("kernel_size", "stride", "padding", "ceil_mode", "dilation")),
            Map.entry("global_avgpool", Set.of()),
            Map.entry("adaptive_avgpool", Set.of("output_size")),
            Map.entry("flatten", Set.of()),
            Map.entry("square", Set.of()),
            Map.entry("relu", Set.of()),
            Map.entry("relu6", Set.of()),
            Map.entry("residual", Set.of("body", "shortcut")));

    private ModelFile() {
    }

    /**
     * @return the model in {@code path}
     * @throws ModelFormatException if the file is not a valid model file
     * @throws IOException          if it cannot be read
     */
    public static ClientAidedModel read(Path path) throws IOException {
        long size = Files.size(path);
        if (size > MAX_BYTES) {
            throw new ModelFormatException(path + ": " + size + " bytes, more than the " + MAX_BYTES + " a model file may have");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return read(in);
        }
    }

    /**
     * @return the model the stream holds (read to its end)
     * @throws ModelFormatException if it is not a valid model file
     * @throws IOException          if it cannot be read
     */
    public static ClientAidedModel read(InputStream in) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JacksonException e) {
            throw new ModelFormatException("malformed model file: " + e.getOriginalMessage(), e);
        }
        return parse(root);
    }

    /**
     * @return the model of a parsed model file
     * @throws ModelFormatException if it is not a valid model
     */
    public static ClientAidedModel parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new ModelFormatException("a model file is a JSON object");
        }
        String format = text(root, "format", "the file");
        if (!FORMAT.equals(format)) {
            throw new ModelFormatException("format is \"" + format + "\", expected \"" + FORMAT + "\"");
        }
        int version = integer(root, "version", "the file", 1, Integer.MAX_VALUE);
        if (version != VERSION) {
            throw new ModelFormatException("model file version " + version + "; this reader reads version " + VERSION);
        }
        JsonNode input = root.get("input");
        if (input == null || !input.isArray() || (input.size() != 1 && input.size() != 3)) {
            throw new ModelFormatException("\"input\" must be [C, H, W] or [features]");
        }
        int[] dims = new int[input.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = input.get(i);
            if (!d.canConvertToInt() || !d.isIntegralNumber() || d.intValue() < 1 || d.intValue() > 1 << 24) {
                throw new ModelFormatException("\"input\"[" + i + "] must be an integer in [1, 2^24], got " + d);
            }
            dims[i] = d.intValue();
        }
        Shape shape = dims.length == 3 ? new Shape(dims[0], dims[1], dims[2]) : Shape.flat(dims[0]);
        if ((long) shape.c * shape.h * shape.w > 1 << 24) {
            throw new ModelFormatException("input of " + ((long) shape.c * shape.h * shape.w) + " elements: at most 2^24");
        }
        JsonNode layers = root.get("layers");
        if (layers == null || !layers.isArray() || layers.isEmpty()) {
            throw new ModelFormatException("\"layers\" must be a non-empty array");
        }
        return steps(layers, shape, "layers", true).model;
    }

    /** A tensor shape: C x H x W, or a flat vector (C = size, H = W = 1, not spatial). */
    private record Shape(int c, int h, int w, boolean spatial) {
        Shape(int c, int h, int w) {
            this(c, h, w, true);
        }

        static Shape flat(int n) {
            return new Shape(n, 1, 1, false);
        }

        int size() {
            return c * h * w;
        }

        @Override
        public String toString() {
            return spatial ? c + " x " + h + " x " + w : size() + " (flat)";
        }
    }

    /** A pooling window: kernel k x k, stride, padding [top, left, bottom, right], and the output shape. */
    private record Pool(int k, int stride, int[] pad, Shape out) {
    }

    /** @return the pooling window of {@code l} on {@code shape} (PyTorch's MaxPool2d / AvgPool2d fields) */
    private static Pool pool(JsonNode l, Shape shape, String where) {
        int k = square(l, "kernel_size", where, -1);
        int stride = square(l, "stride", where, k);
        int[] pad = padding(l, where);
        if (l.has("ceil_mode") && l.get("ceil_mode").asBoolean(false)) {
            throw new ModelFormatException(where + ": ceil_mode true is not supported");
        }
        for (int p : pad) {
            if (2 * p > k) {
                throw new ModelFormatException(where + ": padding " + p + " is more than half the kernel " + k
                        + " (PyTorch refuses it too)");
            }
        }
        return new Pool(k, stride, pad, geometry(shape, new int[] {k, k}, stride, pad, shape.c, 1, where));
    }

    /**
     * Checks, before anything of the layer's size is allocated, that a kh x kw window with this stride and padding
     * fits the input and that the layer's outputs (maps x H' x W') and weights (outputs x perMap x kh x kw) are within
     * {@link LinearLayer#MAX_OUTPUTS} and {@link LinearLayer#MAX_TAPS}.
     *
     * @return the output shape, maps x H' x W'
     */
    private static Shape geometry(Shape shape, int[] k, int stride, int[] pad, int maps, int perMap, String where) {
        long spanH = (long) shape.h + pad[0] + pad[2] - k[0];
        long spanW = (long) shape.w + pad[1] + pad[3] - k[1];
        if (spanH < 0 || spanW < 0) {
            throw new ModelFormatException(where + ": a " + k[0] + " x " + k[1] + " window does not fit the padded "
                    + shape.h + " x " + shape.w + " input");
        }
        long outputs = (long) maps * (spanH / stride + 1) * (spanW / stride + 1);
        if (outputs > LinearLayer.MAX_OUTPUTS || outputs * perMap * k[0] * k[1] > LinearLayer.MAX_TAPS) {
            throw new ModelFormatException(where + ": " + outputs + " outputs of " + ((long) perMap * k[0] * k[1])
                    + " taps each: more than the " + LinearLayer.MAX_OUTPUTS + " outputs or " + LinearLayer.MAX_TAPS
                    + " weights a layer may have");
        }
        return new Shape(maps, (int) (spanH / stride + 1), (int) (spanW / stride + 1));
    }

    /** @return an int field given as k or [k, k] (unequal pairs refused), {@code fallback} if absent (&le; 0: required) */
    private static int square(JsonNode node, String field, String where, int fallback) {
        int[] p = pair(node, field, where, fallback);
        if (p[0] != p[1]) {
            throw new ModelFormatException(where + ": \"" + field + "\" " + node.get(field) + ": only equal values along "
                    + "both axes are supported");
        }
        return p[0];
    }

    private record Parsed(ClientAidedModel model, Shape shape) {
    }

    /** The server-side layers waiting to become one segment. */
    private static final class Segment {
        Sequential.Builder builder;
        String firstPath;

        void add(LinearLayer l, String path) {
            start(path, l.inputSize());
            builder.add(l);
        }

        /** Opens the segment if none is open, on inputs of {@code inputSize} elements. */
        void start(String path, int inputSize) {
            if (builder == null) {
                builder = Sequential.builder(inputSize);
                firstPath = path;
            }
        }
    }

    private static Parsed steps(JsonNode layers, Shape in, String path, boolean terminal) {
        ClientAidedModel.Builder model = ClientAidedModel.builder();
        Segment seg = new Segment();
        Shape shape = in;
        int added = 0;
        for (int i = 0; i < layers.size(); i++) {
            JsonNode l = layers.get(i);
            String where = path + "[" + i + "]";
            if (!l.isObject()) {
                throw new ModelFormatException(where + ": a layer is a JSON object");
            }
            String type = text(l, "type", where).toLowerCase(Locale.ROOT);
            where = where + " (" + type + ")";
            Set<String> allowed = FIELDS.get(type);
            if (allowed == null) {
                throw new ModelFormatException(where + ": unknown layer type \"" + type + "\"");
            }
            for (Iterator<String> f = l.fieldNames(); f.hasNext(); ) {
                String field = f.next();
                if (!field.equals("type") && !field.equals("name") && !allowed.contains(field)) {
                    throw new ModelFormatException(where + ": field \"" + field + "\" is not supported (" + type
                            + " takes " + new java.util.TreeSet<>(allowed) + ")");
                }
            }
            try {
                switch (type) {
                    case "dense", "linear" -> {
                        int out = integer(l, "out_features", where, 1, (int) LinearLayer.MAX_OUTPUTS);
                        int n = shape.size();
                        if (l.has("in_features") && integer(l, "in_features", where, 1, Integer.MAX_VALUE) != n) {
                            throw new ModelFormatException(where + ": in_features " + l.get("in_features")
                                    + " but the layer before gives " + n);
                        }
                        if ((long) out * n > LinearLayer.MAX_TAPS) {
                            throw new ModelFormatException(where + ": " + out + " x " + n + " weights, more than the "
                                    + LinearLayer.MAX_TAPS + " a layer may have");
                        }
                        double[] flat = numbers(l, "weight", where, (long) out * n);
                        double[][] w = new double[out][];
                        for (int o = 0; o < out; o++) {
                            w[o] = java.util.Arrays.copyOfRange(flat, o * n, (o + 1) * n);
                        }
                        double[] b = l.has("bias") && !l.get("bias").isNull() ? numbers(l, "bias", where, out) : null;
                        seg.add(LinearLayer.dense(w, b), where);
                        shape = Shape.flat(out);
                    }
                    case "conv2d" -> {
                        requireSpatial(shape, where);
                        int maps = integer(l, "out_channels", where, 1, 1 << 20);
                        int[] k = pair(l, "kernel_size", where, -1);
                        int stride = square(l, "stride", where, 1);
                        int[] pad = padding(l, where);
                        int groups = l.has("groups") ? integer(l, "groups", where, 1, 1 << 20) : 1;
                        if (square(l, "dilation", where, 1) != 1) {
                            throw new ModelFormatException(where + ": dilation other than 1 is not supported");
                        }
                        if (l.has("in_channels") && integer(l, "in_channels", where, 1, Integer.MAX_VALUE) != shape.c) {
                            throw new ModelFormatException(where + ": in_channels " + l.get("in_channels")
                                    + " but the layer before gives " + shape.c + " channels");
                        }
                        Shape out = geometry(shape, k, stride, pad, maps, shape.c / groups, where);
                        if (shape.c % groups != 0 || maps % groups != 0) {
                            throw new ModelFormatException(where + ": groups " + groups + " must divide the input's "
                                    + shape.c + " channels and the " + maps + " output channels");
                        }
                        int cpg = shape.c / groups;
                        double[] flat = numbers(l, "weight", where, (long) maps * cpg * k[0] * k[1]);
                        double[][][][] kernel = new double[maps][cpg][k[0]][k[1]];
                        for (int m = 0, at = 0; m < maps; m++) {
                            for (int c = 0; c < cpg; c++) {
                                for (int y = 0; y < k[0]; y++) {
                                    for (int x = 0; x < k[1]; x++) {
                                        kernel[m][c][y][x] = flat[at++];
                                    }
                                }
                            }
                        }
                        double[] b = l.has("bias") && !l.get("bias").isNull() ? numbers(l, "bias", where, maps) : null;
                        seg.add(LinearLayer.conv2d(shape.c, shape.h, shape.w, kernel, b, stride, pad[0], pad[1], pad[2],
                                pad[3], groups), where);
                        shape = out;
                    }
                    case "batchnorm", "batchnorm1d", "batchnorm2d" -> {
                        int ch = shape.spatial ? shape.c : shape.size();
                        if (seg.builder == null) {
                            throw new ModelFormatException(where + ": a batch normalization must follow a convolution or "
                                    + "dense layer (it is folded into it)");
                        }
                        double eps = l.has("eps") ? finite(l.get("eps"), where + " eps") : 1e-5;
                        seg.builder.batchNorm(numbers(l, "weight", where, ch), numbers(l, "bias", where, ch),
                                numbers(l, "running_mean", where, ch), numbers(l, "running_var", where, ch), eps);
                    }
                    case "avgpool", "avgpool2d" -> {
                        requireSpatial(shape, where);
                        if (l.has("count_include_pad") && !l.get("count_include_pad").asBoolean(true)) {
                            throw new ModelFormatException(where + ": count_include_pad false is not supported (the "
                                    + "padded zeros count, as PyTorch's default)");
                        }
                        Pool pool = pool(l, shape, where);
                        seg.add(LinearLayer.avgPool2d(shape.c, shape.h, shape.w, pool.k, pool.stride, pool.pad[0],
                                pool.pad[1], pool.pad[2], pool.pad[3]), where);
                        shape = pool.out;
                    }
                    case "global_avgpool", "adaptive_avgpool" -> {
                        requireSpatial(shape, where);
                        if (l.has("output_size") && square(l, "output_size", where, 1) != 1) {
                            throw new ModelFormatException(where + ": only output_size 1 (global average pooling) is "
                                    + "supported");
                        }
                        seg.add(LinearLayer.globalAvgPool(shape.c, shape.h, shape.w), where);
                        shape = Shape.flat(shape.c);
                    }
                    case "flatten" -> shape = Shape.flat(shape.size());
                    case "square" -> {
                        seg.start(where, shape.size());
                        seg.builder.square();
                    }
                    case "relu", "relu6", "maxpool", "maxpool2d" -> {
                        added += flush(model, seg, false);
                        if (type.equals("relu")) {
                            model.add(new ReluActivation(shape.size()));
                        } else if (type.equals("relu6")) {
                            model.add(new Relu6Activation(shape.size()));
                        } else {
                            requireSpatial(shape, where);
                            if (square(l, "dilation", where, 1) != 1) {
                                throw new ModelFormatException(where + ": dilation other than 1 is not supported");
                            }
                            Pool pool = pool(l, shape, where);
                            if (pool.pad[0] + pool.pad[1] + pool.pad[2] + pool.pad[3] != 0) {
                                throw new ModelFormatException(where + ": max pooling with padding is not supported");
                            }
                            model.add(new MaxPoolActivation(shape.c, shape.h, shape.w, pool.k, pool.stride));
                            shape = pool.out;
                        }
                        added++;
                    }
                    case "residual" -> {
                        added += flush(model, seg, false);
                        JsonNode body = l.get("body");
                        if (body == null || !body.isArray() || body.isEmpty()) {
                            throw new ModelFormatException(where + ": \"body\" must be a non-empty array of layers");
                        }
                        Parsed b = steps(body, shape, where + ".body", false);
                        io.github.jckks.nn.Layer shortcut = null;
                        Shape out = shape;
                        JsonNode sc = l.get("shortcut");
                        if (sc != null && !sc.isNull() && !(sc.isArray() && sc.isEmpty())) {
                            if (!sc.isArray()) {
                                throw new ModelFormatException(where + ": \"shortcut\" must be an array of layers");
                            }
                            Parsed s = steps(sc, shape, where + ".shortcut", false);
                            if (s.model.roundTrips() > 0) {
                                throw new ModelFormatException(where + ": the shortcut holds a client-aided activation; "
                                        + "only the body may");
                            }
                            shortcut = s.model.steps().size() == 1 && s.model.steps().get(0) instanceof io.github.jckks.nn.Layer
                                    sl ? sl : null;
                            if (shortcut == null) {
                                throw new ModelFormatException(where + ": the shortcut must be server-side layers only");
                            }
                            out = s.shape;
                        }
                        if (!b.shape.equals(out)) {
                            throw new ModelFormatException(where + ": the body gives " + b.shape + ", the "
                                    + (sc == null || sc.isNull() || sc.isEmpty() ? "identity shortcut " : "shortcut ") + out);
                        }
                        model.residual(b.model, shortcut);
                        shape = b.shape;
                        added++;
                    }
                    default -> throw new AssertionError(type); // FIELDS lists the types
                }
            } catch (ModelFormatException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ModelFormatException(where + ": " + e.getMessage(), e);
            }
        }
        added += flush(model, seg, terminal);
        if (added == 0) {
            throw new ModelFormatException(path + ": no layer that computes anything (only flatten)");
        }
        return new Parsed(model.build(), shape);
    }

    /**
     * Adds the waiting server-side layers as one step: a planned segment ({@code terminal}: its output goes to
     * decryption), or the single linear layer itself.
     *
     * @return 1 if a step was added, else 0
     */
    private static int flush(ClientAidedModel.Builder model, Segment seg, boolean terminal) {
        if (seg.builder == null) {
            return 0;
        }
        Sequential s;
        try {
            s = terminal ? seg.builder.build() : seg.builder.buildSegment();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ModelFormatException(seg.firstPath + " and the server-side layers after it: " + e.getMessage(), e);
        }
        seg.builder = null;
        if (s.layers().size() == 1 && s.layers().get(0) instanceof LinearLayer ll) {
            // a lone linear layer as such, one rescale (an integer plan's saved level given back): per-ciphertext
            // factors then fold into it, which saves a whole round's levels
            model.add(ll.integerPlan() ? ll.withPlan(1, false) : ll);
        } else {
            model.add(s);
        }
        return 1;
    }

    private static void requireSpatial(Shape shape, String where) {
        if (!shape.spatial) {
            throw new ModelFormatException(where + ": needs a C x H x W input, but the layer before gives a flat vector of "
                    + shape.size());
        }
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new ModelFormatException(where + ": \"" + field + "\" must be a string");
        }
        return v.textValue();
    }

    private static int integer(JsonNode node, String field, String where, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw new ModelFormatException(where + ": \"" + field + "\" must be an integer in [" + min + ", " + max
                    + "], got " + v);
        }
        return v.intValue();
    }

    /** @return an int field given as k or [a, b] ([k, k] for a single value); both at least 1 */
    private static int[] pair(JsonNode node, String field, String where, int fallback) {
        JsonNode v = node.get(field);
        if (v == null) {
            if (fallback > 0) {
                return new int[] {fallback, fallback};
            }
            throw new ModelFormatException(where + ": \"" + field + "\" is missing");
        }
        int[] r;
        if (v.isArray() && v.size() == 2) {
            r = new int[] {v.get(0).asInt(-1), v.get(1).asInt(-1)};
            if (!v.get(0).isIntegralNumber() || !v.get(1).isIntegralNumber()) {
                r[0] = -1;
            }
        } else if (v.isIntegralNumber() && v.canConvertToInt()) {
            r = new int[] {v.intValue(), v.intValue()};
        } else {
            r = new int[] {-1, -1};
        }
        if (r[0] < 1 || r[1] < 1 || r[0] > 1 << 12 || r[1] > 1 << 12) {
            throw new ModelFormatException(where + ": \"" + field + "\" must be an integer or a pair of integers in [1, "
                    + (1 << 12) + "], got " + v);
        }
        return r;
    }

    /** @return [top, left, bottom, right] from padding p, [ph, pw] or [top, left, bottom, right] (default 0) */
    private static int[] padding(JsonNode node, String where) {
        JsonNode v = node.get("padding");
        if (v == null) {
            return new int[4];
        }
        int[] p;
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            p = new int[] {v.intValue(), v.intValue(), v.intValue(), v.intValue()};
        } else if (v.isArray() && (v.size() == 2 || v.size() == 4)) {
            p = new int[4];
            for (int i = 0; i < 4; i++) {
                JsonNode e = v.get(v.size() == 2 ? i % 2 : i);
                p[i] = e.isIntegralNumber() && e.canConvertToInt() ? e.intValue() : -1;
            }
        } else {
            p = new int[] {-1};
        }
        for (int x : p) {
            if (x < 0 || x > 1 << 12) {
                throw new ModelFormatException(where + ": \"padding\" must be p, [ph, pw] or [top, left, bottom, right] "
                        + "with integers in [0, " + (1 << 12) + "], got " + v);
            }
        }
        return p;
    }

    /**
     * @return the numbers of an array field, nested arrays read depth-first (PyTorch's row-major order), exactly
     *         {@code expected} of them, all finite
     */
    private static double[] numbers(JsonNode node, String field, String where, long expected) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new ModelFormatException(where + ": \"" + field + "\" must be an array of " + expected + " numbers");
        }
        long count = count(v);
        if (count != expected) {
            throw new ModelFormatException(where + ": \"" + field + "\" has " + count + " numbers, expected " + expected);
        }
        double[] out = new double[(int) expected]; // expected <= MAX_TAPS, and the document holds that many numbers
        fill(v, out, new int[1], where + " " + field);
        return out;
    }

    /** @return the leaves of a nested array (the parser bounds the nesting) */
    private static long count(JsonNode v) {
        long n = 0;
        for (Iterator<JsonNode> it = v.elements(); it.hasNext(); ) {
            JsonNode e = it.next();
            n += e.isArray() ? count(e) : 1;
        }
        return n;
    }

    private static void fill(JsonNode v, double[] out, int[] count, String what) {
        for (Iterator<JsonNode> it = v.elements(); it.hasNext(); ) {
            JsonNode e = it.next();
            if (e.isArray()) {
                fill(e, out, count, what);
            } else {
                out[count[0]++] = finite(e, what);
            }
        }
    }

    private static double finite(JsonNode e, String what) {
        if (!e.isNumber() || !Double.isFinite(e.doubleValue())) {
            throw new ModelFormatException(what + ": " + e + " is not a finite number");
        }
        return e.doubleValue();
    }
}
