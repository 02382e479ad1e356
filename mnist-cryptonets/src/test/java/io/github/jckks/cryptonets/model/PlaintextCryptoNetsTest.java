package io.github.jckks.cryptonets.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.cryptonets.TestData;
import io.github.jckks.cryptonets.data.MnistDataset;
import org.junit.jupiter.api.Test;

class PlaintextCryptoNetsTest {

    @Test
    void convolutionUsesStrideTwoBottomRightPaddingAndMapMajorOrder() {
        double[] conv = new double[125];
        conv[2 * 25 + 1 * 5 + 3] = 1.0; // map 2, kernel row 1, col 3
        double[] convBias = {0, 0, 0.25, 0, 0};
        CryptoNetsWeights w = CryptoNetsWeights.of(Activation.SQUARE, conv, convBias, new double[84_500],
                new double[100], new double[1000], new double[10]);
        double[] image = new double[784];
        image[(2 * 5 + 1) * 28 + (2 * 4 + 3)] = 0.5; // read by output (r=5, c=4)
        image[27 * 28 + 27] = 1.0; // bottom-right pixel
        PlaintextCryptoNets net = new PlaintextCryptoNets(w);
        net.predict(image);
        double[] f = net.convFeatures(new double[845]);
        assertEquals(0.5625, f[2 * 169 + 5 * 13 + 4], 1e-15); // (0.5 + 0.25)^2
        // elsewhere only the bias: output (12, 12) reads padded rows/cols 24..28, kernel (1, 3) hits pixel (25, 27) = 0
        assertEquals(0.0625, f[CryptoNetsShape.convIndex(2, 12, 12)], 1e-15);
        assertEquals(0.0625, f[CryptoNetsShape.convIndex(2, 0, 0)], 1e-15);
        assertEquals(0.0, f[CryptoNetsShape.convIndex(0, 12, 12)], 1e-15);
    }

    @Test
    void bundledModelsReachTargetAccuracy() {
        MnistDataset test = MnistDataset.loadTest(TestData.mnistDirOrSkip());
        check(test, Activation.SQUARE, 0.9895);
        check(test, Activation.RELU, 0.986);
    }

    private static void check(MnistDataset test, Activation act, double target) {
        PlaintextCryptoNets.Evaluation e = new PlaintextCryptoNets(CryptoNetsWeights.loadBundled(act)).evaluate(test);
        StringBuilder sb = new StringBuilder(act + " accuracy " + e.accuracy() + ", max |x|:");
        for (PlaintextCryptoNets.Stage s : PlaintextCryptoNets.Stage.values()) {
            sb.append(' ').append(s).append('=').append(String.format("%.3f", e.maxAbs(s)));
        }
        System.out.println(sb);
        assertTrue(e.accuracy() >= target, sb.toString());
        assertTrue(e.maxAbs(PlaintextCryptoNets.Stage.DENSE1) < 64, sb.toString());
    }
}
