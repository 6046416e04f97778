package io.facestream.embed.detect.gating;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.LandmarkSource;
import io.facestream.embed.detect.Point;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class GatedDetectorTest {
    private static final int W = 640;
    private static final int H = 480;
    private final Frames frames = new Frames(W, H);

    private static GatingSettings settings(GatingSettings.Mode mode, int fullEvery) {
        return new GatingSettings(mode, fullEvery, 160, 12, 0.1, 0.5, 2);
    }

    @Test
    void aFaceFoundInACropHasItsFullFrameBoxAndLandmarks() {
        DetectedFace inCrop = new DetectedFace(
                new Box(10, 20, 30, 40),
                0.9f,
                List.of(new Point(15, 30), new Point(30, 30), new Point(22, 40), new Point(16, 50), new Point(29, 50)),
                LandmarkSource.MEASURED);
        DetectedFace f = GatedDetector.shift(inCrop, 100, 200);
        assertEquals(new Box(110, 220, 30, 40), f.box());
        assertEquals(
                List.of(
                        new Point(115, 230),
                        new Point(130, 230),
                        new Point(122, 240),
                        new Point(116, 250),
                        new Point(129, 250)),
                f.landmarks());
        assertEquals(0.9f, f.score());
        assertEquals(LandmarkSource.MEASURED, f.source());
    }

    @Test
    void tracksSearchOnlyAroundTheLastFacesAndMapThemBackExactly() {
        WhiteBlockDetector blocks = new WhiteBlockDetector();
        try (GatedDetector gate = new GatedDetector(blocks, settings(GatingSettings.Mode.TRACKS, 10), 20)) {
            for (int i = 0; i < 5; i++) {
                // a 40-px face walking 12 px right and 4 px down per frame
                try (Mat f = frames.frame(3, 40, 300 + 12 * i, 200 + 4 * i)) {
                    List<DetectedFace> whole = blocks.detect(f);
                    blocks.searched.removeLast();
                    List<DetectedFace> gated = gate.detect("cam", i, f);
                    assertSameFaces(whole, gated, "frame " + i);
                    assertEquals(
                            new Box(300 + 12 * i, 200 + 4 * i, 40, 40),
                            gated.get(0).box());
                }
            }
            assertEquals(1, blocks.fullSearches(W, H), "only the first frame searched whole");
            for (int[] s : blocks.searched.subList(1, blocks.searched.size())) {
                assertTrue(
                        s[0] <= 40 + 12 + 2 * 20 + 2 && s[1] <= 40 + 4 + 2 * 20 + 2,
                        "a crop around the face: " + s[0] + "x" + s[1]);
            }
        }
    }

    /** Same boxes, scores and landmarks, to float rounding (a crop's offset is added after, not before, the arithmetic). */
    static void assertSameFaces(List<DetectedFace> expected, List<DetectedFace> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": " + actual);
        for (int i = 0; i < expected.size(); i++) {
            DetectedFace e = expected.get(i);
            DetectedFace a = actual.get(i);
            assertEquals(e.box().x(), a.box().x(), 1e-3, what);
            assertEquals(e.box().y(), a.box().y(), 1e-3, what);
            assertEquals(e.box().width(), a.box().width(), 1e-3, what);
            assertEquals(e.box().height(), a.box().height(), 1e-3, what);
            assertEquals(e.score(), a.score(), 1e-6, what);
            for (int k = 0; k < DetectedFace.LANDMARKS; k++) {
                assertEquals(e.landmarks().get(k).x(), a.landmarks().get(k).x(), 1e-3, what + " landmark " + k);
                assertEquals(e.landmarks().get(k).y(), a.landmarks().get(k).y(), 1e-3, what + " landmark " + k);
            }
        }
    }

    @Test
    void motionFindsAFaceThatAppearsAndSearchesNothingWhenNothingMoves() {
        WhiteBlockDetector blocks = new WhiteBlockDetector();
        try (GatedDetector gate = new GatedDetector(blocks, settings(GatingSettings.Mode.MOTION, 10), 20);
                Mat empty = frames.frame(3, 0);
                Mat face = frames.frame(3, 40, 400, 100);
                Mat still = frames.frame(3, 40, 400, 100)) {
            assertEquals(List.of(), gate.detect("cam", 0, empty));
            assertEquals(1, blocks.searched.size());
            List<DetectedFace> found = gate.detect("cam", 1, face);
            assertEquals(1, found.size(), "the face that appeared");
            assertEquals(new Box(400, 100, 40, 40), found.get(0).box());
            assertEquals(2, blocks.searched.size(), "one crop");
            assertTrue(blocks.searched.get(1)[0] < W / 2, "a crop, not the frame");
            assertEquals(
                    List.of(), gate.detect("cam", 2, still), "motion only: a face that stood still is not searched");
            assertEquals(2, blocks.searched.size(), "nothing moved: the detector did not run");
        }
    }

    @Test
    void theWholeFrameIsSearchedOnTheFirstFrameEveryKthAndAfterAJumpBack() {
        WhiteBlockDetector blocks = new WhiteBlockDetector();
        try (GatedDetector gate = new GatedDetector(blocks, settings(GatingSettings.Mode.MOTION_TRACKS, 4), 20)) {
            for (int i = 0; i < 9; i++) {
                try (Mat f = frames.frame(3, 0)) {
                    gate.detect("cam", i, f);
                }
            }
            assertEquals(3, blocks.fullSearches(W, H), "frames 0, 4 and 8");
            assertEquals(3, blocks.searched.size(), "nothing else searched: no motion, no tracks");
            try (Mat f = frames.frame(3, 0)) {
                gate.detect("cam", 3, f); // a replay: the camera starts over
                gate.detect("other", 0, f); // another camera's first frame
                gate.detect("cam", 4, f);
            }
            assertEquals(5, blocks.fullSearches(W, H), "the replayed frame and the other camera's first");
            assertEquals(
                    new GatedDetector.Counters(12, 5, 5 / 12.0), gate.counters(), "nothing searched but whole frames");
        }
    }

    @Test
    void withGatingOffEveryFrameIsSearchedWhole() {
        WhiteBlockDetector blocks = new WhiteBlockDetector();
        try (GatedDetector gate = new GatedDetector(blocks, GatingSettings.OFF, 20)) {
            for (int i = 0; i < 3; i++) {
                try (Mat f = frames.frame(0, 40, 10, 10)) {
                    assertEquals(1, gate.detect("cam", i, f).size());
                }
            }
            assertEquals(3, blocks.fullSearches(W, H));
        }
    }

    @Test
    void regionsAreMergedAndThoseTooSmallForAFaceAreSkipped() {
        try (GatedDetector gate = new GatedDetector(new WhiteBlockDetector(), GatingSettings.OFF, 20)) {
            List<Region> out = gate.regions(
                    List.of(new Region(0, 0, 100, 100), new Region(90, 90, 50, 50), new Region(300, 0, 19, 200)), W, H);
            assertEquals(
                    List.of(new Region(0, 0, 140, 140)), out, "merged; the 19-px-wide strip cannot hold a 20-px face");
        }
    }
}
