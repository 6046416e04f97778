package io.facestream.match.decide;

import java.util.Arrays;

/**
 * Chooses an open-set threshold for a target false-positive identification rate (FPIR) from calibration data.
 *
 * <p>Input: for each non-mated search (a probe whose person is NOT in the gallery), the best score the gallery
 * returned. A non-mated search is a false alarm exactly when that top score clears the threshold, so the FPIR at
 * threshold t is the fraction of non-mated top scores ≥ t. The threshold returned is the smallest one whose
 * empirical FPIR is at most the target; ties are resolved towards fewer false alarms.
 */
public final class FpirCalibration {
    private FpirCalibration() {}

    /** Fewest non-mated searches that can express the target at all: 1/FPIR (100 for 1 %). */
    public static int minimumSearches(double targetFpir) {
        return (int) Math.ceil(1.0 / targetFpir - 1e-9);
    }

    public static OpenSetThreshold calibrate(double[] nonMatedTopScores, double targetFpir) {
        if (!(targetFpir > 0) || targetFpir >= 1) {
            throw new IllegalArgumentException("target FPIR must be in (0, 1), got " + targetFpir);
        }
        int n = nonMatedTopScores == null ? 0 : nonMatedTopScores.length;
        int needed = minimumSearches(targetFpir);
        if (n < needed) {
            throw new IllegalArgumentException("calibrating for FPIR " + targetFpir + " needs at least " + needed
                    + " non-mated search scores, got " + n);
        }
        double[] desc = descending(nonMatedTopScores);
        for (double s : desc) {
            if (!Double.isFinite(s)) {
                throw new IllegalArgumentException("non-mated score is not finite: " + s);
            }
        }
        int allowed = (int) Math.floor(targetFpir * n + 1e-9);
        // Just above the (allowed+1)-th highest score: at most `allowed` scores are >= it, even with ties.
        double t = Math.nextUp(desc[allowed]);
        return new OpenSetThreshold(Math.min(t, 1.0), targetFpir, n, "calibrated");
    }

    /** The empirical FPIR of a threshold on the given non-mated top scores. */
    public static double fpirAt(double[] nonMatedTopScores, double threshold) {
        long alarms =
                Arrays.stream(nonMatedTopScores).filter(s -> s >= threshold).count();
        return nonMatedTopScores.length == 0 ? 0 : (double) alarms / nonMatedTopScores.length;
    }

    /** A sorted copy, highest first. */
    static double[] descending(double[] scores) {
        double[] d = scores.clone();
        Arrays.sort(d);
        for (int i = 0, j = d.length - 1; i < j; i++, j--) {
            double x = d[i];
            d[i] = d[j];
            d[j] = x;
        }
        return d;
    }
}
