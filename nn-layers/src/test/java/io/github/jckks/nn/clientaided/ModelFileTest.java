package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.nn.LinearLayer;
import io.github.jckks.nn.Sequential;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The JSON model file: a small MobileNet-like network (asymmetric padding, stride 2, grouped and depthwise
 * convolutions, folded batch normalization, ReLU6, an inverted residual, max pooling, a dense head) read from JSON
 * gives exactly the outputs of the same network built through the API, and runs encrypted; malformed files are
 * refused with messages naming the layer and the field; the command line serves a model file.
 */
class ModelFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static double[] values(Random r, int n, double s) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (2 * r.nextDouble() - 1) * s;
        }
        return v;
    }

    private static double[][][][] kernel(double[] flat, int m, int c, int kh, int kw) {
        double[][][][] k = new double[m][c][kh][kw];
        for (int a = 0, at = 0; a < m; a++) {
            for (int b = 0; b < c; b++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        k[a][b][y][x] = flat[at++];
                    }
                }
            }
        }
        return k;
    }

    private static ArrayNode array(double[] v) {
        ArrayNode a = JSON.createArrayNode();
        for (double x : v) {
            a.add(x);
        }
        return a;
    }

    /** The weights of the test network, and both of its forms. */
    private static final class Net {
        final Random r = new Random(41);
        // conv 2 -> 4 channels, kernel 3x2, stride 2, padding [top 1, left 0, bottom 0, right 1], groups 2, on 2 x 7 x 6
        final double[] c1 = values(r, 4 * 1 * 3 * 2, 0.8);
        final double[] b1 = values(r, 4, 0.2);
        final double[][] bn = {values(r, 4, 0.3), values(r, 4, 0.2), values(r, 4, 0.2), values(r, 4, 0.5)};
        // residual body on 4 x 3 x 3: 1x1 to 8, ReLU6, depthwise 3x3 padding 1, ReLU6, 1x1 to 4
        final double[] e = values(r, 8 * 4, 0.7);
        final double[] d = values(r, 8 * 9, 0.5);
        final double[] p = values(r, 4 * 8, 0.4);
        final double[] pb = values(r, 4, 0.1);
        // max pool 2 stride 1 -> 4 x 2 x 2, flatten, dense 16 -> 3
        final double[] w = values(r, 3 * 16, 0.4);
        final double[] wb = values(r, 3, 0.1);

        ObjectNode json() {
            ObjectNode root = JSON.createObjectNode();
            root.put("format", "jckks-model").put("version", 1);
            root.putArray("input").add(2).add(7).add(6);
            ArrayNode layers = root.putArray("layers");
            ObjectNode conv = layers.addObject().put("type", "conv2d").put("out_channels", 4).put("stride", 2).put("groups", 2);
            conv.putArray("kernel_size").add(3).add(2);
            conv.putArray("padding").add(1).add(0).add(0).add(1);
            conv.set("weight", array(c1));
            conv.set("bias", array(b1));
            ObjectNode norm = layers.addObject().put("type", "batchnorm").put("eps", 1e-3);
            norm.set("weight", array(bn[0]));
            norm.set("bias", array(bn[1]));
            norm.set("running_mean", array(bn[2]));
            double[] var = bn[3].clone();
            for (int i = 0; i < var.length; i++) {
                var[i] = 0.5 + Math.abs(var[i]);
            }
            norm.set("running_var", array(var));
            layers.addObject().put("type", "relu6");
            ObjectNode res = layers.addObject().put("type", "residual");
            ArrayNode body = res.putArray("body");
            body.addObject().put("type", "conv2d").put("out_channels", 8).put("kernel_size", 1).set("weight", array(e));
            body.addObject().put("type", "relu6");
            ObjectNode dw = body.addObject().put("type", "conv2d").put("out_channels", 8).put("kernel_size", 3)
                    .put("padding", 1).put("groups", 8);
            // nested [8][1][3][3], as PyTorch's tolist() gives
            ArrayNode nested = dw.putArray("weight");
            for (int m = 0; m < 8; m++) {
                ArrayNode rows = nested.addArray().addArray();
                for (int y = 0; y < 3; y++) {
                    ArrayNode row = rows.addArray();
                    for (int x = 0; x < 3; x++) {
                        row.add(d[m * 9 + y * 3 + x]);
                    }
                }
            }
            body.addObject().put("type", "relu6");
            ObjectNode proj = body.addObject().put("type", "conv2d").put("out_channels", 4).put("kernel_size", 1);
            proj.set("weight", array(p));
            proj.set("bias", array(pb));
            layers.addObject().put("type", "maxpool").put("kernel_size", 2).put("stride", 1);
            layers.addObject().put("type", "flatten");
            ObjectNode dense = layers.addObject().put("type", "dense").put("out_features", 3);
            dense.set("weight", array(w));
            dense.set("bias", array(wb));
            return root;
        }

        ClientAidedModel api() {
            double[] var = bn[3].clone();
            for (int i = 0; i < var.length; i++) {
                var[i] = 0.5 + Math.abs(var[i]);
            }
            LinearLayer conv = Sequential.builder()
                    .add(LinearLayer.conv2d(2, 7, 6, kernel(c1, 4, 1, 3, 2), b1, 2, 1, 0, 0, 1, 2))
                    .batchNorm(bn[0], bn[1], bn[2], var, 1e-3).buildSegment().layers().get(0) instanceof LinearLayer l ? l
                    : null;
            double[][][] depthwise = new double[8][][];
            for (int m = 0; m < 8; m++) {
                depthwise[m] = kernel(d, 8, 1, 3, 3)[m][0];
            }
            ClientAidedModel block = ClientAidedModel.builder()
                    .add(LinearLayer.conv2d(4, 3, 3, kernel(e, 8, 4, 1, 1), null, 1, 0, 0, 0, 0, 1)).relu6()
                    .add(LinearLayer.depthwiseConv2d(8, 3, 3, depthwise, null, 1, 1, 1, 1, 1)).relu6()
                    .add(LinearLayer.conv2d(8, 3, 3, kernel(p, 4, 8, 1, 1), pb, 1, 0, 0, 0, 0, 1)).build();
            double[][] dw = new double[3][];
            for (int o = 0; o < 3; o++) {
                dw[o] = java.util.Arrays.copyOfRange(w, o * 16, o * 16 + 16);
            }
            return ClientAidedModel.builder().add(conv).relu6().residual(block).maxPool(4, 3, 3, 2, 1)
                    .add(LinearLayer.dense(dw, wb)).build();
        }
    }

    @Test
    void aMobileNetLikeFileMatchesTheSameNetworkBuiltThroughTheApi() throws IOException {
        Net net = new Net();
        Path file = dir.resolve("model.json");
        JSON.writeValue(file.toFile(), net.json());
        ClientAidedModel read = ModelFile.read(file);
        ClientAidedModel api = net.api();
        assertEquals(84, read.inputSize());
        assertEquals(3, read.outputSize());
        assertEquals(api.roundTrips(), read.roundTrips());
        assertEquals(api.ciphertextsPerInference(), read.ciphertextsPerInference());
        Random r = new Random(42);
        for (int b = 0; b < 20; b++) {
            double[] x = values(r, 84, 1.5);
            assertArrayEquals(api.forward(x), read.forward(x), 1e-12);
        }

        // and it runs encrypted (in one process through the wire encoding)
        CkksContext ctx = Fixtures.smallContext(3);
        assertEquals(0, read.checkLevels(ctx.maxLevel(), ctx.maxLevel()));
        double[][] images = Fixtures.images(r, 64, 84, 1.5);
        double[][] expected = read.forward(images);
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            ClientAidedServer server = new ClientAidedServer(ctx, read, MaskingConfig.defaults(), pool);
            double[][] got = InProcessRunner.infer(server, ClientAidedClient.withFreshKeys(ctx), images, Fixtures.limits());
            double err = Fixtures.maxError(expected, got);
            assertTrue(err < 1e-3, "max error " + err); // measured 7.5-8.8e-5
        } finally {
            pool.shutdown();
        }
    }

    /**
     * The weight layouts, checked without the test's own reshaping: a one-hot input at channel c, row y, column x
     * makes output map m at (0, 0) equal to the flat weight ((m C + c) kh + y) kw + x (PyTorch's [M][C][kh][kw]
     * order), and a dense layer's output o for input j the flat weight o n + j ([out][in]).
     */
    @Test
    void weightLayoutsArePyTorchs() throws IOException {
        int maps = 3;
        int ch = 2;
        int kh = 2;
        int kw = 3;
        double[] flat = new double[maps * ch * kh * kw];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = i + 1;
        }
        ObjectNode root = JSON.createObjectNode().put("format", "jckks-model").put("version", 1);
        root.putArray("input").add(ch).add(kh).add(kw);
        ObjectNode conv = root.putArray("layers").addObject().put("type", "conv2d").put("out_channels", maps);
        conv.putArray("kernel_size").add(kh).add(kw);
        conv.set("weight", array(flat));
        ClientAidedModel m = ModelFile.read(new ByteArrayInputStream(JSON.writeValueAsBytes(root)));
        assertEquals(maps, m.outputSize()); // a 2 x 3 kernel on a 2 x 3 input: one position per map
        for (int c = 0; c < ch; c++) {
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    double[] oneHot = new double[ch * kh * kw];
                    oneHot[(c * kh + y) * kw + x] = 1;
                    double[] out = m.forward(oneHot);
                    for (int map = 0; map < maps; map++) {
                        assertEquals(flat[((map * ch + c) * kh + y) * kw + x], out[map], 0, "map " + map);
                    }
                }
            }
        }
        ObjectNode dense = JSON.createObjectNode().put("format", "jckks-model").put("version", 1);
        dense.putArray("input").add(4);
        double[] w = new double[3 * 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = 10 + i;
        }
        dense.putArray("layers").addObject().put("type", "dense").put("out_features", 3).set("weight", array(w));
        ClientAidedModel d = ModelFile.read(new ByteArrayInputStream(JSON.writeValueAsBytes(dense)));
        for (int j = 0; j < 4; j++) {
            double[] oneHot = new double[4];
            oneHot[j] = 1;
            double[] out = d.forward(oneHot);
            for (int o = 0; o < 3; o++) {
                assertEquals(w[o * 4 + j], out[o], 0);
            }
        }
    }

    /** A segment with a square reads as one planned Sequential (the dense after the square relinearizes). */
    @Test
    void serverSideLayersBetweenRoundsBecomeOnePlannedSegment() throws IOException {
        Random r = new Random(43);
        ObjectNode root = JSON.createObjectNode().put("format", "jckks-model").put("version", 1);
        root.putArray("input").add(6);
        ArrayNode layers = root.putArray("layers");
        layers.addObject().put("type", "dense").put("out_features", 5).set("weight", array(values(r, 30, 0.4)));
        layers.addObject().put("type", "square");
        layers.addObject().put("type", "linear").put("out_features", 5).set("weight", array(values(r, 25, 0.4)));
        layers.addObject().put("type", "relu");
        layers.addObject().put("type", "dense").put("out_features", 2).set("weight", array(values(r, 10, 0.4)));
        ClientAidedModel m = ModelFile.read(new ByteArrayInputStream(JSON.writeValueAsBytes(root)));
        assertEquals(3, m.steps().size());
        assertTrue(m.steps().get(0) instanceof Sequential s && !s.threePartOutput() && s.depth() == 3, m.describe());
        assertTrue(m.steps().get(2) instanceof LinearLayer, "a single linear layer stays one (foldable factors)");
        assertTrue(m.needsKeySwitching(io.github.jckks.nn.Packing.REAL));
    }

    private static String refusal(Consumer<ObjectNode> mutate) {
        Net net = new Net();
        ObjectNode root = net.json();
        mutate.accept(root);
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelFile.read(new ByteArrayInputStream(JSON.writeValueAsBytes(root))));
        return e.getMessage();
    }

    private static ObjectNode layer(ObjectNode root, int i) {
        return (ObjectNode) root.get("layers").get(i);
    }

    @Test
    void malformedFilesAreRefusedNamingTheLayerAndField() {
        String m = refusal(root -> root.put("format", "onnx"));
        assertTrue(m.contains("format is \"onnx\""), m);
        m = refusal(root -> root.put("version", 2));
        assertTrue(m.contains("version 2"), m);
        m = refusal(root -> root.remove("input"));
        assertTrue(m.contains("\"input\""), m);
        m = refusal(root -> layer(root, 2).put("type", "gelu"));
        assertTrue(m.contains("layers[2]") && m.contains("unknown layer type \"gelu\""), m);
        m = refusal(root -> ((ArrayNode) layer(root, 0).get("weight")).remove(0));
        assertTrue(m.contains("layers[0] (conv2d)") && m.contains("has 23 numbers, expected 24"), m);
        m = refusal(root -> ((ArrayNode) layer(root, 6).get("bias")).set(1, JSON.getNodeFactory().textNode("x")));
        assertTrue(m.contains("layers[6] (dense)") && m.contains("not a finite number"), m);
        m = refusal(root -> layer(root, 0).put("groups", 3));
        assertTrue(m.contains("groups 3"), m);
        m = refusal(root -> layer(root, 4).put("padding", 1));
        assertTrue(m.contains("max pooling with padding"), m);
        m = refusal(root -> ((ArrayNode) root.get("layers")).insert(0, JSON.createObjectNode().put("type", "batchnorm")));
        assertTrue(m.contains("layers[0] (batchnorm)") && m.contains("must follow"), m);
        m = refusal(root -> ((ArrayNode) root.get("layers")).insert(6, JSON.createObjectNode().put("type", "conv2d")
                .put("out_channels", 1).put("kernel_size", 1)));
        assertTrue(m.contains("layers[6] (conv2d)") && m.contains("flat vector of 16"), m);
        m = refusal(root -> layer(root, 3).putArray("shortcut").addObject().put("type", "relu"));
        assertTrue(m.contains("layers[3] (residual)") && m.contains("only the body"), m);
        m = refusal(root -> ((ArrayNode) layer(root, 3).get("body")).remove(4));
        assertTrue(m.contains("layers[3] (residual)") && m.contains("the body gives 8 x 3 x 3, the identity shortcut 4 x 3 x 3"), m);
        m = refusal(root -> layer(root, 0).put("kernel_size", 0));
        assertTrue(m.contains("\"kernel_size\""), m);
        m = refusal(root -> layer(root, 0).put("dilation", 2));
        assertTrue(m.contains("dilation other than 1"), m);
        m = refusal(root -> layer(root, 0).put("padding_mode", "reflect"));
        assertTrue(m.contains("field \"padding_mode\" is not supported"), m);
        m = refusal(root -> layer(root, 0).putArray("stride").add(1).add(2));
        assertTrue(m.contains("only equal values"), m);
        m = refusal(root -> layer(root, 4).putArray("kernel_size").add(2).add(3));
        assertTrue(m.contains("layers[4] (maxpool)") && m.contains("only equal values"), m);
        m = refusal(root -> layer(root, 4).put("ceil_mode", true));
        assertTrue(m.contains("ceil_mode"), m);
        m = refusal(root -> layer(root, 0).put("kernel_size", 9)); // 9 x 9 on a 7 x 6 input padded by 1
        assertTrue(m.contains("does not fit the padded 7 x 6 input"), m);
        m = refusal(root -> layer(root, 3).putArray("shortcut").addObject().put("type", "flatten"));
        assertTrue(m.contains("no layer that computes anything"), m);
        m = refusal(root -> layer(root, 6).put("in_features", 17));
        assertTrue(m.contains("in_features 17"), m);
        ModelFormatException broken = assertThrows(ModelFormatException.class,
                () -> ModelFile.read(new ByteArrayInputStream("{\"format\": \"jckks-model\", \"layers\": [".getBytes(
                        StandardCharsets.UTF_8))));
        assertTrue(broken.getMessage().startsWith("malformed model file"), broken.getMessage());
    }

    private static String refusal(String json) {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelFile.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
        return e.getMessage();
    }

    /** Small hostile files: refused by the size checks before anything of the claimed size is allocated. */
    @Test
    void hostileFilesAreRefusedBeforeAllocating() {
        String head = "{\"format\": \"jckks-model\", \"version\": 1, ";
        // a dense layer of 127 x 2^24 weights claimed by a one-number array
        String m = refusal(head + "\"input\": [16777216], \"layers\": [{\"type\": \"dense\", \"out_features\": 127, "
                + "\"weight\": [0]}]}");
        assertTrue(m.contains("weights, more than"), m);
        m = refusal(head + "\"input\": [16777216], \"layers\": [{\"type\": \"dense\", \"out_features\": 3, "
                + "\"weight\": [0]}]}");
        assertTrue(m.contains("has 1 numbers, expected 50331648"), m);
        // a convolution whose outputs overflow an int, and one whose taps are too many
        m = refusal(head + "\"input\": [1, 4096, 4096], \"layers\": [{\"type\": \"conv2d\", \"out_channels\": 256, "
                + "\"kernel_size\": 1, \"weight\": [0]}]}");
        assertTrue(m.contains("outputs of 1 taps each: more than"), m);
        m = refusal(head + "\"input\": [4096, 1, 1], \"layers\": [{\"type\": \"avgpool\", \"kernel_size\": 4095, "
                + "\"padding\": 2047}]}");
        assertTrue(m.contains("more than"), m);
        m = refusal(head + "\"input\": [4, 1, 1], \"layers\": [{\"type\": \"avgpool\", \"kernel_size\": 2, "
                + "\"padding\": 2}]}");
        assertTrue(m.contains("more than half the kernel"), m);
        // a residual as the shortcut, a flat shortcut beside a spatial body, duplicate keys, trailing tokens
        String conv = "{\"type\": \"conv2d\", \"out_channels\": 1, \"kernel_size\": 1, \"weight\": [1]}";
        m = refusal(head + "\"input\": [1, 2, 2], \"layers\": [{\"type\": \"residual\", \"body\": [" + conv
                + "], \"shortcut\": [{\"type\": \"residual\", \"body\": [" + conv + "]}]}]}");
        assertTrue(m.contains("server-side layers only"), m);
        m = refusal(head + "\"input\": [1, 2, 2], \"layers\": [{\"type\": \"residual\", \"body\": [" + conv
                + "], \"shortcut\": [{\"type\": \"flatten\"}, {\"type\": \"dense\", \"out_features\": 4, "
                + "\"weight\": [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,0,1]}]}]}");
        assertTrue(m.contains("the body gives 1 x 2 x 2, the shortcut 4 (flat)"), m);
        m = refusal(head + "\"version\": 1, \"input\": [1], \"layers\": [{\"type\": \"relu\"}]}");
        assertTrue(m.startsWith("malformed model file") && m.contains("Duplicate field"), m);
        m = refusal(head + "\"input\": [1], \"layers\": [{\"type\": \"relu\"}]} {}");
        assertTrue(m.startsWith("malformed model file"), m);
    }

    @Test
    void theCommandLineServesAModelFile() throws Exception {
        Path file = dir.resolve("net.json");
        JSON.writeValue(file.toFile(), new Net().json());
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new ClientAidedCli());
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("demo", "--params", "test", "--test-levels", "3", "--model", file.toString(),
                "--batch", "8", "--threads", "1", "--timeout-seconds", "20", "--max-error", "1e-3"));
        // a model whose segment relinearizes: the demo's client sends its relinearization key
        Random r = new Random(44);
        ObjectNode root = JSON.createObjectNode().put("format", "jckks-model").put("version", 1);
        root.putArray("input").add(4);
        ArrayNode layers = root.putArray("layers");
        layers.addObject().put("type", "dense").put("out_features", 4).set("weight", array(values(r, 16, 0.4)));
        layers.addObject().put("type", "square");
        layers.addObject().put("type", "dense").put("out_features", 4).set("weight", array(values(r, 16, 0.4)));
        layers.addObject().put("type", "relu");
        layers.addObject().put("type", "dense").put("out_features", 2).set("weight", array(values(r, 8, 0.4)));
        Path squares = dir.resolve("squares.json");
        JSON.writeValue(squares.toFile(), root);
        assertEquals(0, cl.execute("demo", "--params", "test", "--test-levels", "5", "--model", squares.toString(),
                "--batch", "8", "--threads", "1", "--timeout-seconds", "20", "--max-error", "1e-3"));
        // serve the model file on the ring its plan picks (128-bit), the parameters written for the client; a client
        // process reads images from a CSV file and writes its outputs to one
        Path params = dir.resolve("params.bin");
        Path in = dir.resolve("images.csv");
        Path outCsv = dir.resolve("outputs.csv");
        Random ri = new Random(45);
        double[][] images = new double[6][84];
        StringBuilder csv = new StringBuilder("# six images of 2 x 7 x 6\n");
        for (double[] im : images) {
            for (int i = 0; i < im.length; i++) {
                im[i] = 2 * ri.nextDouble() - 1;
                csv.append(i == 0 ? "" : ",").append(im[i]);
            }
            csv.append('\n');
        }
        Files.writeString(in, csv);
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        int[] serveCode = {-1};
        Thread server = new Thread(() -> serveCode[0] = new CommandLine(new ClientAidedCli()).execute("serve", "--params",
                "auto", "--model", file.toString(), "--write-params", params.toString(), "--port", Integer.toString(port),
                "--sessions", "1", "--threads", "1", "--timeout-seconds", "30"));
        server.start();
        for (int wait = 0; wait < 300 && !Files.exists(params); wait++) {
            Thread.sleep(100);
        }
        // the server writes the parameters once it listens
        assertEquals(0, new CommandLine(new ClientAidedCli()).execute("infer", "--params", params.toString(), "--port",
                Integer.toString(port), "--inputs", "84", "--input", in.toString(), "--output", outCsv.toString(),
                "--timeout-seconds", "30"));
        server.join(30_000);
        assertEquals(0, serveCode[0]);
        io.github.jckks.ckks.CkksParameters planned = io.github.jckks.ckks.Serialization.readParameters(
                Files.readAllBytes(params), io.github.jckks.ckks.SecurityLevel.BITS_128);
        assertEquals(io.github.jckks.ckks.SecurityLevel.BITS_128, planned.achievedSecurity());
        ClientAidedModel model = ModelFile.read(file);
        java.util.List<String> lines = Files.readAllLines(outCsv);
        assertEquals(images.length, lines.size());
        for (int b = 0; b < images.length; b++) {
            double[] expected = model.forward(images[b]);
            String[] cells = lines.get(b).split(",");
            assertEquals(expected.length, cells.length);
            for (int o = 0; o < expected.length; o++) {
                assertEquals(expected[o], Double.parseDouble(cells[o]), 0.05, "image " + b + " output " + o);
            }
        }
        // a CSV line with a trailing comma has an empty value; a parameter file below 128-bit needs --insecure
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "1,2,\n");
        IllegalArgumentException csv2 = assertThrows(IllegalArgumentException.class, () -> ClientAidedCli.readImages(bad, 2));
        assertTrue(csv2.getMessage().contains("3 values"), csv2.getMessage());
        Path insecure = dir.resolve("insecure.bin");
        Files.write(insecure, io.github.jckks.ckks.Serialization.write(Fixtures.smallContext(2).parameters()));
        // (a usage error, exit status 2, before anything connects; its message names --insecure)
        assertEquals(2, new CommandLine(new ClientAidedCli()).execute("infer", "--params", insecure.toString(), "--port",
                "1"));
        // an impossible error bound fails the command
        assertEquals(1, cl.execute("demo", "--params", "test", "--test-levels", "3", "--model", file.toString(),
                "--batch", "8", "--threads", "1", "--timeout-seconds", "20", "--max-error", "1e-12"));
        Files.writeString(file, "{}");
        cl.setErr(new PrintWriter(new StringWriter()));
        assertTrue(cl.execute("demo", "--params", "test", "--model", file.toString()) != 0, "a bad file fails the command");
    }
}
