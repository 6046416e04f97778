package io.facestream.embed.detect.given;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.align.ReferenceLandmarks;
import io.facestream.embed.align.SimilarityTransform;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.LandmarkSource;
import io.facestream.embed.detect.Point;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class GivenFacesTest {
    @Test
    void parsesBoxesLandmarksScoresAndLabels() {
        GivenFaces g = GivenFaces.parse("""
                [{"box":[10,20,100,120],"landmarks":[[40,60],[80,60],[60,85],[45,110],[75,110]],"score":0.9,"label":"s17"},
                 {"box":[200,20,50,60]}]""", "test");
        assertEquals(2, g.faces().size());
        GivenFace a = g.faces().get(0);
        assertEquals("s17", a.label());
        assertEquals(0.9f, a.face().score());
        assertEquals(new Point(80, 60), a.face().landmarks().get(1));
        assertEquals(LandmarkSource.MEASURED, a.face().source());
        GivenFace b = g.faces().get(1);
        assertNull(b.label());
        assertEquals(1f, b.face().score());
        assertEquals(LandmarkSource.FROM_BOX, b.face().source());
        assertEquals(0, GivenFaces.parse("[]", "test").faces().size());
        GivenFace fromDetect = GivenFaces.parse(
                        "[{\"box\":[1,2,30,40],\"score\":0.9,\"landmarks\":[[8,14],[22,14],[15,22],[10,30],[20,30]],"
                                + "\"landmark_source\":\"mouth_estimated\"}]",
                        "detect output")
                .faces()
                .get(0);
        assertEquals(LandmarkSource.MOUTH_ESTIMATED, fromDetect.face().source());
    }

    @Test
    void boxOnlyFacesAlignToTheirBox() {
        DetectedFace f = GivenFaces.parse("[{\"box\":[200,20,56,56]}]", "t")
                .faces()
                .get(0)
                .face();
        double[][] m = SimilarityTransform.estimate(f.landmarks(), ReferenceLandmarks.ARCFACE_112);
        // the box maps onto the whole 112 crop: scale 2, box corner → origin
        assertEquals(2.0, m[0][0], 1e-4);
        assertEquals(-400.0, m[0][2], 1e-2);
        assertEquals(-40.0, m[1][2], 1e-2);
    }

    @Test
    void strictParsingNamesTheProblem() {
        assertError("not json", "not valid JSON");
        assertError("{\"box\":[1,2,3,4]}", "must be a JSON list");
        assertError("[{\"box\":[1,2,3]}]", "face 0 box: expected a list of 4 numbers");
        assertError("[{\"box\":[1,2,0,4]}]", "must be positive");
        assertError("[{\"box\":[1,2,3,4],\"lables\":\"x\"}]", "unknown key \"lables\"");
        assertError("[{\"box\":[1,2,3,4],\"landmarks\":[[1,2]]}]", "list of 5 [x, y] points");
        assertError(
                "[{\"box\":[1,2,3,4],\"landmarks\":[[1,2],[1,2],[1,\"a\"],[1,2],[1,2]]}]",
                "landmark 2: element 1 is not a finite number");
        assertError("[{\"box\":[1,2,3,4],\"score\":2}]", "score must be a number in [0, 1]");
        assertError("[{\"box\":[1,2,3,4]}, 7]", "face 1: must be an object");
        assertError("", "empty faces annotation");
        assertError(
                "[{\"box\":[1,2,3,4],\"landmarks\":[[1,2],[1,2],[1,2],[1,2],[1,2]],\"landmark_source\":\"guessed\"}]",
                "landmark_source must be measured or mouth_estimated");
    }

    @Test
    void aBoxOutsideTheFrameIsAnError() {
        GivenFaces g = GivenFaces.parse("[{\"box\":[700,20,50,50]}]", "t");
        try (Mat frame = new Mat(480, 640, org.bytedeco.opencv.global.opencv_core.CV_8UC3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.detect(frame));
            assertTrue(e.getMessage().contains("outside the 640x480 frame"), e.getMessage());
        }
    }

    private static void assertError(String json, String expected) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> GivenFaces.parse(json, "frame 42 fs.faces"));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().startsWith("frame 42 fs.faces"), e.getMessage());
    }
}
