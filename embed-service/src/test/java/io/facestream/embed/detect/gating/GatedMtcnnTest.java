package io.facestream.embed.detect.gating;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.Nms;
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
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real MTCNN cascade on crops: a portrait pasted into a larger frame is found by the gate (first in the region
 * that changed, then in its track's region) where full-frame detection finds it, because crops keep the frame's scale
 * and MTCNN's minimum face size is in pixels.
 *
 * <p>"Where" has a tolerance: MTCNN is not shift-invariant. P-Net looks at a grid of windows 2 / scale pixels apart,
 * so moving the picture by a few pixels (which is what a crop does, relative to that grid) moves the box R- and O-Net
 * settle on: by up to ~3 px for a 60-px face and up to ~10 px for a 200-px face (measured here). The gated box and every
 * landmark must be within 2 px of the full-frame ones, or within the full-frame detector's own spread when the same
 * photo is pasted 1-8 px further on, whichever is larger; and the boxes overlap at IoU >= 0.9.
 */
class GatedMtcnnTest {
    /** Where the photo is pasted: odd, so that crops do not line up with P-Net's stride by luck. */
    private static final int PASTE_X = 317;

    private static final int PASTE_Y = 181;

    private static MtcnnDetector mtcnn;

    @BeforeAll
    static void open() {
        mtcnn = new MtcnnDetector(TestModels.get("mtcnn"), new OnnxSessions(Device.CPU, 1), MtcnnSettings.ADAFACE);
    }

    @AfterAll
    static void close() {
        if (mtcnn != null) {
            mtcnn.close();
        }
    }

    /** @param scale the portrait's scale: 0.3 gives a 60-px face, as surveillance footage has; 1 a 200-px one */
    @ParameterizedTest(name = "portrait at scale {0}")
    @ValueSource(doubles = {0.3, 1.0})
    void aFaceFoundInARegionIsWhereFullFrameDetectionFindsIt(double scale) {
        GatingSettings settings = new GatingSettings(GatingSettings.Mode.MOTION_TRACKS, 10, 160, 12, 0.1, 0.5, 2);
        // the gate must not close the shared detector
        GatedDetector gate =
                new GatedDetector(new Unclosed(mtcnn), settings, (int) Math.ceil(MtcnnSettings.ADAFACE.minFaceSize()));
        try (Mat original = Photos.read(SamplePhotos.Portrait.SAME_A);
                Mat photo = new Mat();
                Size size = new Size((int) (original.cols() * scale), (int) (original.rows() * scale));
                Scalar grey = new Scalar(110, 120, 115, 0);
                Mat empty = new Mat(960, 1280, CV_8UC3, grey);
                Mat withPhoto = empty.clone()) {
            resize(original, photo, size, 0, 0, INTER_AREA);
            paste(photo, withPhoto, PASTE_X, PASTE_Y);
            DetectedFace whole = largest(mtcnn.detect(withPhoto), "full frame");
            double tolerance = Math.max(2, spread(photo, empty, whole));

            assertEquals(List.of(), gate.detect("cam", 0, empty), "frame 0 (whole): an empty corridor");
            DetectedFace byMotion = largest(gate.detect("cam", 1, withPhoto), "frame 1, the region that changed");
            assertClose(whole, byMotion, tolerance, "motion region");
            DetectedFace byTrack = largest(gate.detect("cam", 2, withPhoto), "frame 2, the face's track region");
            assertClose(whole, byTrack, tolerance, "track region");
            assertEquals(1, gate.counters().fullFrames(), "frames 1 and 2 were searched in crops");
            assertTrue(gate.counters().searchedShare() < 0.7, "crops are a fraction of the frame: " + gate.counters());
            System.out.printf(
                    "scale %.1f: full %s, motion %s, track %s, tolerance %.1f px%n",
                    scale, whole.box(), byMotion.box(), byTrack.box(), tolerance);
        } finally {
            gate.close();
        }
    }

    /** The largest deviation of box and landmarks when the photo is pasted 1..8 px further right and down. */
    private static double spread(Mat photo, Mat empty, DetectedFace at0) {
        double worst = 0;
        for (int d = 1; d <= 8; d++) {
            try (Mat shifted = empty.clone()) {
                paste(photo, shifted, PASTE_X + d, PASTE_Y + d);
                DetectedFace f = GatedDetector.shift(largest(mtcnn.detect(shifted), "shifted by " + d), -d, -d);
                worst = Math.max(worst, deviation(at0, f));
            }
        }
        return worst;
    }

    private static void paste(Mat photo, Mat into, int x, int y) {
        try (Rect at = new Rect(x, y, photo.cols(), photo.rows());
                Mat target = new Mat(into, at)) {
            photo.copyTo(target);
        }
    }

    private static double deviation(DetectedFace a, DetectedFace b) {
        return Math.max(boxDeviation(a, b), landmarkDeviation(a, b));
    }

    private static double boxDeviation(DetectedFace a, DetectedFace b) {
        return Math.max(
                Math.max(
                        Math.abs(a.box().x() - b.box().x()),
                        Math.abs(a.box().y() - b.box().y())),
                Math.max(
                        Math.abs(a.box().width() - b.box().width()),
                        Math.abs(a.box().height() - b.box().height())));
    }

    private static double landmarkDeviation(DetectedFace a, DetectedFace b) {
        double d = 0;
        for (int k = 0; k < DetectedFace.LANDMARKS; k++) {
            d = Math.max(
                    d, Math.abs(a.landmarks().get(k).x() - b.landmarks().get(k).x()));
            d = Math.max(
                    d, Math.abs(a.landmarks().get(k).y() - b.landmarks().get(k).y()));
        }
        return d;
    }

    private static DetectedFace largest(List<DetectedFace> faces, String what) {
        return faces.stream()
                .max(Comparator.comparingDouble(f -> f.box().area()))
                .orElseThrow(() -> new AssertionError(what + ": no face"));
    }

    private static void assertClose(DetectedFace expected, DetectedFace actual, double tolerance, String what) {
        Box e = expected.box();
        Box a = actual.box();
        String msg = what + ": " + a + " vs full frame " + e;
        double box = boxDeviation(expected, actual);
        double marks = landmarkDeviation(expected, actual);
        assertTrue(box <= tolerance, msg + ": box off by " + box + " px, tolerance " + tolerance);
        assertTrue(marks <= tolerance, msg + ": landmarks off by " + marks + " px, tolerance " + tolerance);
        float iou = Nms.iou(
                new float[] {e.x(), e.y(), e.x() + e.width(), e.y() + e.height()},
                new float[] {a.x(), a.y(), a.x() + a.width(), a.y() + a.height()});
        assertTrue(iou >= 0.9, msg + ", IoU " + iou);
    }

    /** The shared detector, for a gate that must not close it. */
    private record Unclosed(MtcnnDetector inner) implements io.facestream.embed.detect.FaceDetector {
        @Override
        public List<DetectedFace> detect(Mat bgr) {
            return inner.detect(bgr);
        }

        @Override
        public String id() {
            return inner.id();
        }
    }
}
