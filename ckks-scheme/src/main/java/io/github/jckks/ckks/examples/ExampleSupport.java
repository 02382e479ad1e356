package io.github.jckks.ckks.examples;

import java.util.Locale;

/** Formatting helpers shared by the examples. */
final class ExampleSupport {
    private ExampleSupport() {
    }

    /** "[a, b, c]" with the first {@code count} values at {@code decimals} decimals. */
    static String head(double[] v, int count, int decimals) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(count, v.length); i++) {
            sb.append(i == 0 ? "" : ", ").append(fmt(v[i], decimals));
        }
        return sb.append("]").toString();
    }

    /** v at {@code decimals} decimals, with -0 printed as 0. */
    static String fmt(double v, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        return s.matches("-0\\.?0*") ? s.substring(1) : s;
    }

    /** "(re+imi)" at {@code decimals} decimals. */
    static String complex(double re, double im, int decimals) {
        String i = fmt(im, decimals);
        return "(" + fmt(re, decimals) + (i.startsWith("-") ? "" : "+") + i + "i)";
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
