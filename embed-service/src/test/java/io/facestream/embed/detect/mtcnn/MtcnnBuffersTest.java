package io.facestream.embed.detect.mtcnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.Nms;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.testing.Photos;
import io.facestream.embed.testing.TestModels;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The buffer-reusing MTCNN path (direct buffers kept per thread and size, pinned outputs) against the original
 * heap-array path: the same detections, far fewer bytes allocated per call; and the chained pyramid stays close.
 */
class MtcnnBuffersTest {
    private static final OnnxSessions CPU = new OnnxSessions(Device.CPU, 1);
    private static MtcnnDetector heap;
    private static MtcnnDetector reused;
    private static MtcnnDetector chained;

    @BeforeAll
    static void open() {
        ModelStore.InstalledModel model = TestModels.get("mtcnn");
        heap = new MtcnnDetector(model, CPU, MtcnnSettings.ADAFACE.withExecution(false, false));
        reused = new MtcnnDetector(model, CPU, MtcnnSettings.ADAFACE.withExecution(true, false));
        chained = new MtcnnDetector(model, CPU, MtcnnSettings.ADAFACE.withExecution(true, true));
    }

    @AfterAll
    static void close() {
        for (MtcnnDetector d : new MtcnnDetector[] {heap, reused, chained}) {
            if (d != null) {
                d.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SamplePhotos.Portrait.class)
    void portraitsGiveTheSameFacesAsTheHeapPath(SamplePhotos.Portrait photo) {
        try (Mat img = Photos.read(photo)) {
            assertSame(heap.detect(img), reused.detect(img), photo.name());
            // again: the second call runs on the kept buffers with pinned outputs
            assertSame(heap.detect(img), reused.detect(img), photo.name() + " (second call)");
        }
    }

    @Test
    void aSynthetic1080pFrameGivesTheSameFacesAsTheHeapPath() {
        try (Mat frame = frameWithPortraits()) {
            List<DetectedFace> expected = heap.detect(frame);
            assertTrue(expected.size() >= 2, "the pasted portraits' faces: " + expected);
            for (int call = 0; call < 3; call++) {
                assertSame(expected, reused.detect(frame), "1080p call " + call);
            }
        }
    }

    @Test
    void reusedBuffersAllocateFarLessPerCall() {
        try (Mat frame = frameWithPortraits()) {
            long heapBytes = allocatedPerCall(heap, frame);
            long reusedBytes = allocatedPerCall(reused, frame);
            // the heap path allocates every level's input (~32 MB of floats at 1080p) and copies every output twice
            assertTrue(heapBytes > 20_000_000, "heap path bytes per 1080p call: " + heapBytes);
            assertTrue(
                    reusedBytes * 10 < heapBytes,
                    "reused path bytes per call " + reusedBytes + " vs heap path " + heapBytes);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SamplePhotos.Portrait.class)
    void theChainedPyramidFindsThePortraitFaceNearlyWhereTheFramePyramidDoes(SamplePhotos.Portrait photo) {
        try (Mat img = Photos.read(photo)) {
            DetectedFace frame = largest(reused.detect(img));
            DetectedFace level = largest(chained.detect(img));
            assertTrue(iou(frame.box(), level.box()) >= 0.8, photo + ": " + frame.box() + " vs " + level.box());
        }
    }

    private static long allocatedPerCall(MtcnnDetector d, Mat frame) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        d.detect(frame);
        d.detect(frame);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            d.detect(frame);
            best = Math.min(best, mx.getCurrentThreadAllocatedBytes() - before);
        }
        return best;
    }

    /** Two portraits pasted side by side onto a grey 1920×1080 frame. */
    static Mat frameWithPortraits() {
        Mat frame = new Mat(1080, 1920, opencv_core.CV_8UC3, new Scalar(110, 120, 130, 0));
        int x = 100;
        for (SamplePhotos.Portrait p : List.of(SamplePhotos.Portrait.SAME_A, SamplePhotos.Portrait.OTHER)) {
            try (Mat img = Photos.read(p)) {
                int w = Math.min(img.cols(), 800);
                int h = Math.min(img.rows(), 1000);
                try (Rect src = new Rect(0, 0, w, h);
                        Rect dst = new Rect(x, 40, w, h);
                        Mat from = new Mat(img, src);
                        Mat to = new Mat(frame, dst)) {
                    from.copyTo(to);
                }
                x += 900;
            }
        }
        return frame;
    }

    private static void assertSame(List<DetectedFace> expected, List<DetectedFace> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": " + expected + " vs " + actual);
        for (int i = 0; i < expected.size(); i++) {
            DetectedFace e = expected.get(i);
            DetectedFace a = actual.get(i);
            assertBox(e.box(), a.box(), what);
            assertEquals(e.score(), a.score(), 1e-4, what);
            for (int k = 0; k < DetectedFace.LANDMARKS; k++) {
                assertEquals(e.landmarks().get(k).x(), a.landmarks().get(k).x(), 0.01, what + " landmark " + k);
                assertEquals(e.landmarks().get(k).y(), a.landmarks().get(k).y(), 0.01, what + " landmark " + k);
            }
        }
    }

    private static void assertBox(Box e, Box a, String what) {
        assertEquals(e.x(), a.x(), 0.01, what + " x");
        assertEquals(e.y(), a.y(), 0.01, what + " y");
        assertEquals(e.width(), a.width(), 0.01, what + " width");
        assertEquals(e.height(), a.height(), 0.01, what + " height");
    }

    private static DetectedFace largest(List<DetectedFace> faces) {
        return faces.stream()
                .max(java.util.Comparator.comparingDouble(f -> f.box().area()))
                .orElseThrow(() -> new AssertionError("no face"));
    }

    static float iou(Box a, Box b) {
        return Nms.iou(
                new float[] {a.x(), a.y(), a.x() + a.width(), a.y() + a.height()},
                new float[] {b.x(), b.y(), b.x() + b.width(), b.y() + b.height()});
    }
}
