package io.facestream.eval.ijbs.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RankCorrelationTest {

    @Test
    void tiesShareTheirAverageRank() {
        // x = 1, 2, 2, 3, 5 → ranks 1, 2.5, 2.5, 4, 5; y = 2, 1, 4, 4, 6 → ranks 2, 1, 3.5, 3.5, 5.
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4, 5}, RankCorrelation.ranks(new float[] {1, 2, 2, 3, 5}, 5));
        assertArrayEquals(new double[] {2, 1, 3.5, 3.5, 5}, RankCorrelation.ranks(new float[] {2, 1, 4, 4, 6}, 5));
    }

    @Test
    void handCheckedVectorWithTies() {
        // rank deviations from the mean rank 3: dx = −2, −0.5, −0.5, 1, 2 and dy = −1, −2, 0.5, 0.5, 2;
        // Σdx·dy = 2 + 1 − 0.25 + 0.5 + 4 = 7.25, Σdx² = Σdy² = 9.5, so ρ = 7.25 / 9.5 (scipy.stats.spearmanr agrees)
        assertEquals(
                7.25 / 9.5, RankCorrelation.spearman(new float[] {1, 2, 2, 3, 5}, new float[] {2, 1, 4, 4, 6}), 1e-12);
    }

    @Test
    void onlyTheOrderMatters() {
        float[] x = {-3, 0.5f, 7, 100, 1e6f};
        assertEquals(1, RankCorrelation.spearman(x, new float[] {0.1f, 0.2f, 0.3f, 50, 51}), 1e-12);
        assertEquals(-1, RankCorrelation.spearman(x, new float[] {9, 8, 7, -1, -2}), 1e-12);
        assertEquals(
                1, RankCorrelation.spearman(new float[] {-0f, 0f, 1}, new float[] {5, 5, 6}), 1e-12, "−0 and +0 tie");
    }

    @Test
    void undefinedCasesAreNaNAndBadInputIsRefused() {
        assertTrue(Double.isNaN(RankCorrelation.spearman(new float[] {1}, new float[] {2})));
        assertTrue(
                Double.isNaN(RankCorrelation.spearman(new float[] {4, 4, 4}, new float[] {1, 2, 3})),
                "constant sample");
        assertThrows(
                IllegalArgumentException.class, () -> RankCorrelation.spearman(new float[] {1, 2}, new float[] {1}));
        IllegalArgumentException nan = assertThrows(
                IllegalArgumentException.class,
                () -> RankCorrelation.spearman(new float[] {1, Float.NaN}, new float[] {1, 2}));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
    }
}
