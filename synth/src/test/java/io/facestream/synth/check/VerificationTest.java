package io.facestream.synth.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Verification metrics on hand-computable score sets. */
class VerificationTest {

    @Test
    void separatedScoresArePerfect() {
        Verification v = Verification.of(new double[] {0.9, 0.8}, new double[] {0.1, 0.2, 0.3});
        assertEquals(1.0, v.bestAccuracy());
        assertEquals(0.8, v.bestThreshold());
        assertEquals(1.0, v.tarAtFar1());
        assertEquals(1.0, v.auc());
    }

    @Test
    void overlappingScores() {
        // genuine {0.2, 0.6, 0.9}, impostor {0.1, 0.5, 0.7, 0.8}:
        // AUC: 0.2 beats 1, 0.6 beats 2, 0.9 beats 4 -> 7 / 12.
        // FAR 1% of 4 impostors -> n_fa = 0, tau = 0.8 (the highest impostor), TAR = #{g > 0.8} / 3 = 1/3.
        // best balanced accuracy: t = 0.9 -> (1/3 + 1) / 2 = 2/3; t = 0.6 -> (2/3 + 2/4) / 2 = 7/12; t = 0.2 -> (1 +
        // 1/4) / 2 = 5/8.
        Verification v = Verification.of(new double[] {0.2, 0.6, 0.9}, new double[] {0.1, 0.5, 0.7, 0.8});
        assertEquals(7.0 / 12, v.auc(), 1e-12);
        assertEquals(1.0 / 3, v.tarAtFar1(), 1e-12);
        assertEquals(2.0 / 3, v.bestAccuracy(), 1e-12);
        assertEquals(0.9, v.bestThreshold());
    }

    @Test
    void tiesCountHalfInTheAuc() {
        assertEquals(
                0.5, Verification.of(new double[] {0.5}, new double[] {0.5}).auc());
    }

    @Test
    void needsBothKindsOfPairs() {
        assertThrows(IllegalArgumentException.class, () -> Verification.of(new double[] {0.5}, new double[0]));
    }
}
