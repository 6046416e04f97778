package io.facestream.embed.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.embed.detect.Point;
import java.util.List;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

class SimilarityTransformTest {
    static final List<Point> SRC = List.of(
            new Point(100, 120), new Point(160, 118), new Point(130, 150), new Point(108, 180), new Point(155, 178));

    @Test
    void matchesTheCp2tformTestVectorOfAdaFaceSpec() {
        double[][] m = SimilarityTransform.estimate(SRC, ReferenceLandmarks.ARCFACE_112);
        assertArrayEquals(new double[] {0.6453339617, -0.0157837584, -25.8995197348}, m[0], 1e-8);
        assertArrayEquals(new double[] {0.0157837584, 0.6453339617, -26.4444046764}, m[1], 1e-8);
    }

    @Test
    void mirroredLandmarksChooseTheReflection() {
        List<Point> mirrored =
                SRC.stream().map(p -> new Point(260 - p.x(), p.y())).toList();
        double[][] m = SimilarityTransform.estimate(mirrored, ReferenceLandmarks.ARCFACE_112);
        double det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        assertEquals(-0.41670505, det, 1e-7);
    }

    @Test
    void exactSimilarityIsRecovered() {
        // dst = rotate 10°, scale 0.5, shift: the fit must map every source point onto its target
        double a = Math.toRadians(10);
        List<Point> dst = SRC.stream()
                .map(p -> new Point((float) (0.5 * (Math.cos(a) * p.x() - Math.sin(a) * p.y()) + 3), (float)
                        (0.5 * (Math.sin(a) * p.x() + Math.cos(a) * p.y()) - 7)))
                .toList();
        double[][] m = SimilarityTransform.estimate(SRC, dst);
        for (int i = 0; i < SRC.size(); i++) {
            Point q = SimilarityTransform.apply(m, SRC.get(i));
            assertEquals(dst.get(i).x(), q.x(), 1e-3);
            assertEquals(dst.get(i).y(), q.y(), 1e-3);
        }
    }

    @Test
    void degenerateLandmarksAreAClearError() {
        List<Point> same = List.of(new Point(5, 5), new Point(5, 5), new Point(5, 5), new Point(5, 5), new Point(5, 5));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SimilarityTransform.estimate(same, ReferenceLandmarks.ARCFACE_112));
        assertTrue(e.getMessage().contains("degenerate"), e.getMessage());
    }

    @Test
    void warpPutsTheLandmarksOnTheTemplate() {
        // A white dot at each source landmark must land on the template point in the 112×112 crop.
        try (Mat img = new Mat(300, 300, org.bytedeco.opencv.global.opencv_core.CV_8UC3, new Scalar(0, 0, 0, 0))) {
            UByteIndexer idx = img.createIndexer();
            Point eye = SRC.get(0);
            for (int dy = -3; dy <= 3; dy++) {
                for (int dx = -3; dx <= 3; dx++) {
                    for (int c = 0; c < 3; c++) {
                        idx.put((long) eye.y() + dy, (long) eye.x() + dx, c, 255);
                    }
                }
            }
            idx.close();
            try (Mat crop = new FaceAligner().align(img, SRC);
                    UByteIndexer out = crop.createIndexer()) {
                assertEquals(112, crop.cols());
                assertEquals(112, crop.rows());
                Point t = ReferenceLandmarks.ARCFACE_112.get(0);
                assertEquals(255, out.get(Math.round(t.y()), Math.round(t.x()), 1));
                assertEquals(0, out.get(10, 100, 1));
            }
        }
    }
}
