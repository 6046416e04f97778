package io.facestream.embed.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.facestream.embed.model.ModelManifest.ColorOrder;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class PixelLayoutTest {
    private static final float[] MEAN = {127.5f, 127.5f, 127.5f};
    private static final float[] STD = {127.5f, 127.5f, 127.5f};

    /** 2×3 image (h=2, w=3), pixel (y, x) has B = 10y+x, G = 100, R = 200. */
    private static Mat image() {
        Mat m = new Mat(2, 3, org.bytedeco.opencv.global.opencv_core.CV_8UC3);
        try (UByteIndexer idx = m.createIndexer()) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    idx.put(y, x, 0, 10 * y + x);
                    idx.put(y, x, 1, 100);
                    idx.put(y, x, 2, 200);
                }
            }
        }
        return m;
    }

    private static float norm(int v) {
        return (v - 127.5f) / 127.5f;
    }

    @Test
    void nchwBgrPutsPlanesInOrder() {
        PixelLayout p = new PixelLayout("NCHW", ColorOrder.BGR, MEAN, STD, "t");
        assertArrayEquals(new long[] {2, 3, 2, 3}, p.shape(2, 2, 3));
        float[] t = new float[2 * 18];
        try (Mat m = image()) {
            p.pack(m, t, 1);
        }
        assertEquals(norm(12), t[18 + 5]); // slot 1, channel B, y=1, x=2
        assertEquals(norm(200), t[18 + 12]); // channel R starts at 12
    }

    @Test
    void nhwcRgbInterleavesReversedChannels() {
        PixelLayout p = new PixelLayout("NHWC", ColorOrder.RGB, MEAN, STD, "t");
        float[] t = new float[18];
        try (Mat m = image()) {
            p.pack(m, t, 0);
        }
        int at = (1 * 3 + 2) * 3; // y=1, x=2
        assertEquals(norm(200), t[at]);
        assertEquals(norm(12), t[at + 2]);
    }

    @Test
    void transposedLayoutSwapsTheSpatialAxes() {
        PixelLayout p = new PixelLayout("NWHC", ColorOrder.RGB, MEAN, STD, "t");
        assertArrayEquals(new long[] {1, 3, 2, 3}, p.shape(1, 2, 3));
        float[] t = new float[18];
        try (Mat m = image()) {
            p.pack(m, t, 0);
        }
        int at = (2 * 2 + 1) * 3; // x=2 is the outer spatial axis now, then y=1
        assertEquals(norm(12), t[at + 2]);
        assertEquals(true, p.transposed());
    }

    @Test
    void badLayoutsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PixelLayout("NCHH", ColorOrder.RGB, MEAN, STD, "m"));
        assertThrows(IllegalArgumentException.class, () -> new PixelLayout("CHWN", ColorOrder.RGB, MEAN, STD, "m"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new PixelLayout("NCHW", ColorOrder.RGB, MEAN, new float[] {1, 0, 1}, "m"));
    }
}
