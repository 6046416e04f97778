package io.facestream.embed.detect.gating;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.mtcnn.MtcnnDetector;
import io.facestream.embed.detect.mtcnn.MtcnnSettings;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.testing.Photos;
import io.facestream.embed.testing.TestModels;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

/**
 * The real MTCNN cascade on crops: a portrait pasted into a larger frame is found by the gate (first in the region
 * that changed, then in its track's region) at the box full-frame detection gives, because crops keep the frame's
 * scale and MTCNN's minimum face size is in pixels.
 */
class GatedMtcnnTest {
    /** Where the photo is pasted: odd, so that crops do not line up with P-Net's stride by luck. */
    private static final int PASTE_X = 317;

    private static final int PASTE_Y = 181;

    @Test
    void aFaceFoundInARegionHasTheBoxFullFrameDetectionGives() {
        MtcnnDetector mtcnn =
                new MtcnnDetector(TestModels.get("mtcnn"), new OnnxSessions(Device.CPU, 1), MtcnnSettings.ADAFACE);
        GatingSettings settings = new GatingSettings(GatingSettings.Mode.MOTION_TRACKS, 10, 160, 12, 0.1, 0.5, 2);
        try (GatedDetector gate = GatedDetector.of(mtcnn, settings);
                Mat photo = Photos.read(SamplePhotos.Portrait.SAME_A);
                Scalar grey = new Scalar(110, 120, 115, 0)) {
            int w = Math.max(1280, 3 * photo.cols());
            int h = Math.max(960, 3 * photo.rows());
            try (Mat empty = new Mat(h, w, CV_8UC3, grey);
                    Mat withPhoto = empty.clone();
                    Rect at = new Rect(PASTE_X, PASTE_Y, photo.cols(), photo.rows());
                    Mat target = new Mat(withPhoto, at)) {
                photo.copyTo(target);
                DetectedFace whole = largest(mtcnn.detect(withPhoto), "full frame");

                assertEquals(List.of(), gate.detect("cam", 0, empty), "frame 0 (whole): an empty corridor");
                DetectedFace byMotion = largest(gate.detect("cam", 1, withPhoto), "frame 1, the region that changed");
                assertClose(whole, byMotion, "motion region");
                DetectedFace byTrack = largest(gate.detect("cam", 2, withPhoto), "frame 2, the face's track region");
                assertClose(whole, byTrack, "track region");
                assertEquals(1, gate.counters().fullFrames(), "frames 1 and 2 were searched in crops");
                assertTrue(
                        gate.counters().searchedShare() < 0.5, "crops are a fraction of the frame: " + gate.counters());
            }
        }
    }

    private static DetectedFace largest(List<DetectedFace> faces, String what) {
        return faces.stream()
                .max(Comparator.comparingDouble(f -> f.box().area()))
                .orElseThrow(() -> new AssertionError(what + ": no face"));
    }

    private static void assertClose(DetectedFace expected, DetectedFace actual, String what) {
        Box e = expected.box();
        Box a = actual.box();
        String msg = what + ": " + a + " vs full frame " + e;
        assertEquals(e.x(), a.x(), 2, msg);
        assertEquals(e.y(), a.y(), 2, msg);
        assertEquals(e.width(), a.width(), 2, msg);
        assertEquals(e.height(), a.height(), 2, msg);
        for (int k = 0; k < DetectedFace.LANDMARKS; k++) {
            assertEquals(
                    expected.landmarks().get(k).x(), actual.landmarks().get(k).x(), 2, msg + " landmark " + k);
            assertEquals(
                    expected.landmarks().get(k).y(), actual.landmarks().get(k).y(), 2, msg + " landmark " + k);
        }
    }
}
