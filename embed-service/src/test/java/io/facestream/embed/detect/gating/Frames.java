package io.facestream.embed.detect.gating;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.util.Random;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

/** Synthetic camera frames: a fixed textured background, per-frame sensor noise, solid blocks as moving objects. */
final class Frames {
    private final int width;
    private final int height;
    private final byte[] background;
    private final Random noise = new Random(7);

    Frames(int width, int height) {
        this.width = width;
        this.height = height;
        this.background = new byte[width * height * 3];
        Random r = new Random(1);
        for (int i = 0; i < background.length; i++) {
            // a mid-grey texture, as walls and floors have; its detail is what differencing must not mistake for motion
            background[i] = (byte) (90 + r.nextInt(60));
        }
    }

    /** The background with ±{@code jitter} grey levels of fresh noise and a {@code side}-px white block at each corner. */
    Mat frame(int jitter, int side, int... xy) {
        Mat m = new Mat(height, width, CV_8UC3);
        try (UByteIndexer ix = m.createIndexer()) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    for (int c = 0; c < 3; c++) {
                        int v = background[(y * width + x) * 3 + c] & 0xff;
                        if (jitter > 0) {
                            v += noise.nextInt(2 * jitter + 1) - jitter;
                        }
                        ix.put(y, x, c, v);
                    }
                }
            }
        }
        for (int i = 0; i + 1 < xy.length; i += 2) {
            try (Rect r = new Rect(xy[i], xy[i + 1], side, side);
                    Mat block = new Mat(m, r);
                    Scalar white = new Scalar(250, 250, 250, 0)) {
                block.put(white);
            }
        }
        return m;
    }
}
