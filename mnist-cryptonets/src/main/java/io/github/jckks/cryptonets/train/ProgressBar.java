package io.github.jckks.cryptonets.train;

import java.io.PrintStream;

/**
 * A one-line progress display on a terminal stream, redrawn with {@code \r}: epoch, a bar over the
 * batches of the epoch, the running mean loss and the elapsed time.
 */
final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final long startNanos;

    ProgressBar(PrintStream out) {
        this.out = out;
        this.startNanos = System.nanoTime();
    }

    /** Redraws the line for batch {@code batch} of {@code batches} in {@code epoch} of {@code epochs}. */
    void update(int epoch, int epochs, int batch, int batches, double meanLoss, double lr) {
        int filled = (int) ((long) WIDTH * batch / batches);
        out.printf("\repoch %2d/%d [%s%s] batch %4d/%d loss %.4f lr %.2e elapsed %s ", epoch, epochs,
                "#".repeat(filled), "-".repeat(WIDTH - filled), batch, batches, meanLoss, lr, elapsed());
        out.flush();
    }

    /** Ends the current line with {@code suffix}. */
    void finishLine(String suffix) {
        out.println(suffix);
        out.flush();
    }

    /** Elapsed time since construction as {@code m:ss}. */
    String elapsed() {
        long s = (System.nanoTime() - startNanos) / 1_000_000_000L;
        return String.format("%d:%02d", s / 60, s % 60);
    }

    /** Elapsed seconds since construction. */
    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
