package io.facestream.embed.detect.mtcnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MtcnnBoxesTest {
    @Test
    void pyramidOf640x480HasTheTwentyScalesOfTheSpec() {
        List<Float> scales = MtcnnBoxes.scales(640, 480, MtcnnSettings.ADAFACE);
        assertEquals(20, scales.size());
        assertEquals(0.6f, scales.get(0), 1e-6);
        assertEquals(0.02736f, scales.get(19), 1e-5);
    }

    @Test
    void candidateBoxesUseStrideTwoCellTwelveAndRoundHalfToEven() {
        // one cell above threshold at row 3, column 5; scale 0.5
        MtcnnBoxes.MapReader prob = (c, i, j) -> c == 1 && i == 3 && j == 5 ? 0.9f : 0.1f;
        MtcnnBoxes.MapReader reg = (c, i, j) -> 0.1f * (c + 1);
        List<float[]> out = MtcnnBoxes.candidates(8, 8, prob, reg, 0.5f, 0.6f);
        assertEquals(1, out.size());
        // x1 = round((2·5+1)/0.5) = 22, y1 = round(7/0.5) = 14, x2 = round(23/0.5) = 46, y2 = round(19/0.5) = 38
        assertArrayEquals(new float[] {22, 14, 46, 38, 0.9f, 0.1f, 0.2f, 0.3f, 0.4f}, out.get(0), 1e-6f);
        // numpy rounds 2.5 to 2: (2·0+1)/0.4 = 2.5
        assertEquals(
                2f,
                MtcnnBoxes.candidates(1, 1, (c, i, j) -> 1f, reg, 0.4f, 0.6f).get(0)[0]);
    }

    @Test
    void calibrateMovesEdgesByOffsetsTimesSize() {
        float[] b = {10, 20, 29, 59, 0.9f, 0.1f, -0.1f, 0.2f, 0.05f};
        MtcnnBoxes.calibrate(b); // w = 20, h = 40
        assertArrayEquals(new float[] {12, 16, 33, 61}, java.util.Arrays.copyOf(b, 4), 1e-5f);
    }

    @Test
    void squareGrowsTheShortSideAroundTheCentre() {
        float[] b = {10, 20, 29, 59, 0, 0, 0, 0, 0}; // 20 × 40
        MtcnnBoxes.squareAndRound(b);
        assertArrayEquals(new float[] {0, 20, 39, 59}, java.util.Arrays.copyOf(b, 4), 1e-6f);
    }
}
