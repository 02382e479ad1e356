package io.github.jckks.cryptonets.train;

/**
 * The Adam optimiser (Kingma and Ba) with bias correction and decoupled weight decay (AdamW) on
 * non-bias parameters, updating a flat parameter vector in place.
 */
final class Adam {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final double[] m;
    private final double[] v;
    private final double weightDecay;
    private long t;

    Adam(int size, double weightDecay) {
        this.m = new double[size];
        this.v = new double[size];
        this.weightDecay = weightDecay;
    }

    /** One step with learning rate {@code lr} along gradient {@code g}. */
    void step(double[] params, double[] g, double lr) {
        t++;
        double c1 = 1.0 - Math.pow(BETA1, t);
        double c2 = 1.0 - Math.pow(BETA2, t);
        for (int i = 0; i < params.length; i++) {
            m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
            v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
            double update = (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPS);
            double decay = ParameterLayout.isBias(i) ? 0.0 : weightDecay * params[i];
            params[i] -= lr * (update + decay);
        }
    }
}
