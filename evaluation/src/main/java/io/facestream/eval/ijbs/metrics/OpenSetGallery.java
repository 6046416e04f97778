package io.facestream.eval.ijbs.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Open-set identification against one gallery (adaface.md §5c, "Open set"): non-mated probes' top scores set the
 * threshold, mated probes count as detected when their mate is rank 1 and scores at least the threshold.
 */
public final class OpenSetGallery {
    private static final double EPSILON = 1e-8;

    private final String name;
    /** Top score of each non-mated probe, highest first: s₁ ≥ s₂ ≥ … */
    private final double[] nonMatedDescending;
    /** Scores of the mated probes whose mate is rank 1, ascending, for counting those ≥ τ. */
    private final double[] firstMateScoresAscending;

    private final int mated;

    public OpenSetGallery(String name, List<GalleryOutcome> outcomes) {
        this.name = name;
        double[] nm = outcomes.stream()
                .filter(o -> !o.mated())
                .mapToDouble(GalleryOutcome::score)
                .sorted()
                .toArray();
        for (int i = 0, j = nm.length - 1; i < j; i++, j--) {
            double t = nm[i];
            nm[i] = nm[j];
            nm[j] = t;
        }
        this.nonMatedDescending = nm;
        this.firstMateScoresAscending = outcomes.stream()
                .filter(o -> o.mated() && o.mateFirst())
                .mapToDouble(GalleryOutcome::score)
                .sorted()
                .toArray();
        this.mated = (int) outcomes.stream().filter(GalleryOutcome::mated).count();
        if (mated == 0) {
            throw new IllegalArgumentException("gallery " + name + " has no mated probe: TPIR is undefined");
        }
        if (nm.length == 0) {
            // The reference asserts the same: an FPIR needs at least one non-mated probe.
            throw new IllegalArgumentException("gallery " + name + " has no non-mated probe: FPIR is undefined");
        }
    }

    public String name() {
        return name;
    }

    public int mated() {
        return mated;
    }

    public int nonMated() {
        return nonMatedDescending.length;
    }

    /** n_fa = floor(N_nonmated · FPIR), as the reference's float64 product cast to int. */
    public int falseAlarms(double fpir) {
        if (!(fpir >= 0 && fpir <= 1)) {
            throw new IllegalArgumentException("FPIR must be in [0, 1], got " + fpir);
        }
        return (int) Math.floor(nonMatedDescending.length * fpir);
    }

    /** τ = s_{n_fa} (1-based), or s₁ + 1e-8 when no false alarm is allowed. */
    public double threshold(int falseAlarms) {
        if (falseAlarms < 0 || falseAlarms > nonMatedDescending.length) {
            throw new IllegalArgumentException(
                    "false alarms must be in [0, " + nonMatedDescending.length + "], got " + falseAlarms);
        }
        return falseAlarms == 0 ? nonMatedDescending[0] + EPSILON : nonMatedDescending[falseAlarms - 1];
    }

    /** Fraction of mated probes whose mate is rank 1 with score ≥ τ. */
    public double tpirAtThreshold(double threshold) {
        int firstBelow = lowerBound(firstMateScoresAscending, threshold);
        return (double) (firstMateScoresAscending.length - firstBelow) / mated;
    }

    public double tpirAtFpir(double fpir) {
        return tpirAtThreshold(threshold(falseAlarms(fpir)));
    }

    /**
     * The TPIR-vs-FPIR curve at every attainable operating point n_fa = 0 … N_nonmated, as (FPIR, TPIR) pairs
     * (FPIR = n_fa / N_nonmated), for plotting.
     */
    public double[][] curve() {
        int n = nonMatedDescending.length;
        double[][] points = new double[n + 1][];
        for (int k = 0; k <= n; k++) {
            points[k] = new double[] {(double) k / n, tpirAtThreshold(threshold(k))};
        }
        return points;
    }

    private static int lowerBound(double[] ascending, double key) {
        int i = Arrays.binarySearch(ascending, key);
        if (i < 0) {
            return -i - 1;
        }
        while (i > 0 && ascending[i - 1] == key) {
            i--;
        }
        return i;
    }
}
