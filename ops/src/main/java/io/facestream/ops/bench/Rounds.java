package io.facestream.ops.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * How peer benchmarks are scheduled and summarised: every measured cell runs once per round, the cells of a round in
 * their given order and of every other round in reverse, so a drift in machine load (a neighbour's build starting)
 * falls on every engine and thread count alike instead of on whichever was measured last; a cell's result is the
 * median over its rounds, shown with the min–max and the number of samples.
 */
final class Rounds {
    private Rounds() {}

    /** The cells in the order round {@code round} (0-based) measures them. */
    static <T> List<T> order(List<T> cells, int round) {
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0, got " + round);
        }
        List<T> out = new ArrayList<>(cells);
        if (round % 2 == 1) {
            Collections.reverse(out);
        }
        return out;
    }

    /** Every (round, cell) pair in measuring order: {@code rounds} × {@code cells}, alternately reversed. */
    static <T> List<T> schedule(List<T> cells, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        }
        List<T> out = new ArrayList<>(cells.size() * rounds);
        for (int r = 0; r < rounds; r++) {
            out.addAll(order(cells, r));
        }
        return out;
    }

    /** The median of {@code values} (the mean of the two middle ones for an even count). */
    static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no samples to summarise");
        }
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Median, min and max of {@code n} samples. */
    record Summary(double median, double min, double max, int n) {
        static Summary of(List<Double> samples) {
            if (samples.isEmpty()) {
                throw new IllegalArgumentException("no samples to summarise");
            }
            double[] v =
                    samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return new Summary(Rounds.median(v), v[0], v[v.length - 1], v.length);
        }

        /** {@code "min–max"} with {@code digits} decimals, as the tables show the spread. */
        String range(int digits) {
            return String.format(Locale.ROOT, "%." + digits + "f–%." + digits + "f", min, max);
        }
    }
}
