package io.github.jckks.cryptonets.model;

/**
 * The fixed shapes of the CryptoNets network (nGraph-HE2 variant) and its flattening order.
 *
 * <ul>
 *   <li>input: 28x28 pixels in [0, 1], padded to 29x29 with one zero row at the bottom and one
 *       zero column at the right;</li>
 *   <li>conv: 5 maps, 5x5 kernel, stride 2, no further padding, giving 5x13x13; output
 *       {@code (m, r, c)} reads padded pixels {@code (2r + i, 2c + j)}, {@code 0 <= i, j < 5};</li>
 *   <li>flatten: map-major, {@code index = m * 169 + r * 13 + c}, 845 values;</li>
 *   <li>activation, dense 845 -> 100, activation, dense 100 -> 10, argmax.</li>
 * </ul>
 */
public final class CryptoNetsShape {
    /** Input image side. */
    public static final int INPUT_SIDE = 28;
    /** Input pixels. */
    public static final int INPUT_PIXELS = INPUT_SIDE * INPUT_SIDE;
    /** Side after the zero row/column padding at the bottom/right. */
    public static final int PADDED_SIDE = 29;
    /** Number of convolution output maps. */
    public static final int MAPS = 5;
    /** Convolution kernel side. */
    public static final int KERNEL = 5;
    /** Weights per convolution kernel. */
    public static final int KERNEL_AREA = KERNEL * KERNEL;
    /** Convolution stride. */
    public static final int STRIDE = 2;
    /** Side of each convolution output map: {@code (29 - 5) / 2 + 1}. */
    public static final int CONV_SIDE = (PADDED_SIDE - KERNEL) / STRIDE + 1;
    /** Values per convolution output map. */
    public static final int CONV_AREA = CONV_SIDE * CONV_SIDE;
    /** Flattened convolution output: 845. */
    public static final int CONV_FEATURES = MAPS * CONV_AREA;
    /** Hidden units of the first dense layer. */
    public static final int HIDDEN = 100;
    /** Output classes. */
    public static final int CLASSES = 10;
    /** Total number of parameters. */
    public static final int PARAMETERS = MAPS * KERNEL_AREA + MAPS + HIDDEN * CONV_FEATURES + HIDDEN
            + CLASSES * HIDDEN + CLASSES;

    private CryptoNetsShape() {
    }

    /** Flattened index of convolution output {@code (map, row, col)}. */
    public static int convIndex(int map, int row, int col) {
        return map * CONV_AREA + row * CONV_SIDE + col;
    }
}
