package io.facestream.eval.ijbs.metrics;

import java.util.Arrays;

/**
 * Spearman's rank correlation ρ: the Pearson correlation of the two samples' ranks, tied values sharing their average
 * rank (the usual definition, as scipy.stats.spearmanr computes it). Ranks come from sorting primitive keys, so
 * millions of pairs cost a few arrays of longs, not objects.
 */
public final class RankCorrelation {
    private RankCorrelation() {}

    /** @return ρ in [−1, 1]; NaN with fewer than two pairs or when either sample is constant (ρ is undefined) */
    public static double spearman(float[] x, float[] y, int n) {
        if (x.length < n || y.length < n) {
            throw new IllegalArgumentException(
                    "need " + n + " values in each sample, got " + x.length + " and " + y.length);
        }
        if (n < 2) {
            return Double.NaN;
        }
        double[] rx = ranks(x, n);
        double[] ry = ranks(y, n);
        double mean = (n + 1) / 2.0; // average rank, ties or not
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = rx[i] - mean;
            double dy = ry[i] - mean;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    public static double spearman(float[] x, float[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("samples differ in length: " + x.length + " vs " + y.length);
        }
        return spearman(x, y, x.length);
    }

    /** 1-based ranks of the first {@code n} values; a run of equal values gets the mean of the ranks it spans. */
    static double[] ranks(float[] v, int n) {
        long[] keyed = new long[n];
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(v[i])) {
                throw new IllegalArgumentException("value " + i + " is NaN: it has no rank");
            }
            keyed[i] = ((long) sortable(v[i]) << 32) | i;
        }
        Arrays.sort(keyed);
        double[] ranks = new double[n];
        for (int start = 0; start < n; ) {
            int key = (int) (keyed[start] >> 32);
            int end = start + 1;
            while (end < n && (int) (keyed[end] >> 32) == key) {
                end++;
            }
            double rank = (start + 1 + end) / 2.0; // mean of ranks start+1 … end
            for (int k = start; k < end; k++) {
                ranks[(int) keyed[k]] = rank;
            }
            start = end;
        }
        return ranks;
    }

    /** An int whose signed order is the float's numeric order (−0 and +0 tie). */
    private static int sortable(float f) {
        int bits = Float.floatToIntBits(f == 0 ? 0f : f);
        return bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
    }
}
