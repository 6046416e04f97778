package io.facestream.match.decide;

import java.util.Optional;

/**
 * Carries a gallery's open-set threshold from one model version to the next when no new calibration data exists:
 * a model roll-out re-embeds the gallery, so the same impostor pairs (templates of different subjects) can be
 * scored in both embedding spaces, and the new threshold is put where the old one sat in that impostor
 * distribution.
 *
 * <ul>
 *   <li><b>quantile</b> (at least {@value #MIN_TAIL} impostor scores on each side of the old threshold): with
 *       {@code k} old scores at or above the old threshold, the new one lies between the {@code k}-th and
 *       {@code (k+1)}-th highest new scores, at the old threshold's relative position between its own neighbours.
 *       The false-alarm rate on the gallery's own impostor pairs stays what it was.</li>
 *   <li><b>z-score</b> (the old threshold sits in a tail too thin to read, as a strict watchlist threshold often
 *       does on a small gallery): the same number of standard deviations above the impostor mean.</li>
 * </ul>
 * Both map a threshold onto itself when the two spaces agree, and follow any increasing affine change of the scores
 * exactly. Template-to-template impostor scores only stand in for the probe-to-gallery scores a calibration uses,
 * so the result is marked {@code transferred}, keeps the old target FPIR, and a fresh calibration should replace it.
 */
public final class ThresholdTransfer {
    /** Fewest impostor pairs worth transferring from: below it the gallery keeps no threshold for the new version. */
    public static final int MIN_PAIRS = 100;
    /** Order statistics needed on each side of the old threshold for the quantile method. */
    public static final int MIN_TAIL = 10;

    /** A transferred threshold and how it was obtained. */
    public record Transferred(OpenSetThreshold threshold, String method, int pairs, int above) {}

    private ThresholdTransfer() {}

    /**
     * @param oldScores impostor pair scores under the old version
     * @param newScores the same pairs, in the same order, under the new version
     * @param from      the old model version (for the threshold's source)
     * @return empty when there are fewer than {@link #MIN_PAIRS} pairs or the old scores do not vary
     */
    public static Optional<Transferred> transfer(
            OpenSetThreshold old, String from, double[] oldScores, double[] newScores) {
        if (oldScores.length != newScores.length) {
            throw new IllegalArgumentException(
                    "impostor scores must be paired: " + oldScores.length + " old vs " + newScores.length + " new");
        }
        int n = oldScores.length;
        if (n < MIN_PAIRS) {
            return Optional.empty();
        }
        double t = old.value();
        double[] oldDesc = FpirCalibration.descending(oldScores), newDesc = FpirCalibration.descending(newScores);
        int above = 0;
        while (above < n && oldDesc[above] >= t) {
            above++;
        }
        double value;
        String method;
        if (above >= MIN_TAIL && n - above >= MIN_TAIL) {
            double hiOld = oldDesc[above - 1], loOld = oldDesc[above];
            double hiNew = newDesc[above - 1], loNew = newDesc[above];
            double position = (t - loOld) / (hiOld - loOld);
            value = loNew + position * (hiNew - loNew);
            method = "quantile";
        } else {
            double oldSd = sd(oldScores), newSd = sd(newScores);
            if (!(oldSd > 0)) {
                return Optional.empty();
            }
            value = mean(newScores) + (t - mean(oldScores)) / oldSd * newSd;
            method = "z-score";
        }
        value = Math.max(-1, Math.min(1, value));
        String source = "transferred from " + from + " (" + method + ", " + n + " impostor pairs)";
        return Optional.of(new Transferred(
                new OpenSetThreshold(value, old.targetFpir(), old.calibratedOn(), source), method, n, above));
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double sd(double[] x) {
        double m = mean(x), s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }
}
