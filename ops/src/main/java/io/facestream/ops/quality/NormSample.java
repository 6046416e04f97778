package io.facestream.ops.quality;

import java.util.Arrays;

/** Feature norms of the faces found in some footage, with the order statistics a threshold is chosen from. */
record NormSample(float[] sorted) {

    static NormSample of(float[] norms) {
        float[] s = norms.clone();
        Arrays.sort(s);
        return new NormSample(s);
    }

    int size() {
        return sorted.length;
    }

    /** The p-quantile (0..1), linear between order statistics. */
    double quantile(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Fraction of faces a threshold would reject (norm below it). */
    double rejectedBelow(double threshold) {
        int i = Arrays.binarySearch(sorted, (float) threshold);
        int below = i >= 0 ? firstIndexOf(i) : -i - 1;
        return sorted.length == 0 ? 0 : below / (double) sorted.length;
    }

    private int firstIndexOf(int i) {
        while (i > 0 && sorted[i - 1] == sorted[i]) {
            i--;
        }
        return i;
    }

    double mean() {
        double s = 0;
        for (float v : sorted) {
            s += v;
        }
        return sorted.length == 0 ? Double.NaN : s / sorted.length;
    }

    double std() {
        double m = mean();
        double s = 0;
        for (float v : sorted) {
            s += (v - m) * (v - m);
        }
        return sorted.length < 2 ? 0 : Math.sqrt(s / (sorted.length - 1));
    }

    /** Counts per bin over [min, max] in {@code bins} equal bins. */
    int[] histogram(int bins, double min, double max) {
        int[] h = new int[bins];
        for (float v : sorted) {
            int b = (int) ((v - min) / (max - min) * bins);
            h[Math.max(0, Math.min(bins - 1, b))]++;
        }
        return h;
    }
}
