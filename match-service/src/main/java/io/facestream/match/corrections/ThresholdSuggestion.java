package io.facestream.match.corrections;

import io.facestream.match.decide.OpenSetThreshold;
import java.util.Arrays;

/**
 * The threshold that holds a gallery's target FPIR once operators' rejections are counted. A rejected HIT is a
 * non-mated search of that gallery and model whose top score was the rejected score, so rejections are more
 * calibration data, of the most telling kind (false alarms seen in production).
 *
 * <p>The calibration is known only by its summary: {@code n} non-mated searches ({@code calibrated_on}) chose the
 * threshold {@code t0} for the target {@code f}, so at most {@code a = floor(f·n)} of them scored at or above
 * {@code t0}; their scores are not kept. Counting the {@code r} rejections too, there are {@code N = n + r} searches
 * and {@code floor(f·N)} false alarms are allowed. The calibration's {@code a} alarms are counted as alarms at any
 * threshold (their scores are unknown: the conservative assumption), so the rejections may contribute
 * {@code floor(f·N) − a} alarms: the suggested threshold is {@code t0} when the rejections at or above it are no more
 * than that, else just above the highest rejection score that has to stop being an alarm (the same tie rule as
 * {@link io.facestream.match.decide.FpirCalibration}). It never goes below {@code t0}: rejections only ever show
 * false alarms.
 *
 * @param base          the calibrated threshold the suggestion starts from
 * @param suggested     the threshold that holds the target FPIR with the rejections counted
 * @param targetFpir    the gallery's target FPIR (from its calibration)
 * @param searches      non-mated searches counted: calibration plus rejections
 * @param rejections    rejections counted (the gallery's, of this model)
 * @param alarmsAtBase  estimated false alarms at {@code base}: the calibration's plus the rejections at or above it
 * @param allowed       false alarms the target allows among {@code searches}
 */
public record ThresholdSuggestion(
        OpenSetThreshold base,
        double suggested,
        double targetFpir,
        int searches,
        int rejections,
        int alarmsAtBase,
        int allowed) {

    /** Estimated FPIR at {@code base} with the rejections counted. */
    public double fpirAtBase() {
        return searches == 0 ? 0 : (double) alarmsAtBase / searches;
    }

    /** Whether the suggestion differs from the base threshold. */
    public boolean raises() {
        return suggested > base.value();
    }

    /** The threshold to store: the suggestion, still carrying the calibration it was derived from. */
    public OpenSetThreshold threshold() {
        return new OpenSetThreshold(suggested, targetFpir, base.calibratedOn(), "corrected");
    }

    /**
     * @param calibrated       the gallery's calibration: a threshold with a target FPIR and {@code calibrated_on} > 0
     * @param rejectedScores   the decision scores of the rejected HITs of this gallery and model
     * @throws IllegalArgumentException when the threshold is not calibrated (set by hand, or the default): without a
     *                                  count of non-mated searches, rejections alone are all false alarms
     */
    public static ThresholdSuggestion of(OpenSetThreshold calibrated, double[] rejectedScores) {
        if (Double.isNaN(calibrated.targetFpir()) || calibrated.calibratedOn() <= 0) {
            throw new IllegalArgumentException("the threshold " + calibrated.value() + " (" + calibrated.source()
                    + ") was not calibrated for a target FPIR: calibrate it first (PUT .../threshold with target_fpir"
                    + " and non_mated_scores), then rejections can be counted against that calibration");
        }
        double f = calibrated.targetFpir();
        int n = calibrated.calibratedOn();
        double[] desc = rejectedScores.clone();
        for (double s : desc) {
            if (!Double.isFinite(s)) {
                throw new IllegalArgumentException("rejected score is not finite: " + s);
            }
        }
        Arrays.sort(desc);
        reverse(desc);
        int r = desc.length;
        int searches = n + r;
        int calibrationAlarms = (int) Math.floor(f * n + 1e-9);
        int allowed = (int) Math.floor(f * searches + 1e-9);
        double t0 = calibrated.value();
        int rejectedAlarms = (int) Arrays.stream(desc).filter(s -> s >= t0).count();
        int mayStay = Math.max(0, allowed - calibrationAlarms);
        double suggested = t0;
        if (rejectedAlarms > mayStay) {
            // the (mayStay+1)-th highest rejection must fall below: just above it, so ties fall too
            suggested = Math.min(1.0, Math.max(t0, Math.nextUp(desc[mayStay])));
        }
        return new ThresholdSuggestion(
                calibrated, suggested, f, searches, r, calibrationAlarms + rejectedAlarms, allowed);
    }

    private static void reverse(double[] d) {
        for (int i = 0, j = d.length - 1; i < j; i++, j--) {
            double x = d[i];
            d[i] = d[j];
            d[j] = x;
        }
    }
}
