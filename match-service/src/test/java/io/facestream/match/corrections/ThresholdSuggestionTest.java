package io.facestream.match.corrections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.match.decide.FpirCalibration;
import io.facestream.match.decide.OpenSetThreshold;
import org.junit.jupiter.api.Test;

/** The threshold that holds the target FPIR once rejections are counted against the calibration. */
class ThresholdSuggestionTest {
    /** 20 non-mated searches calibrated for FPIR 0.1: 2 of them at or above 0.5. */
    private static final OpenSetThreshold CALIBRATED = new OpenSetThreshold(0.5, 0.1, 20, "calibrated");

    @Test
    void withoutRejectionsTheCalibrationStands() {
        ThresholdSuggestion s = ThresholdSuggestion.of(CALIBRATED, new double[0]);
        assertEquals(0.5, s.suggested());
        assertEquals(20, s.searches());
        assertEquals(2, s.alarmsAtBase());
        assertEquals(2, s.allowed());
        assertFalse(s.raises());
    }

    @Test
    void rejectionsBelowTheThresholdOnlyAddSearches() {
        ThresholdSuggestion s = ThresholdSuggestion.of(CALIBRATED, new double[] {0.3, 0.45, 0.49});
        assertEquals(0.5, s.suggested());
        assertEquals(23, s.searches());
        assertEquals(2, s.alarmsAtBase());
        assertEquals(2, s.allowed(), "floor(0.1 × 23)");
    }

    @Test
    void rejectedAlarmsBeyondTheAllowanceRaiseTheThresholdJustAboveThem() {
        // 24 searches allow floor(2.4) = 2 alarms; the calibration's 2 use them up, so all 3 rejected alarms must go
        ThresholdSuggestion s = ThresholdSuggestion.of(CALIBRATED, new double[] {0.55, 0.65, 0.6, 0.45});
        assertEquals(24, s.searches());
        assertEquals(5, s.alarmsAtBase());
        assertEquals(5.0 / 24, s.fpirAtBase(), 1e-12);
        assertEquals(Math.nextUp(0.65), s.suggested());
        assertTrue(s.raises());
        assertEquals(new OpenSetThreshold(Math.nextUp(0.65), 0.1, 20, "corrected"), s.threshold());

        // 30 searches allow 3: one rejected alarm may stay, so the threshold goes just above the second highest
        double[] ten = {0.55, 0.7, 0.6, 0.58, 0.3, 0.2, 0.1, 0.35, 0.4, 0.45};
        ThresholdSuggestion t = ThresholdSuggestion.of(CALIBRATED, ten);
        assertEquals(30, t.searches());
        assertEquals(3, t.allowed());
        assertEquals(Math.nextUp(0.6), t.suggested());
        // check: at the suggestion the rejections leave 1 alarm, 2 + 1 = 3 of 30 = the target
        assertEquals(1.0 / 10, FpirCalibration.fpirAt(ten, t.suggested()), 1e-12);
    }

    @Test
    void tiedRejectionsFallTogether() {
        ThresholdSuggestion s = ThresholdSuggestion.of(CALIBRATED, new double[] {0.6, 0.6, 0.6});
        assertEquals(Math.nextUp(0.6), s.suggested());
        assertEquals(0.0, FpirCalibration.fpirAt(new double[] {0.6, 0.6, 0.6}, s.suggested()));
    }

    @Test
    void neverAboveOne() {
        ThresholdSuggestion s = ThresholdSuggestion.of(CALIBRATED, new double[] {1.0});
        assertEquals(1.0, s.suggested());
    }

    @Test
    void aThresholdNotCalibratedCannotCountRejections() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ThresholdSuggestion.of(OpenSetThreshold.manual(0.45), new double[] {0.5}));
        assertTrue(e.getMessage().contains("calibrate it first"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> ThresholdSuggestion.of(CALIBRATED, new double[] {Double.NaN}));
    }
}
