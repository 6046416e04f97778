package io.facestream.embed.detect.blazeface;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.LandmarkSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlazeFaceDecoderTest {
    @Test
    void anchorsFollowTheTwoGrids() {
        float[][] l0 = BlazeFaceAnchors.SHORT_RANGE.centres(0);
        float[][] l1 = BlazeFaceAnchors.SHORT_RANGE.centres(1);
        assertEquals(512, l0.length);
        assertEquals(384, l1.length);
        assertArrayEquals(new float[] {0.5f / 16, 0.5f / 16}, l0[1]); // 2 anchors share cell (0,0)
        assertArrayEquals(new float[] {1.5f / 16, 0.5f / 16}, l0[2]);
        // index = (y·cells + x)·anchors + a: cell (x=3, y=2) of the 8×8 grid, anchor 4
        assertArrayEquals(new float[] {3.5f / 8, 2.5f / 8}, l1[(2 * 8 + 3) * 6 + 4]);
    }

    @Test
    void decodesOffsetsInInputPixelsAndSigmoidScores() {
        float[][] anchors = {{0.5f, 0.5f}};
        float[] reg = new float[16];
        reg[0] = 12.8f; // dx: +0.1 of a 128 px input
        reg[2] = 64; // w: half the input
        reg[3] = 32;
        reg[4] = -12.8f; // keypoint 0 x
        List<BlazeFaceDecoder.Raw> out = BlazeFaceDecoder.decode(new float[] {0f}, reg, anchors, 128, 0.4f);
        assertEquals(1, out.size());
        assertEquals(0.5f, out.get(0).score(), 1e-6);
        assertArrayEquals(new float[] {0.35f, 0.375f, 0.85f, 0.625f}, out.get(0).box(), 1e-6f);
        assertEquals(0.4f, out.get(0).keypoints()[0], 1e-6);
        assertEquals(
                0,
                BlazeFaceDecoder.decode(new float[] {-3f}, reg, anchors, 128, 0.4f)
                        .size());
    }

    @Test
    void weightedNmsBlendsOverlapsByScoreAndKeepsTheMaxScore() {
        BlazeFaceDecoder.Raw a = new BlazeFaceDecoder.Raw(new float[] {0, 0, 1, 1}, new float[12], 0.9f);
        BlazeFaceDecoder.Raw b = new BlazeFaceDecoder.Raw(new float[] {0.1f, 0, 1.1f, 1}, new float[12], 0.3f);
        BlazeFaceDecoder.Raw far = new BlazeFaceDecoder.Raw(new float[] {5, 5, 6, 6}, new float[12], 0.8f);
        List<BlazeFaceDecoder.Raw> out = BlazeFaceDecoder.weightedNms(List.of(b, far, a), 0.3f, 64);
        assertEquals(2, out.size());
        assertEquals(0.9f, out.get(0).score());
        assertEquals(0.1f * 0.3f / 1.2f, out.get(0).box()[0], 1e-6);
        assertEquals(
                1, BlazeFaceDecoder.weightedNms(List.of(b, far, a), 0.3f, 1).size());
    }

    @Test
    void keypointsMapToFivePointsWithEstimatedMouthCorners() {
        // eyes 40 px apart, mouth centre below the nose; 100 px letterbox side, no padding
        float[] kp = {0.3f, 0.4f, 0.7f, 0.4f, 0.5f, 0.55f, 0.5f, 0.7f, 0.1f, 0.45f, 0.9f, 0.45f};
        DetectedFace f = BlazeFaceDetector.toImage(
                new BlazeFaceDecoder.Raw(new float[] {0.2f, 0.2f, 0.8f, 0.9f}, kp, 0.9f), 100, 0, 0);
        assertEquals(LandmarkSource.MOUTH_ESTIMATED, f.source());
        assertEquals(30, f.landmarks().get(0).x(), 1e-4);
        assertEquals(40, f.landmarks().get(0).y(), 1e-4);
        assertEquals(50, f.landmarks().get(2).x(), 1e-4);
        float half = 40 * BlazeFaceDetector.MOUTH_TO_EYE_RATIO / 2;
        assertEquals(50 - half, f.landmarks().get(3).x(), 1e-4);
        assertEquals(50 + half, f.landmarks().get(4).x(), 1e-4);
        assertEquals(70, f.landmarks().get(4).y(), 1e-4);
        assertEquals(20, f.box().x(), 1e-4);
        assertEquals(70, f.box().height(), 1e-4);
    }
}
