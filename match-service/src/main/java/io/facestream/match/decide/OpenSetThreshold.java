package io.facestream.match.decide;

/**
 * A gallery's open-set threshold for one model: a score at or above it is a HIT.
 *
 * @param value        cosine similarity threshold
 * @param targetFpir   the false-positive identification rate it was chosen for (NaN when set by hand)
 * @param calibratedOn how many non-mated searches it was chosen from (0 when set by hand or a default)
 * @param source       where it came from: {@code calibrated}, {@code manual} or {@code default}
 */
public record OpenSetThreshold(double value, double targetFpir, int calibratedOn, String source) {

    public OpenSetThreshold {
        if (!Double.isFinite(value) || value < -1 || value > 1.0000001) {
            throw new IllegalArgumentException("open-set threshold must be a cosine in [-1, 1], got " + value);
        }
    }

    public static OpenSetThreshold manual(double value) {
        return new OpenSetThreshold(value, Double.NaN, 0, "manual");
    }

    public static OpenSetThreshold fallback(double value) {
        return new OpenSetThreshold(value, Double.NaN, 0, "default");
    }
}
