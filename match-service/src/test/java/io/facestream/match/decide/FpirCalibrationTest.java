package io.facestream.match.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.Match;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FpirCalibrationTest {

    @Test
    void thresholdKeepsTheFalseAlarmsAtOrBelowTheTarget() {
        double[] scores = new double[1000];
        Random r = new Random(7);
        for (int i = 0; i < scores.length; i++) {
            scores[i] = 0.2 + 0.1 * r.nextGaussian();
        }
        for (double fpir : new double[] {0.1, 0.01, 0.001}) {
            OpenSetThreshold t = FpirCalibration.calibrate(scores, fpir);
            double achieved = FpirCalibration.fpirAt(scores, t.value());
            assertTrue(achieved <= fpir, "FPIR " + achieved + " above target " + fpir);
            // and it is the smallest such threshold: one step lower lets in one more false alarm than allowed
            double lower = FpirCalibration.fpirAt(scores, Math.nextDown(t.value()) - 1e-12);
            assertTrue(
                    lower > fpir || lower == achieved && lower > 0,
                    "threshold " + t.value() + " is not tight at " + fpir);
            assertEquals(1000, t.calibratedOn());
            assertEquals("calibrated", t.source());
        }
    }

    @Test
    void exactOrderStatistic() {
        double[] scores = new double[100];
        for (int i = 0; i < 100; i++) {
            scores[i] = i / 100.0; // 0.00 .. 0.99
        }
        // 1 % of 100 = one false alarm allowed: only 0.99 may clear it, so t is just above 0.98
        OpenSetThreshold t = FpirCalibration.calibrate(scores, 0.01);
        assertEquals(Math.nextUp(0.98), t.value());
        assertEquals(0.01, FpirCalibration.fpirAt(scores, t.value()));
    }

    @Test
    void tiesAreResolvedTowardsFewerFalseAlarms() {
        double[] scores = new double[10];
        java.util.Arrays.fill(scores, 0.5);
        OpenSetThreshold t = FpirCalibration.calibrate(scores, 0.1);
        assertEquals(0.0, FpirCalibration.fpirAt(scores, t.value()));
    }

    @Test
    void tooFewScoresForTheTargetIsAnError() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FpirCalibration.calibrate(new double[50], 0.01));
        assertTrue(e.getMessage().contains("at least 100"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FpirCalibration.calibrate(new double[50], 0));
        assertThrows(IllegalArgumentException.class, () -> FpirCalibration.calibrate(new double[] {Double.NaN}, 0.5));
    }

    @Test
    void decisionIsHitOnlyAtOrAboveTheThreshold() {
        OpenSetThreshold t = OpenSetThreshold.manual(0.4);
        assertEquals(Match.Decision.UNKNOWN, OpenSetDecision.decide(List.of(), t));
        assertEquals(Match.Decision.UNKNOWN, OpenSetDecision.decide(List.of(new Match.Candidate("a", "a/1", 0.39)), t));
        assertEquals(Match.Decision.HIT, OpenSetDecision.decide(List.of(new Match.Candidate("a", "a/1", 0.4)), t));
    }
}
