package io.facestream.embed.detect.blazeface;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceChecks;
import io.facestream.embed.detect.Nms;
import io.facestream.embed.detect.mtcnn.MtcnnDetector;
import io.facestream.embed.detect.mtcnn.MtcnnSettings;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.testing.Photos;
import io.facestream.embed.testing.TestModels;
import java.util.List;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The full-range BlazeFace as the zoo installs it (face_detection_full_range.tflite through our converter): anchors
 * derived from MediaPipe's SSD options, the face of each portrait where MTCNN puts it, and tiling for small faces in
 * large frames.
 */
class BlazeFaceFullRangeTest {
    private static final OnnxSessions CPU = new OnnxSessions(Device.CPU, 1);
    private static BlazeFaceDetector whole;
    private static BlazeFaceDetector tiled;
    private static MtcnnDetector mtcnn;

    @BeforeAll
    static void open() {
        whole = new BlazeFaceDetector(TestModels.get("blazeface-full"), CPU, 0.75f, 0.3f, 64);
        tiled = new BlazeFaceDetector(TestModels.get("blazeface-full"), CPU, 0.75f, 0.3f, 64, 384, 0.25f);
        mtcnn = new MtcnnDetector(TestModels.get("mtcnn"), CPU, MtcnnSettings.ADAFACE);
    }

    @AfterAll
    static void close() {
        whole.close();
        tiled.close();
        mtcnn.close();
    }

    @Test
    void anchorsFollowMediaPipesSsdOptions() {
        // full range: one stride-4 layer on 192 px, one anchor per cell
        assertArrayEquals(new int[] {48, 1}, BlazeFaceAnchors.FULL_RANGE.layers()[0]);
        assertEquals(2304, BlazeFaceAnchors.FULL_RANGE.total());
        // short range: strides 8, 16, 16, 16 on 128 px, two anchors per layer; the three stride-16 layers share a map
        assertEquals(2, BlazeFaceAnchors.SHORT_RANGE.layerCount());
        assertArrayEquals(new int[] {16, 2}, BlazeFaceAnchors.SHORT_RANGE.layers()[0]);
        assertArrayEquals(new int[] {8, 6}, BlazeFaceAnchors.SHORT_RANGE.layers()[1]);
        assertEquals(896, BlazeFaceAnchors.SHORT_RANGE.total());
        float[][] c = BlazeFaceAnchors.FULL_RANGE.centres(0);
        assertArrayEquals(new float[] {0.5f / 48, 0.5f / 48}, c[0], 1e-7f);
        assertArrayEquals(new float[] {1.5f / 48, 0.5f / 48}, c[1], 1e-7f);
        assertArrayEquals(new float[] {47.5f / 48, 47.5f / 48}, c[2303], 1e-7f);
        assertEquals("full-range", whole.anchorLayout());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SamplePhotos.Portrait.class)
    void theConvertedModelFindsEachPortraitFaceWhereMtcnnDoes(SamplePhotos.Portrait photo) {
        try (Mat img = Photos.read(photo)) {
            DetectedFace m = largest(mtcnn.detect(img));
            List<DetectedFace> faces = whole.detect(img);
            DetectedFace b = largest(faces);
            FaceChecks.assertPlausible(b, "blazeface-full " + photo);
            assertTrue(iou(m.box(), b.box()) >= 0.5, photo + ": mtcnn " + m.box() + " vs blazeface-full " + b.box());
        }
    }

    @Test
    void tilesStartEvenlyAndEndFlushWithTheFrame() {
        assertArrayEquals(new int[] {0}, BlazeFaceDetector.starts(300, 384, 0.25f));
        assertArrayEquals(new int[] {0, 96}, BlazeFaceDetector.starts(480, 384, 0.25f));
        int[] xs = BlazeFaceDetector.starts(1920, 384, 0.25f);
        assertEquals(0, xs[0]);
        assertEquals(1920 - 384, xs[xs.length - 1]);
        for (int i = 1; i < xs.length; i++) {
            assertTrue(
                    xs[i] - xs[i - 1] <= 384 * 0.75f + 1, "stride keeps the overlap: " + java.util.Arrays.toString(xs));
        }
    }

    @Test
    void aSmallFaceInTheFarCornerOfA1080pFrameIsFoundOnlyWithTiles() {
        try (Mat img = Photos.read(SamplePhotos.Portrait.SAME_A);
                Mat frame = new Mat(1080, 1920, opencv_core.CV_8UC3, new Scalar(110, 120, 130, 0))) {
            Box face = largest(mtcnn.detect(img)).box();
            // a square around the face, twice its size, shrunk so the face is about 56 px wide
            float side = 2 * Math.max(face.width(), face.height());
            int x0 = Math.max(0, Math.round(face.x() + face.width() / 2 - side / 2));
            int y0 = Math.max(0, Math.round(face.y() + face.height() / 2 - side / 2));
            int s = Math.min(Math.round(side), Math.min(img.cols() - x0, img.rows() - y0));
            float scale = 56f / face.width();
            int out = Math.round(s * scale);
            int px = 1920 - out - 8;
            int py = 1080 - out - 8;
            try (Rect src = new Rect(x0, y0, s, s);
                    Mat part = new Mat(img, src);
                    Mat small = new Mat();
                    Size size = new Size(out, out);
                    Rect dst = new Rect(px, py, out, out);
                    Mat to = new Mat(frame, dst)) {
                resize(part, small, size, 0, 0, INTER_AREA);
                small.copyTo(to);
            }
            Box expected = new Box(
                    px + (face.x() - x0) * scale,
                    py + (face.y() - y0) * scale,
                    face.width() * scale,
                    face.height() * scale);
            List<DetectedFace> withoutTiles = whole.detect(frame);
            assertTrue(
                    withoutTiles.stream().noneMatch(f -> iou(f.box(), expected) >= 0.3),
                    "the whole frame shrunk 10x should hide a 56 px face: " + withoutTiles);
            List<DetectedFace> withTiles = tiled.detect(frame);
            assertEquals(1, withTiles.size(), "tiled: " + withTiles);
            assertTrue(
                    iou(withTiles.get(0).box(), expected) >= 0.5,
                    "tiled box " + withTiles.get(0).box() + " vs pasted face " + expected);
        }
    }

    private static DetectedFace largest(List<DetectedFace> faces) {
        return faces.stream()
                .max(java.util.Comparator.comparingDouble(f -> f.box().area()))
                .orElseThrow(() -> new AssertionError("no face"));
    }

    private static float iou(Box a, Box b) {
        return Nms.iou(
                new float[] {a.x(), a.y(), a.x() + a.width(), a.y() + a.height()},
                new float[] {b.x(), b.y(), b.x() + b.width(), b.y() + b.height()});
    }
}
