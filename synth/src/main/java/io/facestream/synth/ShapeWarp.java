package io.facestream.synth;

import static org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.remap;

import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * A smooth local warp that moves landmark points to new places (Gaussian radial basis, inverse-mapped), used to
 * give each identity its own face geometry — eye spacing, nose length, mouth width — which face models weigh
 * heavily. Pixels far from every landmark stay where they are.
 */
public final class ShapeWarp {
    private static final double SIGMA = 16.0;

    private ShapeWarp() {}

    /** {@code face} warped so that the point at {@code from[k]} lands on {@code to[k]} (interleaved x,y). */
    public static Mat apply(Mat face, double[] from, double[] to) {
        int w = face.cols(), h = face.rows();
        Mat mapX = new Mat(h, w, CV_32F);
        Mat mapY = new Mat(h, w, CV_32F);
        double inv = 1.0 / (2 * SIGMA * SIGMA);
        try (FloatIndexer mx = mapX.createIndexer();
                FloatIndexer my = mapY.createIndexer()) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double sx = x, sy = y;
                    for (int k = 0; k < from.length; k += 2) {
                        double dx = x - to[k], dy = y - to[k + 1];
                        double g = Math.exp(-(dx * dx + dy * dy) * inv);
                        sx += (from[k] - to[k]) * g;
                        sy += (from[k + 1] - to[k + 1]) * g;
                    }
                    mx.put(y, x, (float) sx);
                    my.put(y, x, (float) sy);
                }
            }
        }
        Mat out = new Mat();
        remap(face, out, mapX, mapY, INTER_LINEAR, BORDER_REPLICATE, new Scalar());
        mapX.close();
        mapY.close();
        return out;
    }
}
