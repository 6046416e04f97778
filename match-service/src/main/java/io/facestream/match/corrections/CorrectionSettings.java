package io.facestream.match.corrections;

import io.facestream.core.config.FacestreamConfig;

/**
 * {@code match.corrections.*}: how operators' feedback changes decisions (docs/match-service.md "Corrections").
 *
 * @param negativeMargin     the margin of the negative-exemplar rule ({@link NegativeRule})
 * @param reviewBand         the review queue lists decisions whose best score is within this of the threshold
 * @param autoApplyThreshold apply the threshold suggested from rejections after each rejection
 * @param confirmIntoBooking a confirmation of a decision against a BOOKING gallery adds the track's best face to the
 *                           confirmed subject as one more medium
 */
public record CorrectionSettings(
        double negativeMargin, double reviewBand, boolean autoApplyThreshold, boolean confirmIntoBooking) {

    public static CorrectionSettings from(FacestreamConfig config) {
        return new CorrectionSettings(
                config.getDouble("match.corrections.negative-margin"),
                config.getDouble("match.corrections.review-band"),
                config.getBoolean("match.corrections.auto-apply-threshold"),
                config.getBoolean("match.corrections.confirm-into-booking"));
    }
}
